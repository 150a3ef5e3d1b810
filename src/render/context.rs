//! Typed template contexts. Templates see exactly these fields; the README's
//! theme section documents them.

use serde::Serialize;

use crate::config::Config;
use crate::model::{Pager, Site, Term, page_path};
use crate::parse::Paper;
use crate::routes::{Routes, SubjectKind};

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
    /// The site's first feed, if it has any.
    pub feed_url: Option<String>,
    /// The site's own feeds, in the configured order.
    pub feeds: Vec<FeedLink>,
    /// Links to the site's fixed pages, so templates never spell a path.
    pub links: SiteLinks,
    /// Site path (under `base_path`) of the search index's `meta.json`.
    pub search_index: String,
    pub generator: &'static str,
}

/// Root-relative links to the pages every layout links to.
#[derive(Serialize)]
pub struct SiteLinks {
    pub home: String,
    pub trending: String,
    pub archive: String,
    pub tags: String,
    pub authors: String,
    pub feeds: String,
    pub search: String,
    pub sitemap: String,
    pub opml: String,
    pub syntax_css: String,
}

impl<'a> SiteCtx<'a> {
    pub fn new(config: &'a Config) -> Self {
        let routes = Routes::new(config);
        let feeds = feed_links(routes, SubjectKind::Site, &config.title, &routes.home());
        SiteCtx {
            title: &config.title,
            description: &config.description,
            language: &config.language,
            base_url: &config.base_url.absolute,
            base_path: &config.base_url.path,
            feed_url: feeds.first().map(|f| f.url.clone()),
            feeds,
            links: SiteLinks {
                home: routes.link(&routes.home()),
                trending: routes.link(&routes.trending(crate::model::Window::Week)),
                archive: routes.link(&routes.archive()),
                tags: routes.link(&routes.tags_index()),
                authors: routes.link(&routes.authors_index()),
                feeds: routes.link(&routes.feeds_index()),
                search: routes.link(&routes.search()),
                sitemap: routes.link(&routes.sitemap()),
                opml: routes.link(&routes.opml()),
                syntax_css: routes.link(&routes.syntax_css()),
            },
            search_index: routes.search_meta(),
            generator: concat!("paperfeed ", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// The feeds a subject of `kind` whose page is at `page` has, as links.
pub fn feed_links(routes: Routes, kind: SubjectKind, title: &str, page: &str) -> Vec<FeedLink> {
    routes
        .feed_formats(kind)
        .iter()
        .map(|&format| FeedLink {
            title: format!("{title} ({})", format.label()),
            format: format.label(),
            url: routes.absolute(&routes.feed(page, format)),
            mime: format.mime(),
        })
        .collect()
}

/// Facts about the page being rendered, for `<head>` and navigation.
#[derive(Serialize)]
pub struct PageMeta {
    /// Text for `<title>` before the site title.
    pub title: String,
    pub description: String,
    /// Absolute URL of this page.
    pub canonical: String,
    /// Site path of this page (`""` for the home page).
    pub path: String,
    /// Which part of the site the page belongs to (`papers`, `trending`,
    /// `archive`, `tags`, `authors`, `feeds`, `search`), for the nav.
    pub section: &'static str,
    /// Feeds relevant to this page, for `<link rel="alternate">`.
    pub feeds: Vec<FeedLink>,
    /// Whether the page shows highlighted code, so it needs `syntax.css`.
    pub code: bool,
}

#[derive(Serialize, Clone)]
pub struct FeedLink {
    pub title: String,
    /// The format's name alone (`RSS`), for compact subscribe links.
    pub format: &'static str,
    pub url: String,
    pub mime: &'static str,
}

/// A tag or author with the link to its page (or, for an author without
/// one, to a search for the name; empty when the name has no letters).
#[derive(Serialize, Clone)]
pub struct TermLink<'a> {
    pub name: std::borrow::Cow<'a, str>,
    pub link: String,
}

/// One paper as templates see it.
#[derive(Serialize)]
pub struct PaperCtx<'a> {
    pub slug: &'a str,
    pub link: String,
    pub permalink: String,
    /// Plain text (formulas as readable text), for attributes and `<title>`.
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
    /// The thumbnail as a link for `<img>` and as an absolute URL for
    /// OpenGraph.
    pub thumbnail: Option<String>,
    pub thumbnail_url: Option<String>,
    pub venue: Option<&'a str>,
    pub upvotes: u64,
    /// When a daily listing (Hugging Face) showed it: ISO, and for people.
    pub listed: Option<String>,
    pub listed_display: Option<String>,
    pub draft: bool,
    /// Plain-text opening of the abstract for cards.
    pub summary: String,
    /// The rendered body (already-safe HTML).
    pub content: String,
    /// The whole body as plain text, for citations; templates show
    /// `summary`.
    #[serde(skip)]
    pub text: String,
}

impl<'a> PaperCtx<'a> {
    /// Paper `i` of `site`, which also tells how many papers each author
    /// has: that decides whether their name links to a page or to a search.
    pub fn new(site: &'a Site, i: usize, config: &Config) -> Self {
        let paper = &*site.papers[i];
        let routes = Routes::new(config);
        let path = routes.paper(&paper.slug);
        let shown = paper.authors.len().min(config.card_authors);
        let authors: Vec<TermLink> = (paper.authors.iter().zip(site.authors_of(i)))
            .map(|(a, author)| TermLink {
                name: a.into(),
                link: author.map_or_else(String::new, |author| {
                    routes.author_link(a, &author.slug, author.papers.len())
                }),
            })
            .collect();
        let arxiv_url = paper.arxiv.as_deref().map(arxiv_url);
        let body = paper.body.unpack();
        PaperCtx {
            slug: &paper.slug,
            link: routes.link(&path),
            permalink: routes.absolute(&path),
            title: &paper.title_text,
            title_html: &paper.title_html,
            date: paper.date.to_string(),
            date_display: display_date(paper.date),
            authors_shown: authors[..shown].to_vec(),
            authors_hidden: authors.len() - shown,
            authors,
            tags: (paper.tags.iter().zip(site.tags_of(i)))
                .map(|(t, tag)| TermLink {
                    name: crate::model::tag_name(t),
                    link: routes.link(&routes.tag(tag.map_or("", |tag| &tag.slug))),
                })
                .collect(),
            arxiv: paper.arxiv.as_deref(),
            arxiv_url,
            pdf: pdf_url(paper),
            doi: paper.doi.as_deref(),
            doi_url: paper.doi.as_ref().map(|d| format!("https://doi.org/{d}")),
            url: paper.url.as_deref(),
            code: paper.code.as_deref(),
            thumbnail: paper
                .thumbnail
                .as_deref()
                .map(|t| match t.strip_prefix('/') {
                    Some(path) => routes.link(path),
                    None => t.to_string(),
                }),
            thumbnail_url: paper
                .thumbnail
                .as_deref()
                .map(|t| match t.strip_prefix('/') {
                    Some(path) => routes.absolute(path),
                    None => t.to_string(),
                }),
            venue: paper.venue.as_deref(),
            upvotes: paper.upvotes,
            listed: paper.listed.map(|d| d.to_string()),
            listed_display: paper.listed.map(display_date),
            draft: paper.draft,
            summary: summarize(&body.text, config.summary_chars),
            content: body.html,
            text: body.text,
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
    /// `link` is where the term's name links to (from [`Routes`]).
    pub fn new(term: &'a Term, link: String) -> Self {
        TermSummary {
            name: &term.name,
            slug: &term.slug,
            link,
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
        let routes = Routes::new(config);
        PaperRef {
            title_html: &paper.title_html,
            link: routes.link(&routes.paper(&paper.slug)),
            date: paper.date.to_string(),
            date_display: display_date(paper.date),
        }
    }
}

/// `Feb 19, 2024`.
pub fn display_date(date: jiff::civil::Date) -> String {
    date.strftime("%b %-d, %Y").to_string()
}

/// A paper's PDF: its own `pdf:`, else arXiv's.
pub fn pdf_url(paper: &Paper) -> Option<String> {
    paper.pdf.clone().or_else(|| {
        paper
            .arxiv
            .as_ref()
            .map(|id| format!("https://arxiv.org/pdf/{id}"))
    })
}

/// A paper's abstract page on arXiv.
pub fn arxiv_url(id: &str) -> String {
    format!("https://arxiv.org/abs/{id}")
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
