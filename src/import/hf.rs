//! A Hugging Face daily-papers listing: a JSON array of objects with the
//! paper under `paper` (or at the top level).

use serde::Deserialize;

use super::{Rejected, date_of};
use crate::scaffold::NewPaper;

#[derive(Deserialize)]
struct Item {
    paper: Option<HfPaper>,
    #[serde(flatten)]
    top: HfPaper,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct HfPaper {
    id: Option<String>,
    title: Option<String>,
    summary: Option<String>,
    published_at: Option<String>,
    #[serde(default)]
    authors: Vec<HfAuthor>,
    upvotes: Option<u64>,
    github_repo: Option<String>,
    /// Hugging Face's generated keywords: tags only when asked for.
    #[serde(rename = "ai_keywords", default)]
    ai_keywords: Vec<String>,
}

#[derive(Deserialize)]
struct HfAuthor {
    name: String,
}

/// The paper's `date` is its arXiv publication date (the paper's own
/// `publishedAt`); the day the listing showed it (the item's `publishedAt`)
/// is kept as `listed`. With `keywords`, `ai_keywords` become tags.
pub fn parse(text: &str, keywords: bool) -> Result<Vec<Result<NewPaper, Rejected>>, String> {
    // A listing, or one paper as the API's single-paper endpoint answers.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Listing {
        Many(Vec<Item>),
        One(Box<Item>),
    }
    let items = match serde_json::from_str(text) {
        Ok(Listing::Many(items)) => items,
        Ok(Listing::One(item)) => vec![*item],
        Err(_) => {
            // The untagged error says nothing useful; the list's does.
            let e = serde_json::from_str::<Vec<Item>>(text).err();
            return Err(format!(
                "not a Hugging Face daily-papers JSON list: {}",
                e.map_or_else(|| "unexpected shape".to_string(), |e| e.to_string())
            ));
        }
    };
    if items
        .iter()
        .any(|i| i.paper.is_none() && i.top.title.is_none() && i.top.id.is_none())
    {
        return Err(
            "not a Hugging Face daily-papers JSON list: an item has no `paper`, `title` or `id`"
                .into(),
        );
    }
    Ok(items
        .into_iter()
        .map(|item| {
            let listed = item
                .paper
                .is_some()
                .then(|| item.top.published_at.as_deref().and_then(date_of))
                .flatten();
            let p = item.paper.unwrap_or(item.top);
            Ok(NewPaper {
                listed,
                tags: if keywords { p.ai_keywords } else { Vec::new() },
                title: p.title.unwrap_or_default(),
                date: p.published_at.as_deref().and_then(date_of),
                authors: p.authors.into_iter().map(|a| a.name).collect(),
                arxiv: p.id,
                code: p.github_repo.filter(|u| u.starts_with("https://")),
                upvotes: p.upvotes,
                abstract_text: p.summary.unwrap_or_default(),
                ..NewPaper::default()
            })
        })
        .collect())
}
