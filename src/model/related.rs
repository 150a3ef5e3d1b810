//! "Related papers", chosen at build time from shared tags and abstract
//! words. Each paper's few most distinctive words (tf-idf) and its tags
//! vote for other papers; postings are scanned only in a window of papers
//! near in date, so the cost stays linear in the number of papers.

use std::collections::HashMap;

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

/// Lowercase words of three or more letters or digits, stopwords removed.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()) && !w.chars().all(|c| c.is_ascii_digit()))
}

/// For each paper (by index), up to `want` related papers, best first.
pub fn related(papers: &[Paper], want: usize) -> Vec<Vec<usize>> {
    let n = papers.len();
    if n < 2 || want == 0 {
        return vec![Vec::new(); n];
    }
    // Per paper: its (token id, weight) features, tags and top words alike.
    let features = features(papers);
    let mut postings: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        for &(token, _) in f {
            postings.entry(token).or_default().push(i);
        }
    }
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut scores: Vec<(usize, f32)> = Vec::new();
            for &(token, weight) in &features[i] {
                let list = &postings[&token];
                // Lists are in index (date) order; look near this paper.
                let at = list.binary_search(&i).unwrap_or_else(|e| e);
                let lo = at.saturating_sub(WINDOW);
                let hi = (at + WINDOW + 1).min(list.len());
                for &j in &list[lo..hi] {
                    if j != i {
                        scores.push((j, weight));
                    }
                }
            }
            scores.sort_unstable_by_key(|&(j, _)| j);
            let mut summed: Vec<(usize, f32)> = Vec::new();
            for (j, w) in scores {
                match summed.last_mut() {
                    Some((last, total)) if *last == j => *total += w,
                    _ => summed.push((j, w)),
                }
            }
            summed.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            summed.into_iter().take(want).map(|(j, _)| j).collect()
        })
        .collect()
}

/// Token ids with weights: each tag (weighted by rarity) and the paper's
/// most distinctive words by tf-idf. Words are interned to ids so the
/// scoring loop compares integers.
fn features(papers: &[Paper]) -> Vec<Vec<(u32, f32)>> {
    let n = papers.len() as f32;
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut df: Vec<u32> = Vec::new();
    // Per paper: (word id, count) sorted by id, and tag ids.
    struct Doc {
        tf: Vec<(u32, u32)>,
        tags: Vec<u32>,
    }
    let mut docs: Vec<Doc> = Vec::with_capacity(papers.len());
    for paper in papers {
        let mut tf: HashMap<u32, u32> = HashMap::new();
        for word in words(&paper.title).chain(words(&paper.body_text)) {
            let next = ids.len() as u32;
            let id = *ids.entry(word).or_insert(next);
            if id as usize == df.len() {
                df.push(0);
            }
            *tf.entry(id).or_default() += 1;
        }
        for &id in tf.keys() {
            df[id as usize] += 1;
        }
        let mut tags: Vec<u32> = Vec::new();
        for tag in &paper.tags {
            let next = ids.len() as u32;
            let id = *ids.entry(format!("#{}", slugify(tag))).or_insert(next);
            if id as usize == df.len() {
                df.push(0);
            }
            if !tags.contains(&id) {
                df[id as usize] += 1;
                tags.push(id);
            }
        }
        let mut tf: Vec<(u32, u32)> = tf.into_iter().collect();
        tf.sort_unstable();
        docs.push(Doc { tf, tags });
    }
    let idf = |id: u32| (n / df[id as usize] as f32).ln();
    docs.into_iter()
        .map(|Doc { tf, tags }| {
            let mut top: Vec<(u32, f32)> = tf
                .into_iter()
                .filter(|&(id, _)| df[id as usize] > 1)
                .map(|(id, count)| (id, (1.0 + (count as f32).ln()) * idf(id)))
                .collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            top.truncate(TERMS_PER_PAPER);
            top.extend(
                tags.into_iter()
                    .filter(|&id| df[id as usize] > 1)
                    .map(|id| (id, TAG_WEIGHT * idf(id).max(0.1))),
            );
            top
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::paper;

    fn with_text(slug: &str, date: &str, tags: &[&str], text: &str) -> Paper {
        let mut p = paper(slug, date, tags);
        p.body_text = text.into();
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
        let related = related(&papers, 5);
        assert_eq!(related[0].first(), Some(&1));
        assert_eq!(related[2].first(), Some(&3));
        for (i, r) in related.iter().enumerate() {
            assert!(!r.contains(&i));
        }
        assert!(related[4].is_empty(), "nothing in common");
    }

    #[test]
    fn words_skip_stopwords_and_short_tokens() {
        let w: Vec<_> = words("We propose a NEW method: Q-learning in 2024 via MCTS").collect();
        assert_eq!(w, ["learning", "mcts"]);
    }
}
