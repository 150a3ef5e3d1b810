//! CSL-JSON, the format Zotero, Mendeley and citeproc use.

use serde::Deserialize;
use serde_json::Value;

use super::{Rejected, arxiv_from_url, bare_doi, split_keywords};
use crate::scaffold::NewPaper;

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    title: String,
    #[serde(default)]
    author: Vec<Name>,
    issued: Option<Issued>,
    #[serde(rename = "DOI")]
    doi: Option<String>,
    #[serde(rename = "URL")]
    url: Option<String>,
    #[serde(rename = "abstract")]
    abstract_text: Option<String>,
    #[serde(rename = "container-title")]
    container: Option<String>,
    keyword: Option<String>,
    number: Option<Value>,
}

#[derive(Deserialize)]
struct Name {
    family: Option<String>,
    given: Option<String>,
    literal: Option<String>,
}

#[derive(Deserialize)]
struct Issued {
    #[serde(rename = "date-parts", default)]
    date_parts: Vec<Vec<Value>>,
    raw: Option<String>,
}

pub fn parse(text: &str) -> Result<Vec<Result<NewPaper, Rejected>>, String> {
    // Zotero exports a list; a single item is accepted too.
    let items: Vec<Item> = match serde_json::from_str::<Vec<Item>>(text) {
        Ok(items) => items,
        Err(list_error) => vec![
            serde_json::from_str::<Item>(text)
                .map_err(|_| format!("not CSL-JSON: {list_error}"))?,
        ],
    };
    Ok(items.into_iter().map(|item| Ok(convert(item))).collect())
}

fn convert(item: Item) -> NewPaper {
    let authors = item
        .author
        .into_iter()
        .filter_map(|n| match (n.literal, n.given, n.family) {
            (Some(literal), _, _) => Some(literal),
            (None, Some(given), Some(family)) => Some(format!("{given} {family}")),
            (None, None, Some(family)) => Some(family),
            (None, Some(given), None) => Some(given),
            (None, None, None) => None,
        })
        .collect();
    let number = item.number.as_ref().and_then(Value::as_str).unwrap_or("");
    let arxiv = number
        .strip_prefix("arXiv:")
        .map(str::to_string)
        .or_else(|| item.url.as_deref().and_then(arxiv_from_url));
    let is_arxiv_url = item.url.as_deref().and_then(arxiv_from_url).is_some();
    NewPaper {
        title: item.title,
        date: item.issued.and_then(issued_date),
        authors,
        tags: item.keyword.map(|k| split_keywords(&k)).unwrap_or_default(),
        arxiv,
        doi: item.doi.as_deref().map(bare_doi),
        url: item.url.filter(|u| u.starts_with("http") && !is_arxiv_url),
        venue: item
            .container
            .filter(|c| !c.eq_ignore_ascii_case("arXiv preprint")),
        abstract_text: item.abstract_text.unwrap_or_default(),
        ..NewPaper::default()
    }
}

/// `[[2024, 2, 6]]` (numbers or strings; month and day optional) or a raw
/// `2024-02-06`. A missing month or day is the first of the period.
fn issued_date(issued: Issued) -> Option<jiff::civil::Date> {
    let number = |v: &Value| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    };
    if let Some(parts) = issued.date_parts.first() {
        let year = parts.first().and_then(number)?;
        let month = parts.get(1).and_then(number).unwrap_or(1);
        let day = parts.get(2).and_then(number).unwrap_or(1);
        return jiff::civil::Date::new(year as i16, month as i8, day as i8).ok();
    }
    issued.raw?.get(..10)?.parse().ok()
}
