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
    // Any XML deserialises into a feed with no entries; an RSS listing or
    // an HTML error page must be an error, not "0 created".
    match root_element(text) {
        Some(name) if name == "feed" => {}
        Some(name) => {
            return Err(format!(
                "not an arXiv API Atom feed: the document is <{name}>, not <feed>"
            ));
        }
        None => return Err("not an arXiv API Atom feed: no XML element found".into()),
    }
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

/// The local name of the document's first element.
fn root_element(text: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn other_documents_are_errors() {
        let rss = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>x</title></item></channel></rss>";
        assert!(super::parse(rss).unwrap_err().contains("<rss>"));
        assert!(super::parse("<html><body>Rate limited</body></html>").is_err());
        assert!(super::parse("{}").is_err());
        let empty = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>ArXiv Query</title></feed>";
        assert!(
            super::parse(empty).unwrap().is_empty(),
            "a feed with no results is fine"
        );
    }
}
