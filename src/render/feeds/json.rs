//! JSON Feed 1.1 (https://jsonfeed.org/version/1.1).

use serde::Serialize;

use super::{Entry, FeedSpec};
use crate::config::Config;
use crate::parse::NameList;

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    language: &'a str,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    date_published: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "NameList::is_empty")]
    tags: &'a NameList,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'static str,
}

pub fn json_feed(spec: &FeedSpec, entries: &[Entry], config: &Config, self_url: &str) -> String {
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: &spec.title,
        home_page_url: config.base_url.absolute(spec.page_path),
        feed_url: self_url,
        description: &spec.description,
        language: &config.language,
        items: entries
            .iter()
            .map(|e| Item {
                id: &e.id,
                url: &e.permalink,
                title: &e.title,
                content_html: &e.content_html,
                summary: &e.summary,
                date_published: &e.timestamp,
                authors: e.authors.iter().map(|name| Author { name }).collect(),
                tags: e.tags,
                external_url: e.external_url,
                attachments: e
                    .pdf
                    .iter()
                    .map(|url| Attachment {
                        url,
                        mime_type: "application/pdf",
                    })
                    .collect(),
            })
            .collect(),
    };
    crate::render::html_safe_json(&feed)
}
