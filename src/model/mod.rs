//! Stage 3: the site as a whole. Papers in their final order, the tags that
//! group them, and the checks that need every paper at once (unique slugs).

pub mod names;
mod paginate;
mod related;

pub use related::Scored;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

pub use paginate::{Pager, page_count, page_path, pager};

use crate::diagnostic::Diagnostic;
use crate::parse::{NameList, Paper};
use crate::slug::slugify;

/// Everything the renderers need, in render order.
#[derive(Debug)]
pub struct Site {
    /// Newest first; ties broken by title, then slug, so output is stable.
    /// Shared with `serve`'s parse cache, so a rebuild does not copy them.
    pub papers: Vec<Arc<Paper>>,
    /// Sorted by slug.
    pub tags: Vec<Term>,
    /// Sorted by slug; names compared after Unicode normalisation (NFC).
    pub authors: Vec<Term>,
    /// Days with papers, newest first; each day's papers are contiguous.
    pub days: Vec<Day>,
    /// Paper indices by upvotes (most first), then newest, then title.
    pub trending: Vec<usize>,
    /// Per paper, a handful of related papers, best first.
    pub related: Vec<Vec<usize>>,
    /// Saved searches from `site.toml`, in config order: slug, title, matches.
    pub collections: Vec<Term>,
    /// Per paper, the tag and the author each of its names belongs to.
    pub tag_mentions: Mentions,
    pub author_mentions: Mentions,
}

/// Per paper, in the order of its list of names (tags, authors), the index
/// of the [`Term`] each name belongs to: what a page needs of a name (its
/// slug, how many papers it has) without slugifying it again and searching
/// the terms, over a million times when the cards of 100k papers render.
#[derive(Debug, Default)]
pub struct Mentions {
    /// Where each paper's run in `terms` starts; one more for the end.
    starts: Vec<u32>,
    /// [`Mentions::NONE`] for a name with no term (an empty slug).
    terms: Vec<u32>,
}

impl Mentions {
    const NONE: u32 = u32::MAX;

    /// The term of each of paper `i`'s names, in order.
    pub fn of(&self, i: usize) -> impl Iterator<Item = Option<usize>> + '_ {
        let run = match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&start), Some(&end)) => &self.terms[start as usize..end as usize],
            _ => &[],
        };
        run.iter().map(|&t| (t != Self::NONE).then_some(t as usize))
    }
}

/// All papers of one date.
#[derive(Debug)]
pub struct Day {
    pub date: Date,
    /// Indices into [`Site::papers`].
    pub papers: Range<usize>,
}

/// A year or month of papers: a contiguous run, since papers are sorted by date.
#[derive(Debug, PartialEq, Eq)]
pub struct Period {
    /// The year, or the month 1–12.
    pub number: i16,
    pub papers: Range<usize>,
    /// For a year, its months, newest first; empty for a month.
    pub months: Vec<Period>,
}

/// What building a site keeps for the next build of the same site:
/// tokenised abstracts and slugs, which rarely change. `serve` keeps it in
/// memory; `build` keeps each paper's part in the parse cache, through
/// [`Memo::export`] and [`Memo::import`].
#[derive(Default)]
pub struct Memo {
    related: related::Memo,
    /// Name → slug, for tags and authors.
    slugs: FxHashMap<String, String>,
}

/// Leads what [`Memo::export`] gives; bump it when tokenising changes, so
/// a cache from before is not used (it decodes, but would be wrong).
const MEMO_FORMAT: u8 = 1;

impl Memo {
    /// What the memo holds for the paper with `fingerprint`, as bytes to
    /// keep beside its parse; `None` when it holds nothing.
    fn export(&self, fingerprint: u64) -> Option<Vec<u8>> {
        let doc = self.related.docs.get(&fingerprint)?;
        postcard::to_extend(&**doc, vec![MEMO_FORMAT]).ok()
    }

    /// [`Memo::export`] for each of `fingerprints` that `wanted` picks and
    /// `derived` lacks, into `derived`; each paper's part leaves the memo
    /// as it becomes bytes. The two are about the same size, a gigabyte
    /// each at a million papers: exported all at once, both would be held.
    pub fn export_into(
        &mut self,
        fingerprints: &[u64],
        wanted: &(dyn Fn(usize) -> bool + Sync),
        derived: &mut [Option<Vec<u8>>],
    ) {
        const CHUNK: usize = 1 << 14;
        for (c, chunk) in derived.chunks_mut(CHUNK).enumerate() {
            let start = c * CHUNK;
            chunk
                .par_iter_mut()
                .enumerate()
                .filter(|(j, d)| d.is_none() && wanted(start + j))
                .for_each(|(j, d)| *d = self.export(fingerprints[start + j]));
            for (j, d) in chunk.iter().enumerate() {
                if d.is_some() {
                    self.related.docs.remove(&fingerprints[start + j]);
                }
            }
        }
    }

    /// Takes back what [`Memo::export`] gave for the papers with these
    /// fingerprints. Bytes of another format are skipped: those papers
    /// are tokenised again.
    pub fn import(&mut self, kept: Vec<(u64, Box<[u8]>)>) {
        let docs: Vec<(u64, Arc<related::Doc>)> = kept
            .par_iter()
            .filter_map(|(fingerprint, bytes)| {
                let doc = bytes.strip_prefix(&[MEMO_FORMAT])?;
                Some((*fingerprint, Arc::new(postcard::from_bytes(doc).ok()?)))
            })
            .collect();
        self.related.docs.extend(docs);
    }

    /// The related papers' scores of the last build, to keep for the next.
    pub fn scored(&self) -> Option<&Scored> {
        self.related.scored.as_ref()
    }

    /// Scores kept from an earlier build ([`Self::scored`]): used only if
    /// they were made from the same papers in the same order.
    pub fn keep_scored(&mut self, scored: Scored) {
        self.related.scored = Some(scored);
    }
}

/// How many related papers each paper page shows.
pub const RELATED: usize = 5;

/// A tag (or later an author): a name and the papers that carry it.
#[derive(Debug)]
pub struct Term {
    pub slug: String,
    /// The most common spelling among the papers; ties go to the smallest.
    pub name: String,
    /// Indices into [`Site::papers`], newest first.
    pub papers: Vec<usize>,
}

/// `earlier`'s related papers for `papers`, matched by file: each list
/// moved to where its paper and the papers in it are now, papers gone left
/// out, a paper `earlier` lacks with none.
fn moved_related(earlier: &Site, papers: &[Arc<Paper>]) -> Vec<Vec<usize>> {
    let same = earlier.papers.len() == papers.len()
        && earlier
            .papers
            .iter()
            .zip(papers)
            .all(|(a, b)| a.source == b.source);
    if same {
        return earlier.related.clone();
    }
    let now: FxHashMap<&std::path::Path, usize> = papers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.as_path(), i))
        .collect();
    let moved: Vec<Option<usize>> = earlier
        .papers
        .iter()
        .map(|p| now.get(p.source.as_path()).copied())
        .collect();
    let mut related = vec![Vec::new(); papers.len()];
    for (then, list) in earlier.related.iter().enumerate() {
        if let Some(i) = moved[then] {
            related[i] = list.iter().filter_map(|&j| moved[j]).collect();
        }
    }
    related
}

impl Site {
    /// Orders papers, drops drafts unless asked for, and groups tags.
    /// Two papers with one slug are an error naming both files.
    pub fn new(papers: Vec<Paper>, include_drafts: bool) -> Result<Site, Vec<Diagnostic>> {
        let papers = papers.into_iter().map(Arc::new).collect();
        Site::new_with(papers, include_drafts, &mut Memo::default())
    }

    /// [`Site::new`], reusing what `memo` kept from an earlier site.
    pub fn new_with(
        papers: Vec<Arc<Paper>>,
        include_drafts: bool,
        memo: &mut Memo,
    ) -> Result<Site, Vec<Diagnostic>> {
        Site::new_reusing(papers, include_drafts, memo, None).map(|(site, _)| site)
    }

    /// [`Site::new_with`], but with `earlier` its related papers are taken
    /// instead of computed (moved to where each paper is now; a paper new
    /// since has none), and the flag says so: they may be stale, and a
    /// later [`Site::new_with`] must bring them up to date. That is
    /// `serve`'s way of reloading after an edit to one paper's tags, or an
    /// added or deleted paper, before related papers are recomputed (most
    /// of the model's time).
    pub fn new_reusing(
        mut papers: Vec<Arc<Paper>>,
        include_drafts: bool,
        memo: &mut Memo,
        earlier: Option<&Site>,
    ) -> Result<(Site, bool), Vec<Diagnostic>> {
        papers.retain(|p| include_drafts || !p.draft);
        // Sorting indices, then moving each paper once, is much cheaper than
        // swapping whole papers around during the sort.
        let mut order: Vec<usize> = (0..papers.len()).collect();
        // Each paper's date and title opening side by side, so most
        // comparisons read neither paper (at 100k papers, 14-22 ms instead
        // of 70-120).
        let keys: Vec<(Date, u64)> = papers.iter().map(|p| (p.date, opening(&p.title))).collect();
        order.par_sort_by(|&a, &b| {
            (keys[b].0.cmp(&keys[a].0))
                .then(keys[a].1.cmp(&keys[b].1))
                .then_with(|| newest_first(&papers[a], &papers[b]))
        });
        let mut slots: Vec<Option<Arc<Paper>>> = papers.into_iter().map(Some).collect();
        let papers: Vec<Arc<Paper>> = order
            .into_iter()
            .map(|i| slots[i].take().expect("each index once"))
            .collect();
        let errors = duplicate_slugs(&papers);
        if !errors.is_empty() {
            return Err(errors);
        }
        let slugs = &memo.slugs;
        let (((tags, tag_slugs, tag_mentions), (authors, author_slugs, author_mentions)), related) =
            rayon::join(
                || {
                    rayon::join(
                        || group_terms(&papers, |p| &p.tags, slugs),
                        || group_terms(&papers, |p| &p.authors, slugs),
                    )
                },
                || match earlier {
                    Some(earlier) => moved_related(earlier, &papers),
                    None => related::related(&papers, RELATED, &mut memo.related),
                },
            );
        memo.slugs.extend(tag_slugs.into_iter().chain(author_slugs));
        let tags = tags
            .into_iter()
            .map(|t| Term {
                name: tag_name(&t.name).into_owned(),
                ..t
            })
            .collect();
        let days = days(&papers);
        let mut trending: Vec<usize> = (0..papers.len()).collect();
        // Papers are already newest first, then by title: a stable sort on
        // upvotes keeps that as the tie-break.
        trending.sort_by_key(|&i| std::cmp::Reverse(papers[i].upvotes));
        let site = Site {
            papers,
            tags,
            authors,
            days,
            trending,
            related,
            collections: Vec::new(),
            tag_mentions,
            author_mentions,
        };
        Ok((site, earlier.is_some()))
    }

    /// Puts `paper` in place of paper `i` when that changes nothing but the
    /// paper itself: same file, slug, date, draft state, tags, authors and
    /// upvotes, still in order between its neighbours, in the same saved
    /// searches. Then every list, term and page number stays valid, and
    /// only the pages that show paper `i` change. That is `serve`'s fast
    /// path for the common edit (an abstract, a title). Related papers are
    /// left as they were: they depend on word counts over every paper, and
    /// `serve` recomputes them right after the reload.
    ///
    /// Returns the old paper, or gives `paper` back if the edit changes
    /// more than the paper (the site is then untouched).
    pub fn replace(
        &mut self,
        i: usize,
        paper: Arc<Paper>,
        collections: &[crate::config::Collection],
    ) -> Result<Arc<Paper>, Arc<Paper>> {
        let Some(old) = self.papers.get(i) else {
            return Err(paper);
        };
        let same_place =
            old.source == paper.source
                && old.slug == paper.slug
                && old.date == paper.date
                && old.draft == paper.draft
                && old.tags == paper.tags
                && old.authors == paper.authors
                && old.upvotes == paper.upvotes
                && i.checked_sub(1).is_none_or(|newer| {
                    newest_first(&self.papers[newer], &paper) == std::cmp::Ordering::Less
                })
                && self
                    .papers
                    .get(i + 1)
                    .is_none_or(|older| newest_first(&paper, older) == std::cmp::Ordering::Less)
                && self.collections.iter().zip(collections).all(|(term, c)| {
                    term.papers.binary_search(&i).is_ok() == c.query.matches(&paper)
                });
        if !same_place || self.collections.len() != collections.len() {
            return Err(paper);
        }
        Ok(std::mem::replace(&mut self.papers[i], paper))
    }

    /// Evaluates the saved searches against the papers.
    pub fn with_collections(mut self, collections: &[crate::config::Collection]) -> Site {
        self.collections = collections
            .iter()
            .map(|c| Term {
                slug: c.slug.clone(),
                name: c.title.clone(),
                papers: (0..self.papers.len())
                    .filter(|&i| c.query.matches(&self.papers[i]))
                    .collect(),
            })
            .collect();
        self
    }

    /// Years with papers, newest first, each with its months.
    pub fn archive(&self) -> Vec<Period> {
        let mut years: Vec<Period> = Vec::new();
        for (i, paper) in self.papers.iter().enumerate() {
            let (year, month) = (paper.date.year(), i16::from(paper.date.month()));
            if years.last().is_none_or(|y| y.number != year) {
                years.push(Period {
                    number: year,
                    papers: i..i,
                    months: Vec::new(),
                });
            }
            let y = years.last_mut().expect("pushed above");
            y.papers.end = i + 1;
            if y.months.last().is_none_or(|m| m.number != month) {
                y.months.push(Period {
                    number: month,
                    papers: i..i,
                    months: Vec::new(),
                });
            }
            y.months.last_mut().expect("pushed above").papers.end = i + 1;
        }
        years
    }

    /// The older and newer neighbours of paper `i` in date order.
    pub fn neighbours(&self, i: usize) -> (Option<usize>, Option<usize>) {
        let older = (i + 1 < self.papers.len()).then_some(i + 1);
        let newer = i.checked_sub(1);
        (older, newer)
    }

    /// The tag of each of paper `i`'s tags, in its order (`None` for a
    /// tag whose slug is empty).
    pub fn tags_of(&self, i: usize) -> impl Iterator<Item = Option<&Term>> {
        self.tag_mentions.of(i).map(|t| t.map(|t| &self.tags[t]))
    }

    /// The author of each of paper `i`'s authors, in its order (`None` for
    /// a name whose slug is empty).
    pub fn authors_of(&self, i: usize) -> impl Iterator<Item = Option<&Term>> {
        self.author_mentions
            .of(i)
            .map(|t| t.map(|t| &self.authors[t]))
    }
}

/// The site's order: newest first; ties broken by title, then slug, then
/// file, so the order is total and output stable.
/// The first eight bytes of `text` as a number that orders as they do.
fn opening(text: &str) -> u64 {
    let mut bytes = [0; 8];
    let n = text.len().min(8);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

fn newest_first(a: &Paper, b: &Paper) -> std::cmp::Ordering {
    b.date
        .cmp(&a.date)
        .then_with(|| a.title.cmp(&b.title))
        .then_with(|| a.slug.cmp(&b.slug))
        .then_with(|| a.source.cmp(&b.source))
}

fn duplicate_slugs(papers: &[Arc<Paper>]) -> Vec<Diagnostic> {
    // Sorted (slug, position) pairs put each slug's papers side by side,
    // in site order; a parallel sort is several times cheaper than a map
    // of 100,000 slugs built on one thread.
    let mut by_slug: Vec<(&str, usize)> = papers
        .iter()
        .enumerate()
        .map(|(i, p)| (p.slug.as_str(), i))
        .collect();
    by_slug.par_sort_unstable();
    let mut errors = Vec::new();
    let groups = by_slug.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1);
    for group in groups {
        let slug = group[0].0;
        let group: Vec<&Paper> = group.iter().map(|&(_, i)| &*papers[i]).collect();
        let mut files: Vec<_> = group
            .iter()
            .map(|p| p.source.display().to_string())
            .collect();
        files.sort();
        let message = format!(
            "the slug `{slug}` is taken by {} files: {}",
            files.len(),
            files.join(", ")
        );
        for p in group {
            errors.push(Diagnostic::error(&p.source, message.clone()).with_help(
                "give one of them a different file name or a `slug:` in its front matter",
            ));
        }
    }
    errors
}

fn days(papers: &[Arc<Paper>]) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for (i, paper) in papers.iter().enumerate() {
        match days.last_mut() {
            Some(day) if day.date == paper.date => day.papers.end = i + 1,
            _ => days.push(Day {
                date: paper.date,
                papers: i..i + 1,
            }),
        }
    }
    days
}

/// A trending page's period, counted back from the newest paper's date (not
/// the build's clock, so a build is reproducible and an old site's "this
/// week" is its last week).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Window {
    Week,
    Month,
    All,
}

impl Window {
    pub const ALL: [Window; 3] = [Window::Week, Window::Month, Window::All];

    /// How many days back from the newest date the window reaches.
    pub fn days(self) -> Option<i64> {
        match self {
            Window::Week => Some(7),
            Window::Month => Some(30),
            Window::All => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Window::Week => "This week",
            Window::Month => "This month",
            Window::All => "All time",
        }
    }
}

impl Site {
    /// [`Site::trending`] limited to `window`: most upvoted first.
    pub fn trending_in(&self, window: Window) -> Vec<usize> {
        let (Some(days), Some(newest)) = (window.days(), self.papers.first()) else {
            return self.trending.clone();
        };
        let since = newest
            .date
            .checked_sub(jiff::Span::new().days(days - 1))
            .unwrap_or(jiff::civil::Date::MIN);
        self.trending
            .iter()
            .copied()
            .filter(|&i| self.papers[i].date >= since)
            .collect()
    }
}

/// How a tag's name reads on pages and in feed titles: a spelling written
/// as a slug (`reward-modeling`, as imports and the example site write
/// them) reads as words (`reward modeling`); any other is kept as written.
pub fn tag_name(spelling: &str) -> std::borrow::Cow<'_, str> {
    let slug_form = spelling.contains('-')
        && spelling
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if slug_form {
        spelling
            .split('-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .into()
    } else {
        spelling.into()
    }
}

/// Groups papers by a list of names (tags, authors), and says which term
/// each mention belongs to. Names whose slug is empty get no page; the
/// parser has already reported tags like that. Slugs come from `known`
/// where present; the others are returned.
fn group_terms(
    papers: &[Arc<Paper>],
    names: impl Fn(&Paper) -> &NameList + Sync,
    known: &FxHashMap<String, String>,
) -> (Vec<Term>, Vec<(String, String)>, Mentions) {
    // Spelling → papers, first; names repeat across papers, so each
    // spelling is slugified once (in parallel) rather than per mention.
    // Counted per thread over runs of papers, then merged: at 100k papers
    // with many authors each that is over a million mentions.
    let by_name: FxHashMap<&str, Vec<usize>> = papers
        .par_iter()
        .enumerate()
        // Few runs: each merge walks a map of every name its runs had.
        .with_min_len(papers.len() / (2 * rayon::current_num_threads()) + 1)
        .fold(
            FxHashMap::default,
            |mut by_name: FxHashMap<&str, Vec<usize>>, (i, paper)| {
                for name in names(paper) {
                    let members = by_name.entry(name).or_default();
                    if members.last() != Some(&i) {
                        members.push(i);
                    }
                }
                by_name
            },
        )
        .reduce(FxHashMap::default, |a, b| {
            let (mut a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
            for (name, members) in b {
                // Runs hold different papers: no paper is counted twice.
                a.entry(name).or_default().extend(members);
            }
            a
        });
    let slugged: Vec<(String, bool, &str, Vec<usize>)> = by_name
        .into_par_iter()
        .map(|(name, members)| match known.get(name) {
            Some(slug) => (slug.clone(), false, name, members),
            None => (slugify(name), true, name, members),
        })
        .collect();
    let fresh: Vec<(String, String)> = slugged
        .iter()
        .filter(|(_, new, _, _)| *new)
        .map(|(slug, _, name, _)| (name.to_string(), slug.clone()))
        .collect();
    // slug → spellings with their papers
    let mut groups: BTreeMap<String, Vec<(&str, Vec<usize>)>> = BTreeMap::new();
    for (slug, _, name, members) in slugged {
        if !slug.is_empty() {
            groups.entry(slug).or_default().push((name, members));
        }
    }
    // Terms come out in the order of `groups`.
    let term_of: FxHashMap<&str, u32> = groups
        .values()
        .enumerate()
        .flat_map(|(t, spellings)| spellings.iter().map(move |(name, _)| (*name, t as u32)))
        .collect();
    // Each paper read once, in parallel runs joined in order.
    let runs: Vec<(Vec<u32>, Vec<u32>)> = papers
        .par_chunks(4096)
        .map(|chunk| {
            let mut lens = Vec::with_capacity(chunk.len());
            let mut terms = Vec::with_capacity(chunk.len() * 4);
            for paper in chunk {
                let before = terms.len();
                terms.extend(
                    (names(paper).into_iter())
                        .map(|name| term_of.get(name).copied().unwrap_or(Mentions::NONE)),
                );
                lens.push((terms.len() - before) as u32);
            }
            (lens, terms)
        })
        .collect();
    let mut mentions = Mentions {
        starts: Vec::with_capacity(papers.len() + 1),
        terms: Vec::with_capacity(runs.iter().map(|(_, t)| t.len()).sum()),
    };
    mentions.starts.push(0);
    for (lens, terms) in runs {
        for len in lens {
            let start = mentions.starts.last().copied().unwrap_or(0);
            // Memory runs out long before 4 billion names.
            let end = start.checked_add(len).expect("fewer than 4 billion names");
            mentions.starts.push(end);
        }
        mentions.terms.extend(terms);
    }
    let terms = groups
        .into_par_iter()
        .map(|(slug, spellings)| {
            // The most common spelling; ties go to the smallest.
            let name = spellings
                .iter()
                .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(a.0)))
                .map(|(name, _)| name.to_string())
                .unwrap_or_default();
            let mut papers: Vec<usize> = spellings.into_iter().flat_map(|(_, m)| m).collect();
            papers.sort_unstable();
            papers.dedup();
            Term { slug, name, papers }
        })
        .collect();
    (terms, fresh, mentions)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn the_memo_comes_back_from_its_bytes_and_other_formats_are_skipped() {
        let papers: Vec<Arc<Paper>> = ["a", "b"]
            .iter()
            .enumerate()
            .map(|(i, slug)| {
                let mut p = paper(slug, "2024-01-02", &["rl"]);
                p.body = crate::parse::Body::new("", "offline reinforcement learning");
                p.fingerprint = i as u64;
                Arc::new(p)
            })
            .collect();
        let mut memo = Memo::default();
        let site = Site::new_with(papers.clone(), false, &mut memo).unwrap();
        let kept: Vec<(u64, Box<[u8]>)> = (0..2)
            .map(|f| (f, memo.export(f).unwrap().into()))
            .collect();
        assert!(memo.export(7).is_none());
        let mut back = Memo::default();
        back.import(kept.clone());
        assert_eq!(back.related.docs.len(), 2);
        assert_eq!(back.related.docs[&0], memo.related.docs[&0]);
        let again = Site::new_with(papers, false, &mut back).unwrap();
        assert_eq!(again.related, site.related);

        let mut foreign = Memo::default();
        let mut bytes = kept[0].1.to_vec();
        bytes[0] = MEMO_FORMAT + 1;
        foreign.import(vec![(0, bytes.into()), (1, Box::from(&[MEMO_FORMAT][..]))]);
        assert!(foreign.related.docs.is_empty());
    }

    proptest::proptest! {
        /// Where two openings differ, they order as the whole texts do.
        #[test]
        fn openings_order_as_the_texts_do(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            let (x, y) = (opening(&a), opening(&b));
            proptest::prop_assert!(x == y || x.cmp(&y) == a.cmp(&b), "{a:?} {b:?}");
            proptest::prop_assert!(a != b || x == y);
        }
    }

    pub(crate) fn paper(slug: &str, date: &str, tags: &[&str]) -> Paper {
        Paper {
            source: PathBuf::from(format!("content/papers/{slug}.md")),
            slug: slug.into(),
            title: slug.to_uppercase(),
            title_html: slug.to_uppercase(),
            title_text: slug.to_uppercase(),
            date: date.parse().unwrap(),
            authors: NameList::default(),
            tags: tags.iter().collect(),
            arxiv: None,
            doi: None,
            url: None,
            pdf: None,
            code: None,
            thumbnail: None,
            listed: None,
            venue: None,
            upvotes: 0,
            draft: false,
            body: Default::default(),
            fingerprint: crate::parse::fingerprint(std::path::Path::new(slug), date),
        }
    }

    #[test]
    fn newest_first_with_title_tie_break() {
        let site = Site::new(
            vec![
                paper("b", "2024-01-01", &[]),
                paper("a", "2024-01-01", &[]),
                paper("c", "2025-01-01", &[]),
            ],
            false,
        )
        .unwrap();
        let order: Vec<_> = site.papers.iter().map(|p| p.slug.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"]);
    }

    #[test]
    fn drafts_only_on_request() {
        let mut d = paper("d", "2024-01-01", &[]);
        d.draft = true;
        assert_eq!(Site::new(vec![d.clone()], false).unwrap().papers.len(), 0);
        assert_eq!(Site::new(vec![d], true).unwrap().papers.len(), 1);
    }

    #[test]
    fn tags_merge_by_slug_and_pick_common_spelling() {
        let site = Site::new(
            vec![
                paper("a", "2024-01-03", &["C++"]),
                paper("b", "2024-01-02", &["c++"]),
                paper("c", "2024-01-01", &["c++", "RL"]),
            ],
            false,
        )
        .unwrap();
        let tags: Vec<_> = site
            .tags
            .iter()
            .map(|t| (t.slug.as_str(), t.name.as_str(), t.papers.clone()))
            .collect();
        assert_eq!(
            tags,
            [("c-plus-plus", "c++", vec![0, 1, 2]), ("rl", "RL", vec![2])]
        );
    }

    #[test]
    fn days_trending_and_neighbours() {
        let mut papers = vec![
            paper("a", "2024-01-03", &[]),
            paper("b", "2024-01-01", &[]),
            paper("c", "2024-01-01", &[]),
        ];
        papers[1].upvotes = 5;
        papers[2].upvotes = 5;
        let site = Site::new(papers, false).unwrap();
        let days: Vec<_> = site
            .days
            .iter()
            .map(|d| (d.date.to_string(), d.papers.clone()))
            .collect();
        assert_eq!(
            days,
            [
                ("2024-01-03".to_string(), 0..1),
                ("2024-01-01".to_string(), 1..3)
            ]
        );
        let trending: Vec<_> = site
            .trending
            .iter()
            .map(|&i| site.papers[i].slug.as_str())
            .collect();
        assert_eq!(trending, ["b", "c", "a"], "upvotes, then date, then title");
        assert_eq!(site.neighbours(0), (Some(1), None));
        let archive = site.archive();
        assert_eq!(archive.len(), 1);
        assert_eq!((archive[0].number, archive[0].papers.clone()), (2024, 0..3));
        assert_eq!(archive[0].months.len(), 1);
        assert_eq!(site.neighbours(2), (None, Some(1)));
    }

    #[test]
    fn authors_in_different_normal_forms_are_one() {
        let mut a = paper("a", "2024-01-02", &[]);
        a.authors = ["Zoë Ng", "Zoë Ng"].into();
        let mut b = paper("b", "2024-01-01", &[]);
        b.authors = ["Zoe\u{308} Ng"].into();
        let site = Site::new(vec![a, b], false).unwrap();
        assert_eq!(site.authors.len(), 1);
        assert_eq!(site.authors[0].slug, "zoe-ng");
        assert_eq!(site.authors[0].papers, [0, 1], "listed once per paper");
    }

    /// Each name of each paper finds the term that slugifying it and
    /// searching the terms finds, in the paper's order.
    #[test]
    fn mentions_name_the_term_each_name_belongs_to() {
        let mut papers = Vec::new();
        for (i, (authors, tags)) in [
            (&["Zoë Ng", "Ada Lovelace", "!!!"][..], &["RL", "ml"][..]),
            (&["Zoe\u{308} Ng"], &[]),
            (&[], &["ml", "Offline RL"]),
            (&["ada lovelace", "Bo"], &["rl"]),
        ]
        .into_iter()
        .enumerate()
        {
            let mut p = paper(&format!("p{i}"), &format!("2024-01-0{}", 9 - i), tags);
            p.authors = authors.iter().collect();
            papers.push(p);
        }
        let site = Site::new(papers, false).unwrap();
        for (i, paper) in site.papers.iter().enumerate() {
            let found = |names: &NameList, terms: &[Term], of: Vec<Option<&Term>>| {
                let expected: Vec<Option<&str>> = names
                    .iter()
                    .map(|n| {
                        let slug = slugify(n);
                        terms
                            .iter()
                            .find(|t| t.slug == slug)
                            .map(|t| t.slug.as_str())
                    })
                    .collect();
                let got: Vec<Option<&str>> =
                    of.iter().map(|t| t.map(|t| t.slug.as_str())).collect();
                assert_eq!(got, expected, "paper {i}");
            };
            found(&paper.authors, &site.authors, site.authors_of(i).collect());
            found(&paper.tags, &site.tags, site.tags_of(i).collect());
        }
        assert_eq!(site.authors_of(0).count(), 3);
        assert!(
            matches!(site.authors_of(0).nth(2), Some(None)),
            "!!! has no slug"
        );
        assert_eq!(site.authors_of(9).count(), 0, "no such paper");
    }

    #[test]
    fn replace_accepts_only_edits_that_keep_the_site_shape() {
        let make = |slug: &str, date: &str| {
            let mut p = paper(slug, date, &["rl"]);
            p.authors = ["Ada"].into();
            p
        };
        let mut site = Site::new(
            vec![
                make("a", "2024-01-03"),
                make("b", "2024-01-02"),
                make("c", "2024-01-02"),
            ],
            false,
        )
        .unwrap();
        let mut edited = make("b", "2024-01-02");
        edited.body = crate::parse::Body::new("", "new words");
        edited.title = "BB".into();
        let old = site.replace(1, Arc::new(edited), &[]).unwrap();
        assert_eq!(old.body.text(), "");
        assert_eq!(site.papers[1].body.text(), "new words");

        let refused = |site: &mut Site, change: &dyn Fn(&mut Paper)| {
            let mut p = make("b", "2024-01-02");
            change(&mut p);
            let before = site.papers[1].clone();
            assert!(site.replace(1, Arc::new(p), &[]).is_err());
            assert!(Arc::ptr_eq(&before, &site.papers[1]), "left untouched");
        };
        refused(&mut site, &|p| p.date = "2024-01-04".parse().unwrap());
        refused(&mut site, &|p| {
            p.tags = p.tags.iter().chain(["new"]).collect()
        });
        refused(&mut site, &|p| p.authors = Default::default());
        refused(&mut site, &|p| p.upvotes = 9);
        refused(&mut site, &|p| p.slug = "other".into());
        // "c" has the same date; the title decides, and now puts "b" after it.
        refused(&mut site, &|p| p.title = "D".into());
        assert!(
            site.replace(7, Arc::new(make("z", "2024-01-01")), &[])
                .is_err()
        );
    }

    #[test]
    fn related_papers_are_reused_and_moved_with_their_papers() {
        let mut papers = vec![
            paper("a", "2024-01-03", &["x"]),
            paper("b", "2024-01-02", &["x"]),
            paper("c", "2024-01-01", &["y"]),
        ];
        let mut memo = Memo::default();
        let arcs = |papers: &[Paper]| papers.iter().cloned().map(Arc::new).collect();
        let mut earlier = Site::new_with(arcs(&papers), false, &mut memo).unwrap();
        earlier.related = vec![vec![2], vec![], vec![0]];
        // A tag edit: same papers, same order; the earlier lists stand.
        papers[2].tags = ["x"].into();
        let (site, reused) =
            Site::new_reusing(arcs(&papers), false, &mut memo, Some(&earlier)).unwrap();
        assert!(reused);
        assert_eq!(site.related, earlier.related);
        // Paper c moves to the top, b is deleted and d added: each list
        // follows its papers, and d has none until computed.
        papers[2].date = "2024-01-04".parse().unwrap();
        papers[1] = paper("d", "2024-01-05", &["x"]);
        let (site, reused) =
            Site::new_reusing(arcs(&papers), false, &mut memo, Some(&earlier)).unwrap();
        assert!(reused);
        let slugs: Vec<&str> = site.papers.iter().map(|p| p.slug.as_str()).collect();
        assert_eq!(slugs, ["d", "c", "a"]);
        assert_eq!(site.related, [vec![], vec![2], vec![1]]);
        // Without an earlier site they are computed.
        let (site, reused) = Site::new_reusing(arcs(&papers), false, &mut memo, None).unwrap();
        assert!(!reused);
        assert_ne!(site.related[0], Vec::<usize>::new());
    }

    #[test]
    fn duplicate_slugs_name_both_files() {
        let mut b = paper("x", "2024-01-01", &[]);
        b.source = PathBuf::from("content/papers/other.md");
        let errors = Site::new(vec![paper("x", "2024-01-02", &[]), b], false).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].message.contains("content/papers/other.md"));
        assert!(errors[0].message.contains("content/papers/x.md"));
    }
}
