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
    /// "van der" in "Johannes van der Waals" (kept when sorting, in CSL).
    #[serde(rename = "non-dropping-particle")]
    non_dropping: Option<String>,
    /// "de" in "Charles de Gaulle" as some styles file him.
    #[serde(rename = "dropping-particle")]
    dropping: Option<String>,
    suffix: Option<String>,
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
        .filter_map(|n| {
            if let Some(literal) = n.literal {
                return Some(literal);
            }
            // Given names, the particles, the family name, then "Jr.".
            let name = [n.given, n.dropping, n.non_dropping, n.family, n.suffix]
                .into_iter()
                .flatten()
                .map(|part| part.trim().to_string())
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            (!name.is_empty()).then_some(name)
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
    // `2021-07-15`, `2021-07` or `2021`.
    let raw = issued.raw?;
    let mut parts = raw.trim().get(..10.min(raw.trim().len()))?.split('-');
    let year: i16 = parts.next()?.parse().ok()?;
    let month: i8 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: i8 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    jiff::civil::Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_raw_dates_and_string_parts_survive() {
        let items = parse(
            r#"[{"title": "Gases", "author": [{"family": "Waals", "given": "Johannes", "non-dropping-particle": "van der"},
                                              {"family": "King", "given": "Martin Luther", "suffix": "Jr."}],
                 "issued": {"raw": "2021-07"}},
                {"title": "Strings", "issued": {"date-parts": [["2020", "3", "9"]]}},
                {"title": "Year", "issued": {"raw": "2019"}}]"#,
        )
        .unwrap();
        let papers: Vec<NewPaper> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            papers[0].authors,
            ["Johannes van der Waals", "Martin Luther King Jr."]
        );
        assert_eq!(papers[0].date.unwrap().to_string(), "2021-07-01");
        assert_eq!(papers[1].date.unwrap().to_string(), "2020-03-09");
        assert_eq!(papers[2].date.unwrap().to_string(), "2019-01-01");
    }
}
