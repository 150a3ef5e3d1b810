//! Typed template contexts. Templates see exactly these fields; the README's
//! theme section documents them.

use serde::Serialize;

use crate::config::Config;
use crate::model::{Pager, Site, Term, page_path};
use crate::parse::Paper;

/// Site-wide values every template gets as `site`.
#[derive(Serialize)]
pub struct SiteCtx<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    /// Absolute, with trailing slash: `https://user.github.io/repo/`.
    pub base_url: &'a str,
    /// Root-relative prefix for links: `/repo/`.
    pub base_path: &'a str,
    pub feed_url: String,
    pub generator: &'static str,
}

impl<'a> SiteCtx<'a> {
    pub fn new(config: &'a Config) -> Self {
        SiteCtx {
            title: &config.title,
            description: &config.description,
            language: &config.language,
            base_url: &config.base_url.absolute,
            base_path: &config.base_url.path,
            feed_url: config.base_url.absolute("rss.xml"),
            generator: concat!("paperfeed ", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Facts about the page being rendered, for `<head>` and navigation.
#[derive(Serialize)]
pub struct PageMeta {
    /// Text for `<title>` before the site title.
    pub title: String,
    pub description: String,
    /// Absolute URL of this page.
    pub canonical: String,
    /// Site path of this page (`""` for the home page), for active-nav styling.
    pub path: String,
    /// Feeds relevant to this page, for `<link rel="alternate">`.
    pub feeds: Vec<FeedLink>,
}

#[derive(Serialize, Clone)]
pub struct FeedLink {
    pub title: String,
    pub url: String,
    pub mime: &'static str,
}

/// A tag or author with the link to its page (empty when the name has
/// no letters to make a page address from).
#[derive(Serialize, Clone)]
pub struct TermLink<'a> {
    pub name: &'a str,
    pub link: String,
}

/// One paper as templates see it.
#[derive(Serialize)]
pub struct PaperCtx<'a> {
    pub slug: &'a str,
    pub link: String,
    pub permalink: String,
    /// Plain text, for attributes and `<title>`.
    pub title: &'a str,
    /// Escaped HTML with MathML formulas, for headings and cards.
    pub title_html: &'a str,
    /// ISO 8601 (`2024-02-19`), for `<time datetime>`.
    pub date: String,
    /// Human form (`Feb 19, 2024`).
    pub date_display: String,
    pub authors: Vec<TermLink<'a>>,
    /// The first `card_authors` authors; `authors_hidden` counts the rest.
    pub authors_shown: Vec<TermLink<'a>>,
    pub authors_hidden: usize,
    pub tags: Vec<TermLink<'a>>,
    pub arxiv: Option<&'a str>,
    pub arxiv_url: Option<String>,
    /// Explicit `pdf:`, else the arXiv PDF.
    pub pdf: Option<String>,
    pub doi: Option<&'a str>,
    pub doi_url: Option<String>,
    pub url: Option<&'a str>,
    pub code: Option<&'a str>,
    pub venue: Option<&'a str>,
    pub upvotes: u64,
    pub draft: bool,
    /// Plain-text opening of the abstract for cards.
    pub summary: String,
    /// The rendered body (already-safe HTML).
    pub content: &'a str,
}

impl<'a> PaperCtx<'a> {
    pub fn new(paper: &'a Paper, config: &Config) -> Self {
        let path = paper_path(paper);
        let shown = paper.authors.len().min(config.card_authors);
        let authors: Vec<TermLink> = paper
            .authors
            .iter()
            .map(|a| {
                let slug = Site::tag_slug(a);
                TermLink {
                    name: a,
                    link: if slug.is_empty() {
                        String::new()
                    } else {
                        config.base_url.link(&author_path(&slug))
                    },
                }
            })
            .collect();
        let arxiv_url = paper
            .arxiv
            .as_ref()
            .map(|id| format!("https://arxiv.org/abs/{id}"));
        let pdf = paper.pdf.clone().or_else(|| {
            paper
                .arxiv
                .as_ref()
                .map(|id| format!("https://arxiv.org/pdf/{id}"))
        });
        PaperCtx {
            slug: &paper.slug,
            link: config.base_url.link(&path),
            permalink: config.base_url.absolute(&path),
            title: &paper.title,
            title_html: &paper.title_html,
            date: paper.date.to_string(),
            date_display: display_date(paper.date),
            authors_shown: authors[..shown].to_vec(),
            authors_hidden: authors.len() - shown,
            authors,
            tags: paper
                .tags
                .iter()
                .map(|t| TermLink {
                    name: t,
                    link: config.base_url.link(&tag_path(&Site::tag_slug(t))),
                })
                .collect(),
            arxiv: paper.arxiv.as_deref(),
            arxiv_url,
            pdf,
            doi: paper.doi.as_deref(),
            doi_url: paper.doi.as_ref().map(|d| format!("https://doi.org/{d}")),
            url: paper.url.as_deref(),
            code: paper.code.as_deref(),
            venue: paper.venue.as_deref(),
            upvotes: paper.upvotes,
            draft: paper.draft,
            summary: summarize(&paper.body_text, config.summary_chars),
            content: &paper.body_html,
        }
    }
}

/// Pagination links as templates see them.
#[derive(Serialize)]
pub struct PagerCtx {
    pub number: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub first: String,
    pub last: String,
}

impl PagerCtx {
    pub fn new(pager: &Pager, base: &str, config: &Config) -> Self {
        let link = |p: &str| config.base_url.link(p);
        PagerCtx {
            number: pager.number,
            total: pager.total,
            prev: pager.prev.as_deref().map(link),
            next: pager.next.as_deref().map(link),
            first: link(base),
            last: link(&page_path(base, pager.total)),
        }
    }
}

#[derive(Serialize)]
pub struct TermSummary<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub link: String,
    pub count: usize,
}

impl<'a> TermSummary<'a> {
    /// `path` is the term's page, from [`tag_path`] or [`author_path`].
    pub fn new(term: &'a Term, path: &str, config: &Config) -> Self {
        TermSummary {
            name: &term.name,
            slug: &term.slug,
            link: config.base_url.link(path),
            count: term.papers.len(),
        }
    }
}

/// A link to another paper (previous/next, related).
#[derive(Serialize)]
pub struct PaperRef<'a> {
    pub title_html: &'a str,
    pub link: String,
    pub date: String,
    pub date_display: String,
}

impl<'a> PaperRef<'a> {
    pub fn new(paper: &'a Paper, config: &Config) -> Self {
        PaperRef {
            title_html: &paper.title_html,
            link: config.base_url.link(&paper_path(paper)),
            date: paper.date.to_string(),
            date_display: display_date(paper.date),
        }
    }
}

/// `Feb 19, 2024`.
pub fn display_date(date: jiff::civil::Date) -> String {
    date.strftime("%b %-d, %Y").to_string()
}

pub fn paper_path(paper: &Paper) -> String {
    format!("papers/{}/", paper.slug)
}

pub fn tag_path(slug: &str) -> String {
    format!("tags/{slug}/")
}

pub fn author_path(slug: &str) -> String {
    format!("authors/{slug}/")
}

pub fn day_path(date: jiff::civil::Date) -> String {
    format!("daily/{date}/")
}

/// The first `limit` characters of `text`, cut at a word, with an ellipsis
/// when anything was cut.
pub fn summarize(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    let head = cut.rsplit_once(' ').map_or(cut.as_str(), |(h, _)| h);
    format!("{}…", head.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_cut_at_words() {
        assert_eq!(summarize("short", 10), "short");
        assert_eq!(summarize("one two three four", 10), "one two…");
        assert_eq!(summarize("one, two three", 6), "one…");
    }
}
