//! arXiv API results: an Atom feed whose entries carry `arxiv:` extensions.

use serde::Deserialize;

use super::{Rejected, arxiv_from_url, bare_doi, date_of};
use crate::scaffold::NewPaper;

#[derive(Deserialize)]
struct Feed {
    #[serde(rename = "entry", default)]
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    id: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(rename = "author", default)]
    authors: Vec<Author>,
    #[serde(rename = "doi", alias = "arxiv:doi", default)]
    doi: Option<String>,
    #[serde(rename = "journal_ref", alias = "arxiv:journal_ref", default)]
    journal_ref: Option<String>,
    #[serde(rename = "category", default)]
    categories: Vec<Category>,
}

#[derive(Deserialize)]
struct Author {
    name: String,
}

#[derive(Deserialize)]
struct Category {
    #[serde(rename = "@term")]
    term: String,
}

pub fn parse(text: &str) -> Result<Vec<Result<NewPaper, Rejected>>, String> {
    let feed: Feed =
        quick_xml::de::from_str(text).map_err(|e| format!("not an arXiv API Atom feed: {e}"))?;
    Ok(feed
        .entries
        .into_iter()
        .map(|e| {
            let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            Ok(NewPaper {
                title: collapse(&e.title),
                date: date_of(&e.published),
                authors: e.authors.into_iter().map(|a| collapse(&a.name)).collect(),
                tags: e.categories.into_iter().map(|c| c.term).collect(),
                arxiv: arxiv_from_url(&e.id),
                doi: e.doi.as_deref().map(bare_doi),
                venue: e.journal_ref.map(|j| collapse(&j)),
                abstract_text: collapse(&e.summary),
                ..NewPaper::default()
            })
        })
        .collect())
}
