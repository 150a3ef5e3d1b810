//! The search index the browser downloads piece by piece, Pagefind-style:
//! a small `meta.json`, the postings split into fragments by the first
//! letters of their terms (so a query fetches only the fragments its words
//! start with), and the result cards in small chunks fetched for the
//! results actually shown.
//!
//! Papers are numbered in site order (newest first), so "newer first" is
//! "lower number first". Postings are flat arrays `[doc, fields, doc, fields…]`
//! with doc numbers delta-encoded; `fields` is a bit set of where the term
//! occurs (see [`Field`]).

// Keys here are the index's words: millions of lookups per build, where
// std's flood-resistant SipHash costs more than the work. The words come
// from the site's own papers, not from strangers.
use rustc_hash::FxHashMap;

use rayon::prelude::*;

use serde::Serialize;

use super::query::tag_key;
use super::text::{each_word, fold_into};
use crate::model::Site;
use crate::routes::Routes;

/// Where a term occurs; `search.js` ranks title over author, tag and arXiv
/// id over abstract.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Field {
    Abstract = 1,
    Tag = 2,
    Author = 4,
    Arxiv = 8,
    Title = 16,
}

/// A term in more than one paper in this many is stored as bitmaps, one per
/// field it occurs in: for "learning" in most abstracts, 2 bits per paper
/// instead of ~4 bytes.
const DENSE_FRACTION: usize = 16;

/// Papers per card chunk: small, so showing ten results fetches little.
pub const DOCS_PER_CHUNK: usize = 16;
/// A fragment's postings above this many bytes are split by a longer prefix.
const FRAGMENT_BYTES: usize = 48 * 1024;

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    docs: usize,
    docs_per_chunk: usize,
    /// Fragment keys, sorted: a term lives in the fragment whose key is its longest listed prefix.
    fragments: Vec<String>,
    tags: Vec<(&'a str, &'a str, usize)>,
    /// Year → [first doc, last doc + 1].
    years: Vec<(i16, usize, usize)>,
    /// Where fragments and card chunks are, with `{}` for the hex key or
    /// chunk number: `search.js` asks here rather than knowing the layout.
    paths: Paths,
}

#[derive(Serialize)]
struct Paths {
    fragment: String,
    cards: String,
}

/// Chunk `n` of the result cards: papers `n * DOCS_PER_CHUNK` on. Chunks
/// are separate from [`build`] so a build renders (and holds) one at a
/// time, and an edit re-renders only the chunk of the paper it touched.
pub fn card_chunk(cards: &[String]) -> String {
    crate::render::html_safe_json_compact(&cards)
}

/// `(site path, JSON)` files under `search/`: the postings fragments and
/// `meta.json` (the cards are [`card_chunk`]s), from scratch.
pub fn build(site: &Site, routes: Routes) -> Vec<(String, String)> {
    files(site, routes, &Postings::of(site, 0, None))
}

/// [`build`] from the site's postings, made by [`Postings::of`].
pub fn files(site: &Site, routes: Routes, postings: &Postings) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut keys = Vec::new();
    split(
        &postings
            .terms
            .iter()
            .map(|t| (&t.term, &t.encoded))
            .collect::<Vec<_>>(),
        1,
        &mut keys,
        &mut files,
        routes,
    );

    let mut years: Vec<(i16, usize, usize)> = Vec::new();
    for (doc, paper) in site.papers.iter().enumerate() {
        match years.last_mut() {
            Some((y, _, end)) if *y == paper.date.year() => *end = doc + 1,
            _ => years.push((paper.date.year(), doc, doc + 1)),
        }
    }
    let meta = Meta {
        version: 1,
        docs: site.papers.len(),
        docs_per_chunk: DOCS_PER_CHUNK,
        fragments: keys,
        tags: site
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.slug.as_str(), t.papers.len()))
            .collect(),
        years,
        paths: Paths {
            fragment: routes.search_fragment("{}"),
            cards: routes.search_cards_pattern(),
        },
    };
    files.push((routes.search_meta(), crate::render::html_safe_json(&meta)));
    files
}

/// Every term's postings and their encoding, for the papers `docs` names
/// (by fingerprint, in doc order). Kept from one build to the next (in
/// `serve`'s memory, or in a file beside the output for `build`), so an
/// edit tokenises only the papers it changed and encodes only the terms
/// whose lists changed: at 100,000 papers, 2.1 s from scratch.
#[derive(Default, Serialize, serde::Deserialize)]
pub struct Postings {
    /// What else the terms depend on (the program and its settings).
    salt: u64,
    docs: Vec<u64>,
    /// Sorted by term.
    terms: Vec<TermList>,
    /// Not as the earlier postings were.
    #[serde(skip)]
    changed: bool,
    /// What a build starting from the earlier postings instead of these
    /// redoes: papers tokenised plus postings dropped, or `usize::MAX` when
    /// the doc numbering moved (every list is walked then).
    #[serde(skip)]
    redo: usize,
}

/// Postings that differ from the saved ones by less than this much
/// [`Postings::redo`] are not saved: at 100,000 papers the file is 60 MB
/// (610 MB at a million), written for an edit the next build redoes in a
/// millisecond.
const SAVE_AFTER: usize = 32;

#[derive(Serialize, serde::Deserialize)]
struct TermList {
    term: String,
    /// By doc number. As raw bytes in the file: millions of postings,
    /// which a variable-length encoding would decode one by one.
    #[serde(with = "raw_postings")]
    list: Vec<Posting>,
    /// `list` as `search.js` reads it ([`deltas`] or [`bitmaps`]).
    encoded: String,
}

impl Postings {
    /// The postings of `site`'s papers, from `earlier` ones where they were
    /// made with the same `salt`: papers whose fingerprints `earlier` has
    /// keep their terms, renumbered; the rest are tokenised.
    pub fn of(site: &Site, salt: u64, earlier: Option<Postings>) -> Postings {
        let docs: Vec<u64> = site.papers.iter().map(|p| p.fingerprint).collect();
        let mut postings = earlier
            .filter(|e| e.salt == salt)
            .unwrap_or_else(|| Postings {
                salt,
                ..Postings::default()
            });
        if postings.docs == docs {
            postings.changed = false;
            return postings;
        }
        postings.changed = true;
        let number: FxHashMap<u64, u32> = docs
            .iter()
            .enumerate()
            .map(|(doc, &fingerprint)| (fingerprint, doc as u32))
            .collect();
        if number.len() != docs.len() {
            // Two papers with one fingerprint (one file read twice?): their
            // earlier terms cannot be told apart, so start afresh.
            postings = Postings {
                salt,
                changed: true,
                ..Postings::default()
            };
        }
        let renumber: Vec<Option<u32>> = postings
            .docs
            .iter()
            .map(|fingerprint| number.get(fingerprint).copied())
            .collect();
        let known: rustc_hash::FxHashSet<u64> = postings.docs.iter().copied().collect();
        // A doc count change moves every bitmap's end and the dense cut.
        let recount = postings.docs.len() != docs.len();
        let stays = renumber
            .iter()
            .enumerate()
            .all(|(doc, new)| new.is_none_or(|new| new as usize == doc));
        let gone: Vec<u32> = (0..renumber.len() as u32)
            .filter(|&doc| renumber[doc as usize].is_none())
            .collect();
        let mut dirty: Vec<bool> = if stays && !recount && gone.len() <= 64 {
            // Edits in place (the common case): every list keeps its
            // numbering, and the edited papers' old postings are found by
            // binary search rather than by visiting every posting (each
            // removal shifts the rest of its list, so only for a few).
            postings
                .terms
                .par_iter_mut()
                .map(|t| {
                    let before = t.list.len();
                    for &doc in &gone {
                        if let Ok(at) = t.list.binary_search_by_key(&doc, |&p| unpack(p).0) {
                            t.list.remove(at);
                        }
                    }
                    t.list.len() != before
                })
                .collect()
        } else {
            postings
                .terms
                .par_iter_mut()
                .map(|t| {
                    let before = t.list.len();
                    let mut moved = recount;
                    t.list.retain_mut(|p| {
                        let (doc, mask) = unpack(*p);
                        let Some(new) = renumber[doc as usize] else {
                            return false;
                        };
                        moved |= new != doc;
                        *p = posting(new as usize, mask);
                        true
                    });
                    moved || t.list.len() != before
                })
                .collect()
        };
        let tokenised = docs.iter().filter(|f| !known.contains(f)).count();
        postings.redo = if stays && !recount {
            tokenised + gone.len()
        } else {
            usize::MAX
        };
        let fresh = fresh_postings(site, |doc| !known.contains(&docs[doc]));
        // Merge the fresh terms into the sorted list, marking what changed.
        let mut merged: Vec<TermList> = Vec::with_capacity(postings.terms.len() + fresh.len());
        let mut merged_dirty = Vec::with_capacity(merged.capacity());
        let mut fresh = fresh.into_iter().peekable();
        for (mut t, d) in std::mem::take(&mut postings.terms)
            .into_iter()
            .zip(dirty.drain(..))
        {
            while let Some((term, list)) = fresh.next_if(|(term, _)| *term < t.term) {
                merged.push(TermList::new(term, list));
                merged_dirty.push(true);
            }
            let d = match fresh.next_if(|(term, _)| *term == t.term) {
                Some((_, list)) => {
                    t.list.extend(list);
                    true
                }
                None => d,
            };
            merged.push(t);
            merged_dirty.push(d);
        }
        for (term, list) in fresh {
            merged.push(TermList::new(term, list));
            merged_dirty.push(true);
        }
        let count = docs.len();
        merged
            .par_iter_mut()
            .zip(&merged_dirty)
            .filter(|(_, dirty)| **dirty)
            .for_each(|(t, _)| t.encode(count));
        merged.retain(|t| !t.list.is_empty());
        postings.terms = merged;
        postings.docs = docs;
        postings
    }

    /// Whether these postings differ from the earlier ones they were made
    /// from.
    #[cfg(test)]
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// Whether they differ from the earlier ones by enough to be worth
    /// writing over them: any earlier postings give the next build the same
    /// index, at the cost of redoing what they lack.
    pub fn worth_saving(&self) -> bool {
        self.changed && self.redo > SAVE_AFTER
    }
}

impl TermList {
    fn new(term: String, list: Vec<Posting>) -> TermList {
        TermList {
            term,
            list,
            encoded: String::new(),
        }
    }

    fn encode(&mut self, docs: usize) {
        // By doc number: each doc once per term.
        self.list.sort_unstable();
        self.encoded = if self.list.len() * DENSE_FRACTION > docs && docs >= 256 {
            bitmaps(&self.list, docs)
        } else {
            deltas(&self.list)
        };
    }
}

mod raw_postings {
    use super::Posting;
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(list: &[Posting], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = list.iter().flat_map(|p| p.to_le_bytes()).collect();
        s.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Posting>, D::Error> {
        struct Raw;
        impl de::Visitor<'_> for Raw {
            type Value = Vec<Posting>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("postings as 4-byte little-endian numbers")
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Vec<Posting>, E> {
                if !bytes.len().is_multiple_of(4) {
                    return Err(E::invalid_length(bytes.len(), &self));
                }
                Ok(bytes
                    .chunks_exact(4)
                    .map(|b| Posting::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect())
            }
        }
        // Owned bytes: a streaming reader can reuse its scratch for them.
        d.deserialize_byte_buf(Raw)
    }
}

/// Term → postings of the papers `wanted` picks, sorted by term. Papers
/// are tokenised in parallel; the per-thread maps are merged.
fn fresh_postings(
    site: &Site,
    wanted: impl Fn(usize) -> bool + Sync,
) -> Vec<(String, Vec<Posting>)> {
    let postings: FxHashMap<String, Vec<Posting>> = site
        .papers
        .par_iter()
        .enumerate()
        .filter(|(doc, _)| wanted(*doc))
        .fold(
            || (FxHashMap::<String, Vec<Posting>>::default(), String::new()),
            |(mut postings, mut folded), (doc, paper)| {
                for (term, mask) in terms(paper, &mut folded) {
                    let p = posting(doc, mask);
                    match postings.get_mut(term) {
                        Some(list) => list.push(p),
                        None => {
                            postings.insert(term.to_string(), vec![p]);
                        }
                    }
                }
                (postings, folded)
            },
        )
        .map(|(postings, _)| postings)
        .reduce(FxHashMap::default, |a, b| {
            let (mut a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
            for (term, list) in b {
                a.entry(term).or_default().extend(list);
            }
            a
        });
    let mut postings: Vec<(String, Vec<Posting>)> = postings.into_iter().collect();
    postings.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    postings
}

/// A paper number and the fields a term occurs in, packed in 32 bits (the
/// index holds one per word per paper: 15 million at 100,000 papers).
type Posting = u32;
const FIELD_BITS: u32 = 5;

/// Paper numbers above 2^27 (134 million papers) would not fit; no site
/// comes near, and memory would run out first.
fn posting(doc: usize, mask: u8) -> Posting {
    ((doc as u32) << FIELD_BITS) | u32::from(mask)
}

fn unpack(posting: Posting) -> (u32, u8) {
    (
        posting >> FIELD_BITS,
        (posting & ((1 << FIELD_BITS) - 1)) as u8,
    )
}

/// A paper's terms, each with the fields it occurs in. They
/// borrow from `folded`, which holds the paper's folded texts: the index
/// allocates a term only the first time a thread meets it, not once per
/// paper it occurs in.
fn terms<'t>(paper: &crate::parse::Paper, folded: &'t mut String) -> FxHashMap<&'t str, u8> {
    folded.clear();
    // Each field's span of `folded`, split into words on its own.
    let mut spans: Vec<(std::ops::Range<usize>, Field)> = Vec::new();
    let mut add = |text: &str, field: Field, folded: &mut String| {
        let start = folded.len();
        fold_into(text, folded);
        spans.push((start..folded.len(), field));
    };
    add(&paper.title, Field::Title, folded);
    for a in &paper.authors {
        add(a, Field::Author, folded);
    }
    for t in &paper.tags {
        add(t, Field::Tag, folded);
    }
    if let Some(id) = &paper.arxiv {
        add(id, Field::Arxiv, folded);
    }
    add(&paper.body.text(), Field::Abstract, folded);
    // Whole tags, as `#slug` (not split into words).
    let mut keys = Vec::new();
    for t in &paper.tags {
        let key = tag_key(t);
        keys.push(folded.len()..folded.len() + key.len());
        folded.push_str(&key);
    }
    let folded: &'t str = folded;
    // About one distinct term per 16 bytes of text: growing the map as it
    // fills costs more than the words.
    let mut terms: FxHashMap<&'t str, u8> =
        FxHashMap::with_capacity_and_hasher(folded.len() / 16, Default::default());
    for (span, field) in spans {
        each_word(&folded[span], |w| {
            *terms.entry(w).or_default() |= field as u8
        });
    }
    for k in keys {
        terms.insert(&folded[k], Field::Tag as u8);
    }
    terms
}

/// `[doc, fields, doc, fields…]`, doc numbers as differences from the previous.
fn deltas(list: &[Posting]) -> String {
    let mut text = String::with_capacity(list.len() * 6 + 2);
    text.push('[');
    let mut previous = 0;
    // Millions of numbers per index: itoa, not the formatting machinery.
    let mut number = itoa::Buffer::new();
    for (n, (doc, mask)) in list.iter().map(|&p| unpack(p)).enumerate() {
        if n > 0 {
            text.push(',');
        }
        text.push_str(number.format(doc - previous));
        text.push(',');
        text.push_str(number.format(mask));
        previous = doc;
    }
    text.push(']');
    text
}

/// `{"b":{"<field bit>":"<base64 bitmap>",…}}`: bit `d` of a field's bitmap
/// (byte `d / 8`, bit `d % 8`) is set when paper `d` has the term there.
fn bitmaps(list: &[Posting], docs: usize) -> String {
    use base64::Engine;
    // One map per field bit, made when a posting first has that field.
    let mut maps: [Vec<u8>; FIELD_BITS as usize] = Default::default();
    for (doc, mask) in list.iter().map(|&p| unpack(p)) {
        let (byte, bit) = (doc as usize / 8, 1 << (doc % 8));
        for (field, map) in maps.iter_mut().enumerate() {
            if mask & (1 << field) != 0 {
                if map.is_empty() {
                    map.resize(docs.div_ceil(8), 0);
                }
                map[byte] |= bit;
            }
        }
    }
    let fields: Vec<String> = maps
        .iter()
        .enumerate()
        .filter(|(_, map)| !map.is_empty())
        .map(|(field, map)| {
            format!(
                "\"{}\":\"{}\"",
                1u8 << field,
                base64::engine::general_purpose::STANDARD.encode(map)
            )
        })
        .collect();
    format!("{{\"b\":{{{}}}}}", fields.join(","))
}

/// A term and its encoded postings.
type Term<'a> = (&'a String, &'a String);

/// Groups `terms` (sorted) by their first `len` characters into fragments,
/// splitting any group that is too big by one more character.
fn split(
    terms: &[(&String, &String)],
    len: usize,
    keys: &mut Vec<String>,
    files: &mut Vec<(String, String)>,
    routes: Routes,
) {
    let prefix = |t: &str| t.chars().take(len).collect::<String>();
    let mut start = 0;
    while start < terms.len() {
        let key = prefix(terms[start].0);
        let end = start
            + terms[start..]
                .iter()
                .take_while(|(t, _)| prefix(t) == key)
                .count();
        let group = &terms[start..end];
        let size: usize = group.iter().map(|(t, p)| t.len() + p.len() + 4).sum();
        // Terms exactly as long as the key stay here; the rest may split further.
        let (short, long): (Vec<Term>, Vec<Term>) =
            group.iter().partition(|(t, _)| t.chars().count() <= len);
        if size > FRAGMENT_BYTES && !long.is_empty() && len < 12 {
            if !short.is_empty() {
                write_fragment(&key, &short, keys, files, routes);
            }
            split(&long, len + 1, keys, files, routes);
        } else {
            write_fragment(&key, group, keys, files, routes);
        }
        start = end;
    }
}

fn write_fragment(
    key: &str,
    terms: &[(&String, &String)],
    keys: &mut Vec<String>,
    files: &mut Vec<(String, String)>,
    routes: Routes,
) {
    let body: Vec<String> = terms
        .iter()
        .map(|(t, p)| {
            format!(
                "{}:{p}",
                serde_json::to_string(t).expect("strings serialize")
            )
        })
        .collect();
    // File names must be safe on every file system: hex of the key's bytes.
    let name: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    keys.push(key.to_string());
    files.push((
        routes.search_fragment(&name),
        format!("{{{}}}\n", body.join(",")),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::paper;
    use std::collections::BTreeMap;

    #[test]
    fn postings_carry_fields_and_newest_first_numbering() {
        let mut a = paper("a", "2024-02-01", &["RL"]);
        a.title = "Reinforcement learning".into();
        a.authors = ["Jürgen Müller"].into();
        let mut b = paper("b", "2023-01-01", &[]);
        b.body = crate::parse::Body::new("", "reinforcement again");
        let site = Site::new(vec![b, a], false).unwrap();
        let config = crate::render::feeds::tests::config();
        let files: BTreeMap<_, _> = build(&site, Routes::new(&config)).into_iter().collect();
        let meta: serde_json::Value = serde_json::from_str(&files["search/meta.json"]).unwrap();
        assert_eq!(meta["docs"], 2);
        assert_eq!(
            meta["years"],
            serde_json::json!([[2024, 0, 1], [2023, 1, 2]])
        );
        let re = &files["search/f/72.json"];
        // doc 0 (newest) in the title, doc 1 in the abstract.
        assert!(re.contains(r#""reinforcement":[0,16,1,1]"#), "{re}");
        assert!(files["search/f/6d.json"].contains(r#""muller":[0,4]"#));
        assert!(files["search/f/23.json"].contains(r##""#rl":[0,2]"##));
        assert_eq!(meta["paths"]["cards"], "search/cards/{}.json");
        assert_eq!(
            card_chunk(&["<a>".to_string(), "<b>".to_string()]),
            "[\"\\u003ca\\u003e\",\"\\u003cb\\u003e\"]\n"
        );
    }

    #[test]
    fn dense_terms_become_bitmaps() {
        let list: Vec<Posting> = (0..300)
            .map(|d| posting(d, if d == 9 { 17 } else { 1 }))
            .collect();
        let text = bitmaps(&list, 300);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        use base64::Engine;
        let title = base64::engine::general_purpose::STANDARD
            .decode(value["b"]["16"].as_str().unwrap())
            .unwrap();
        assert_eq!(title.len(), 38);
        assert_eq!(title[1], 0b10, "doc 9 is bit 1 of byte 1");
        assert_eq!(deltas(&[posting(3, 1), posting(5, 16)]), "[3,1,2,16]");
        assert_eq!(unpack(posting(123_456, 31)), (123_456, 31));
    }

    #[test]
    fn big_fragments_split_by_longer_prefixes() {
        let terms: Vec<(String, String)> = (0..3000)
            .map(|i| (format!("re{i:05}"), "[0,1]".repeat(10)))
            .collect();
        let refs: Vec<(&String, &String)> = terms.iter().map(|(a, b)| (a, b)).collect();
        let (mut keys, mut files) = (Vec::new(), Vec::new());
        split(
            &refs,
            1,
            &mut keys,
            &mut files,
            Routes::new(&crate::render::feeds::tests::config()),
        );
        assert!(keys.len() > 1, "{keys:?}");
        assert!(
            keys.iter().all(|k| k.starts_with("re") && k.len() > 2),
            "{keys:?}"
        );
        assert!(files.iter().all(|(_, f)| f.len() <= FRAGMENT_BYTES * 2));
    }

    /// A paper whose fingerprint follows its text, as a parsed one's does.
    fn worded(slug: &str, date: &str, words: &str) -> crate::parse::Paper {
        let mut p = paper(slug, date, &["rl"]);
        p.body = crate::parse::Body::new("", words);
        p.fingerprint = crate::parse::fingerprint(slug.as_ref(), &format!("{date} {words}"));
        p
    }

    #[test]
    fn kept_postings_give_the_index_a_fresh_build_gives() {
        let config = crate::render::feeds::tests::config();
        let routes = Routes::new(&config);
        // 300 papers, so common words are bitmaps and the dense cut moves.
        let vocabulary = ["graph", "neural", "offline", "policy", "sparse", "tensor"];
        let mut papers: Vec<(String, String, String)> = (0..300)
            .map(|i| {
                let words: Vec<&str> = (0..3).map(|k| vocabulary[(i * 7 + k * 5) % 6]).collect();
                let date = format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
                (format!("p{i}"), date, format!("{} w{i}", words.join(" ")))
            })
            .collect();
        let site_of = |papers: &[(String, String, String)]| {
            let papers = papers.iter().map(|(s, d, w)| worded(s, d, w)).collect();
            Site::new(papers, false).unwrap()
        };
        type Step = fn(&mut Vec<(String, String, String)>);
        let steps: [(&str, Step); 6] = [
            ("nothing", |_| {}),
            ("an abstract edited", |p| p[10].2 = "quantum graph".into()),
            ("a paper moved by its date", |p| {
                p[20].1 = "2025-06-01".into()
            }),
            ("papers added", |p| {
                p.extend(
                    (0..20).map(|i| (format!("n{i}"), "2024-03-03".into(), "tensor novel".into())),
                )
            }),
            ("papers deleted", |p| {
                p.drain(0..40);
            }),
            ("a word gone from every paper", |p| {
                for x in p.iter_mut() {
                    x.2 = x.2.replace("sparse", "dense");
                }
            }),
        ];
        // As a file holds them: the first ones, never saved again.
        let first = Postings::of(&site_of(&papers), 7, None);
        assert!(first.worth_saving(), "from scratch");
        let saved = postcard::to_allocvec(&first).unwrap();
        let mut kept = Some(first);
        for (what, step) in steps {
            step(&mut papers);
            let site = site_of(&papers);
            let postings = Postings::of(&site, 7, kept.take());
            assert_eq!(postings.changed(), what != "nothing", "{what}");
            let small = ["nothing", "an abstract edited"].contains(&what);
            assert_eq!(postings.worth_saving(), !small, "{what}");
            let index = build(&site, routes);
            assert_eq!(files(&site, routes, &postings), index, "{what}");
            let old = Postings::of(&site, 7, postcard::from_bytes(&saved).ok());
            assert_eq!(files(&site, routes, &old), index, "{what}, from the first");
            kept = Some(postings);
        }
        // Made with other settings: not used.
        let site = site_of(&papers);
        let other = Postings::of(&site, 8, kept);
        assert!(other.changed());
        assert_eq!(files(&site, routes, &other), build(&site, routes));
    }
}
