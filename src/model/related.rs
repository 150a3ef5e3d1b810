//! "Related papers", chosen at build time from shared tags and abstract
//! words. Each paper's few most distinctive words (tf-idf) and its tags
//! vote for other papers; postings are scanned only in a window of papers
//! near in date, so the cost stays linear in the number of papers.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::parse::Paper;
use crate::slug::slugify;

/// Distinctive words kept per paper.
const TERMS_PER_PAPER: usize = 8;
/// Papers looked at on each side of a paper in a long postings list.
const WINDOW: usize = 64;
/// A shared tag counts this many times a shared word of equal rarity.
const TAG_WEIGHT: f32 = 2.0;

const STOPWORDS: &[&str] = &[
    "about",
    "also",
    "among",
    "and",
    "are",
    "based",
    "been",
    "between",
    "both",
    "but",
    "can",
    "could",
    "does",
    "each",
    "for",
    "from",
    "has",
    "have",
    "how",
    "however",
    "into",
    "its",
    "more",
    "most",
    "new",
    "not",
    "our",
    "over",
    "paper",
    "show",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "this",
    "those",
    "through",
    "thus",
    "under",
    "use",
    "used",
    "using",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "with",
    "without",
    "work",
    "would",
    "yet",
    "approach",
    "method",
    "methods",
    "results",
    "propose",
    "proposed",
    "study",
    "via",
    "well",
    "further",
    "different",
    "existing",
];

/// Words and tags become 64-bit hashes, so papers can be tokenised in
/// parallel without a shared dictionary; tags hash in their own space.
fn word_token(word: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(word)
}

fn tag_token(slug: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(slug.as_bytes(), 1)
}

/// The stopwords' tokens, sorted for binary search.
static STOP_TOKENS: std::sync::LazyLock<Vec<u64>> = std::sync::LazyLock::new(|| {
    let mut tokens: Vec<u64> = STOPWORDS.iter().map(|w| word_token(w.as_bytes())).collect();
    tokens.sort_unstable();
    tokens
});

/// Calls `f` with the token of each lowercase word of three or more letters
/// or digits, stopwords and numbers removed.
fn each_word(text: &str, mut f: impl FnMut(u64)) {
    let mut lower: Vec<u8> = Vec::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.len() < 3 || w.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        lower.clear();
        if w.is_ascii() {
            lower.extend(w.bytes().map(|b| b.to_ascii_lowercase()));
        } else {
            if w.chars().count() < 3 {
                continue;
            }
            let mut buf = [0; 4];
            for c in w.chars().flat_map(char::to_lowercase) {
                lower.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        let token = word_token(&lower);
        if STOP_TOKENS.binary_search(&token).is_err() {
            f(token);
        }
    }
}

/// For each paper (by index), up to `want` related papers, best first.
/// When the memo holds the scores of an earlier build of the same papers
/// in the same order ([`Scored`]), only the papers whose lists can differ
/// are scored again (see [`rescored`]).
pub fn related(papers: &[Arc<Paper>], want: usize, memo: &mut Memo) -> Vec<Vec<usize>> {
    let n = papers.len();
    if n < 2 || want == 0 {
        memo.scored = None;
        return vec![Vec::new(); n];
    }
    let order = order_of(papers, want);
    let earlier = memo.scored.take().filter(|s| s.order == order && s.fits(n));
    // Per paper: its (token id, weight) features, tags and top words alike.
    let Counted {
        features,
        fingerprints,
        df,
    } = features(papers, memo, earlier.as_ref());
    let mut postings: TokenMap<Vec<usize>> = TokenMap::default();
    for (i, f) in features.iter().enumerate() {
        for &(token, _) in f {
            postings.entry(token).or_default().push(i);
        }
    }
    let redo = earlier
        .as_ref()
        .map(|earlier| rescored(&earlier.features, &features, &postings));
    let unchanged = earlier.as_ref().is_some_and(|earlier| {
        earlier.fingerprints == fingerprints && redo.as_ref().is_some_and(|r| !r.contains(&true))
    });
    let mut related: Vec<Vec<usize>> = match earlier {
        Some(earlier) => earlier.related,
        None => vec![Vec::new(); n],
    };
    // Scores accumulate in a dense per-thread array; `touched` lists the
    // entries to read back and reset, so each paper costs only its window.
    related
        .par_iter_mut()
        .enumerate()
        .filter(|(i, _)| redo.as_ref().is_none_or(|redo| redo[*i]))
        .for_each_init(
            || (vec![0f32; n], Vec::<usize>::new()),
            |(scores, touched), (i, related)| {
                *related = score(i, &features, &postings, want, scores, touched);
            },
        );
    memo.scored = Some(Scored {
        order,
        fingerprints,
        df,
        features,
        related: related.clone(),
        changed: !unchanged,
    });
    related
}

/// Paper `i`'s best `want` others by the weights of its features over the
/// papers near it in each feature's postings. `scores` is all zeros, and
/// left so.
fn score(
    i: usize,
    features: &[Vec<(u64, f32)>],
    postings: &TokenMap<Vec<usize>>,
    want: usize,
    scores: &mut [f32],
    touched: &mut Vec<usize>,
) -> Vec<usize> {
    // A zero weight (a word in every paper) says nothing, and would break
    // the "untouched means 0.0" bookkeeping.
    for &(token, weight) in features[i].iter().filter(|(_, w)| *w > 0.0) {
        let list = &postings[&token];
        // Lists are in index (date) order; look near this paper.
        let at = list.binary_search(&i).unwrap_or_else(|e| e);
        let lo = at.saturating_sub(WINDOW);
        let hi = (at + WINDOW + 1).min(list.len());
        for &j in &list[lo..hi] {
            if j != i {
                if scores[j] == 0.0 {
                    touched.push(j);
                }
                scores[j] += weight;
            }
        }
    }
    // Best first; ties go to the lower index (the newer paper).
    let better = |a: (usize, f32), b: (usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)).is_lt();
    let mut best: Vec<(usize, f32)> = Vec::with_capacity(want + 1);
    for &j in touched.iter() {
        let candidate = (j, scores[j]);
        scores[j] = 0.0;
        if best.len() == want && !better(candidate, best[want - 1]) {
            continue;
        }
        let at = best.partition_point(|&b| better(b, candidate));
        best.insert(at, candidate);
        best.truncate(want);
    }
    touched.clear();
    best.into_iter().map(|(j, _)| j).collect()
}

/// Which papers' related lists can differ from the ones scored with the
/// `earlier` features, now that they are `features` (same papers, same
/// order). Paper `i`'s list follows from its own features and, for each
/// of them, the papers within [`WINDOW`] of it in that feature's postings:
/// so a paper is scored again if its features changed, or if it is near
/// where some paper joined or left the postings of one of its features.
/// Away from such a change a window holds the same papers as before (the
/// positions around it all moved by the same amount, if at all).
fn rescored(
    earlier: &[Vec<(u64, f32)>],
    features: &[Vec<(u64, f32)>],
    postings: &TokenMap<Vec<usize>>,
) -> Vec<bool> {
    let same = |a: &[(u64, f32)], b: &[(u64, f32)]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.0 == y.0 && x.1.to_bits() == y.1.to_bits())
    };
    let mut redo = vec![false; features.len()];
    for (i, (old, new)) in earlier.iter().zip(features).enumerate() {
        if same(old, new) {
            continue;
        }
        redo[i] = true;
        let has = |f: &[(u64, f32)], token: u64| f.iter().any(|&(t, _)| t == token);
        let joined = new.iter().filter(|(t, _)| !has(old, *t));
        let left = old.iter().filter(|(t, _)| !has(new, *t));
        for &(token, _) in joined.chain(left) {
            let Some(list) = postings.get(&token) else {
                continue;
            };
            // Where `i` is or would be; one more either side than a window
            // reaches, for the positions that moved by one.
            let at = list.partition_point(|&j| j < i);
            let lo = at.saturating_sub(WINDOW + 2);
            let hi = (at + WINDOW + 3).min(list.len());
            for &j in &list[lo..hi] {
                redo[j] = true;
            }
        }
    }
    redo
}

/// What the related lists were scored from, kept for the next build of the
/// same site (`serve`'s memory, or a file beside `build`'s output): with
/// it, an edit that leaves every other paper's features as they were
/// scores a few papers instead of all, and counts the words of the edited
/// papers instead of every paper's.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Scored {
    /// The papers (their files, in order) and how many related each shows.
    order: u64,
    /// Each paper's fingerprint, as its features were found.
    fingerprints: Vec<u64>,
    /// How many papers have each token, by token.
    df: Vec<(u64, u32)>,
    features: Vec<Vec<(u64, f32)>>,
    related: Vec<Vec<usize>>,
    /// Not as read: worth saving.
    #[serde(skip)]
    changed: bool,
}

impl Scored {
    /// Names its file ([`crate::cache_file`]).
    pub const KIND: &str = "related";
    /// Bumped when the layout, or what the features mean, changes.
    pub const FORMAT: u32 = 2;

    /// Whether it holds `n` papers throughout; a file that does not is not
    /// this site's.
    fn fits(&self, n: usize) -> bool {
        self.fingerprints.len() == n && self.features.len() == n && self.related.len() == n
    }

    /// Whether these differ from the scores they were made from: only then
    /// are they worth saving.
    pub fn changed(&self) -> bool {
        self.changed
    }
}

fn order_of(papers: &[Arc<Paper>], want: usize) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    (want, papers.len()).hash(&mut h);
    for p in papers {
        // The bytes, not the path's components: a tenth of the time.
        p.source.as_os_str().as_encoded_bytes().hash(&mut h);
    }
    h.finish()
}

/// Each paper's features, with what they were found from.
struct Counted {
    /// Token ids with weights: each tag (weighted by rarity) and the
    /// paper's most distinctive words by tf-idf.
    features: Vec<Vec<(u64, f32)>>,
    fingerprints: Vec<u64>,
    /// Sorted by token, so the file is the same whatever the thread count.
    df: Vec<(u64, u32)>,
}

/// The papers' features. With the `earlier` count of the same papers in
/// the same order, the document frequencies are that count with the
/// edited papers' old words taken out and new ones put in, and a paper
/// keeps its earlier features unless it was edited or has a token whose
/// count changed: every other input of its features is as it was.
fn features(papers: &[Arc<Paper>], memo: &mut Memo, earlier: Option<&Scored>) -> Counted {
    let n = papers.len() as f32;
    let docs: Vec<Arc<Doc>> = papers
        .par_iter()
        .map(|paper| match memo.docs.get(&paper.fingerprint) {
            Some(doc) => doc.clone(),
            None => Arc::new(tokenize(paper)),
        })
        .collect();
    let fingerprints: Vec<u64> = papers.iter().map(|p| p.fingerprint).collect();
    // Before the memo forgets the edited papers' old words.
    let updated = earlier.and_then(|e| recounted(e, &fingerprints, &docs, &memo.docs));
    memo.docs = fingerprints
        .iter()
        .copied()
        .zip(docs.iter().cloned())
        .collect();
    let (df, kept) = match (earlier, updated) {
        (Some(earlier), Some((df, changed))) => (df, Some((earlier, changed))),
        _ => (count_all(&docs), None),
    };
    // Each token's idf once, not once per paper that has it; a token only
    // one paper has links no two papers, so it has none.
    let idf: TokenMap<f32> = df
        .iter()
        .filter(|&(_, &df)| df > 1)
        .map(|(&id, &df)| (id, (n / df as f32).ln()))
        .collect();
    let features = docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| match &kept {
            Some((earlier, changed))
                if earlier.fingerprints[i] == fingerprints[i] && !doc.has_any(changed) =>
            {
                earlier.features[i].clone()
            }
            _ => top_features(doc, &idf),
        })
        .collect();
    let mut df: Vec<(u64, u32)> = df.into_iter().collect();
    df.par_sort_unstable();
    Counted {
        features,
        fingerprints,
        df,
    }
}

/// Document frequencies over every paper's tokens.
fn count_all(docs: &[Arc<Doc>]) -> TokenMap<u32> {
    // Counted per thread, then merged: a million lookups at 10,000 papers.
    docs.par_iter()
        .fold(TokenMap::default, |mut df, doc| {
            count(&mut df, doc);
            df
        })
        .reduce(TokenMap::default, |a, b| {
            let (mut a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
            for (id, n) in b {
                *a.entry(id).or_default() += n;
            }
            a
        })
}

/// The `earlier` document frequencies brought up to date for the papers
/// whose fingerprint changed, and the tokens whose count changed. `None`
/// when an edited paper's old words are not in `old_docs`, or the counts
/// do not add up (not the file it claims to be): then all are counted.
fn recounted(
    earlier: &Scored,
    fingerprints: &[u64],
    docs: &[Arc<Doc>],
    old_docs: &TokenMap<Arc<Doc>>,
) -> Option<(TokenMap<u32>, TokenMap<()>)> {
    let mut delta: TokenMap<i64> = TokenMap::default();
    for (i, (&old, &new)) in earlier.fingerprints.iter().zip(fingerprints).enumerate() {
        if old != new {
            for &id in old_docs.get(&old)?.tokens() {
                *delta.entry(id).or_default() -= 1;
            }
            for &id in docs[i].tokens() {
                *delta.entry(id).or_default() += 1;
            }
        }
    }
    let mut df: TokenMap<u32> = earlier.df.iter().copied().collect();
    let mut changed = TokenMap::default();
    for (id, d) in delta.into_iter().filter(|&(_, d)| d != 0) {
        let count = i64::from(df.get(&id).copied().unwrap_or(0)) + d;
        match u32::try_from(count).ok()? {
            0 => df.remove(&id),
            count => df.insert(id, count),
        };
        changed.insert(id, ());
    }
    Some((df, changed))
}

/// Adds the document's distinct words and tags to the document frequencies.
fn count(df: &mut TokenMap<u32>, doc: &Doc) {
    for &id in doc.tokens() {
        *df.entry(id).or_default() += 1;
    }
}

/// A paper's tags and most distinctive words, weighted by `idf` (which
/// holds only the tokens more than one paper has).
fn top_features(doc: &Doc, idf: &TokenMap<f32>) -> Vec<(u64, f32)> {
    let mut top: Vec<(u64, f32)> = doc
        .words
        .iter()
        .zip(&doc.counts[..])
        .filter_map(|(&id, &count)| {
            let idf = idf.get(&id)?;
            // Most words occur once; ln(1) is exactly 0, so skipping it
            // gives the same bits.
            let tf = if count == 1 {
                1.0
            } else {
                1.0 + f32::from(count).ln()
            };
            Some((id, tf * idf))
        })
        .collect();
    // A total order, so the best few are the same whether the rest are
    // sorted or not; only they are.
    let order = |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if top.len() > TERMS_PER_PAPER {
        top.select_nth_unstable_by(TERMS_PER_PAPER - 1, order);
        top.truncate(TERMS_PER_PAPER);
    }
    top.sort_unstable_by(order);
    top.extend(
        doc.tags
            .iter()
            .filter_map(|id| Some((*id, TAG_WEIGHT * idf.get(id)?.max(0.1)))),
    );
    // Kept for the whole build (and saved): without this each paper holds
    // room for all its words, 1.9 KB at 10,000 papers, a seventh of the
    // build's peak heap.
    top.shrink_to_fit();
    top
}

/// Maps keyed by tokens or fingerprints: the keys are xxh3 hashes already,
/// so hashing them again (std's SipHash) would only cost time; the df count
/// alone does a million lookups at 10,000 papers.
pub(super) type TokenMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<PreHashed>>;

#[derive(Default)]
pub(super) struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else in anyway.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A paper's distinct words, sorted, with how often each occurs (at most
/// `u16::MAX`), and its distinct tags. Parallel arrays rather than pairs:
/// a million papers hold around a hundred words each, and a pair would pad
/// a 2-byte count to 8.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Doc {
    words: Box<[u64]>,
    counts: Box<[u16]>,
    tags: Box<[u64]>,
}

/// Tokenised papers by fingerprint: an edit re-tokenises one paper, not all
/// of them. `serve` keeps it between builds; `build` keeps it in the parse
/// cache (see [`super::Memo::export`]).
#[derive(Default)]
pub(super) struct Memo {
    pub(super) docs: TokenMap<Arc<Doc>>,
    pub(super) scored: Option<Scored>,
}

impl Doc {
    /// Its distinct words, then its tags.
    fn tokens(&self) -> impl Iterator<Item = &u64> {
        self.words.iter().chain(&self.tags[..])
    }

    fn has_any(&self, tokens: &TokenMap<()>) -> bool {
        !tokens.is_empty() && self.tokens().any(|id| tokens.contains_key(id))
    }
}

fn tokenize(paper: &Paper) -> Doc {
    let mut all: Vec<u64> = Vec::new();
    for text in [&paper.title, &paper.body.text()] {
        each_word(text, |w| all.push(w));
    }
    all.sort_unstable();
    let mut words: Vec<u64> = Vec::new();
    let mut counts: Vec<u16> = Vec::new();
    for w in all {
        match (words.last(), counts.last_mut()) {
            (Some(last), Some(count)) if *last == w => *count = count.saturating_add(1),
            _ => {
                words.push(w);
                counts.push(1);
            }
        }
    }
    let mut tags: Vec<u64> = paper.tags.iter().map(|t| tag_token(&slugify(t))).collect();
    tags.sort_unstable();
    tags.dedup();
    Doc {
        words: words.into(),
        counts: counts.into(),
        tags: tags.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::paper;

    fn with_text(slug: &str, date: &str, tags: &[&str], text: &str) -> Paper {
        let mut p = paper(slug, date, tags);
        p.body = crate::parse::Body::new("", text);
        p
    }

    #[test]
    fn shared_tags_and_words_rank_first_and_never_self() {
        let papers = vec![
            with_text(
                "a",
                "2024-01-05",
                &["rl"],
                "offline reinforcement learning with dynamics models",
            ),
            with_text(
                "b",
                "2024-01-04",
                &["rl"],
                "dynamics models for offline reinforcement learning",
            ),
            with_text(
                "c",
                "2024-01-03",
                &["vision"],
                "image segmentation transformers",
            ),
            with_text(
                "d",
                "2024-01-02",
                &["vision"],
                "segmentation of medical image data",
            ),
            with_text("e", "2024-01-01", &["nlp"], "tokenizers for language"),
        ];
        let papers: Vec<Arc<Paper>> = papers.into_iter().map(Arc::new).collect();
        let mut memo = Memo::default();
        let related = super::related(&papers, 5, &mut memo);
        assert_eq!(memo.docs.len(), papers.len());
        assert_eq!(
            related,
            super::related(&papers, 5, &mut memo),
            "from the memo"
        );
        assert_eq!(related[0].first(), Some(&1));
        assert_eq!(related[2].first(), Some(&3));
        for (i, r) in related.iter().enumerate() {
            assert!(!r.contains(&i));
        }
        assert!(related[4].is_empty(), "nothing in common");
    }

    #[test]
    fn words_skip_stopwords_and_short_tokens() {
        let mut w = Vec::new();
        each_word(
            "We propose a NEW method: Q-learning in 2024 via MCTS Ünï",
            |t| w.push(t),
        );
        let expected: Vec<u64> = ["learning", "mcts", "ünï"]
            .iter()
            .map(|t| word_token(t.as_bytes()))
            .collect();
        assert_eq!(w, expected);
    }

    #[test]
    fn kept_scores_give_the_lists_scoring_every_paper_gives() {
        // 400 papers over a small vocabulary: long postings, where only
        // the papers near an edit in them are scored again.
        let seed = std::cell::Cell::new(7u64);
        let next = |n: u64| {
            let s = seed
                .get()
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed.set(s);
            (s >> 33) % n
        };
        let words = |count: usize| -> String {
            (0..count)
                .map(|_| format!("word{:02}", next(40)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut papers: Vec<Paper> = (0..400)
            .map(|i| {
                let mut p = with_text(
                    &format!("p{i:03}"),
                    "2024-01-01",
                    &[["rl", "cv", "nlp"][i % 3]],
                    &words(12),
                );
                p.fingerprint = i as u64;
                p
            })
            .collect();
        let mut memo = Memo::default();
        let arcs = |papers: &[Paper]| papers.iter().cloned().map(Arc::new).collect::<Vec<_>>();
        super::related(&arcs(&papers), 5, &mut memo);
        let mut fingerprint = 1000;
        for round in 0..30 {
            // One to three papers edited: words, and now and then a tag.
            for _ in 0..=round % 3 {
                let i = next(400) as usize;
                papers[i].body = crate::parse::Body::new("", &words(4 + round % 9));
                if round % 4 == 0 {
                    papers[i].tags = ["bio"].into();
                }
                fingerprint += 1;
                papers[i].fingerprint = fingerprint;
            }
            let kept = super::related(&arcs(&papers), 5, &mut memo);
            let mut fresh_memo = Memo::default();
            let fresh = super::related(&arcs(&papers), 5, &mut fresh_memo);
            assert_eq!(kept, fresh, "round {round}");
            // What the next build starts from, too: counted from the edits
            // alone, it is what counting every paper gives.
            let (a, b) = (memo.scored.as_ref().unwrap(), fresh_memo.scored.unwrap());
            assert_eq!(a.df, b.df, "round {round}");
            assert_eq!(a.fingerprints, b.fingerprints, "round {round}");
            let bits = |s: &Scored| -> Vec<Vec<(u64, u32)>> {
                let f = s.features.iter();
                f.map(|f| f.iter().map(|&(t, w)| (t, w.to_bits())).collect())
                    .collect()
            };
            assert_eq!(bits(a), bits(&b), "round {round}");
        }
        let scored = memo.scored.as_ref().unwrap();
        assert!(scored.changed());
        // Other papers, or another order: scored from scratch.
        papers.swap(0, 1);
        assert_eq!(
            super::related(&arcs(&papers), 5, &mut memo),
            super::related(&arcs(&papers), 5, &mut Memo::default())
        );
    }
}
