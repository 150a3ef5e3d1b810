//! Feeds: RSS 2.0, Atom and JSON Feed 1.1 for the site, each tag and each
//! author, plus an OPML list of them all. Written directly rather than
//! through templates so every reader gets well-formed, escaped output
//! whatever the theme does.

mod atom;
mod json;
pub mod opml;
mod rss;

pub use opml::opml;

use crate::config::Config;
use crate::parse::markdown::escape;
use crate::parse::{NameList, Paper};
use crate::render::context::{pdf_url, summarize};
use crate::routes::{FeedFormat, Routes};

/// One subject's feeds: the site, a tag or an author.
pub struct FeedSpec<'a> {
    pub title: String,
    pub description: String,
    /// Site path of the HTML page the feeds mirror (`""`, `tags/rl/`).
    pub page_path: &'a str,
    /// The formats to write, from the route table.
    pub formats: &'a [FeedFormat],
    /// Whole abstracts in the entries, or only their openings.
    pub abstracts: bool,
}

/// Rendered abstracts above this size go into feeds as their opening only:
/// a paper is repeated in the feeds of each of its authors and tags, and
/// readers do not want megabytes per entry.
const MAX_CONTENT_BYTES: usize = 64 * 1024;

/// A feed entry (a paper, or a day of the digest), with what every format
/// needs precomputed.
pub struct Entry<'a> {
    pub title: std::borrow::Cow<'a, str>,
    pub date: jiff::civil::Date,
    pub authors: &'a NameList,
    pub tags: &'a NameList,
    /// The paper's own page elsewhere (`url:`), for JSON Feed.
    pub external_url: Option<&'a str>,
    /// The rendered abstract, or for huge ones their opening as a paragraph.
    pub content_html: String,
    /// Plain-text opening of the abstract.
    pub summary: String,
    pub permalink: String,
    /// Stable across domains and sub-paths where the paper has an id.
    pub id: String,
    pub pdf: Option<String>,
    /// RFC 3339 at midnight UTC: papers carry dates, not times.
    pub timestamp: String,
}

impl<'a> Entry<'a> {
    fn new(paper: &'a Paper, config: &Config, abstracts: bool) -> Self {
        let routes = Routes::new(config);
        let permalink = routes.absolute(&routes.paper(&paper.slug));
        // Feeds without whole abstracts carry the cards' shorter opening.
        let summary_chars = if abstracts { 500 } else { config.summary_chars };
        let body = paper.body.unpack();
        let summary = summarize(&body.text, summary_chars);
        let content_html = if abstracts && body.html.len() <= MAX_CONTENT_BYTES {
            body.html
        } else {
            format!("<p>{}</p>", escape(&summary))
        };
        Entry {
            content_html,
            summary,
            id: entry_id(paper).unwrap_or_else(|| permalink.clone()),
            permalink,
            pdf: pdf_url(paper),
            timestamp: format!("{}T00:00:00Z", paper.date),
            title: paper.title.as_str().into(),
            date: paper.date,
            authors: &paper.authors,
            tags: &paper.tags,
            external_url: paper.url.as_deref(),
        }
    }
}

/// The subject's feeds in `spec.formats` for `papers` (newest first; the
/// first `feed_limit`), as `(site path, text)` pairs.
pub fn feeds(spec: &FeedSpec, papers: &[&Paper], config: &Config) -> Vec<(String, String)> {
    let entries: Vec<Entry> = papers
        .iter()
        .take(config.feed_limit)
        .map(|p| Entry::new(p, config, spec.abstracts))
        .collect();
    write_formats(spec, &entries, config, spec.page_path)
}

/// `entries` in each of `spec.formats`, as feeds in the folder `dir`.
fn write_formats(
    spec: &FeedSpec,
    entries: &[Entry],
    config: &Config,
    dir: &str,
) -> Vec<(String, String)> {
    let routes = Routes::new(config);
    spec.formats
        .iter()
        .map(|&format| {
            let path = routes.feed(dir, format);
            let url = routes.absolute(&path);
            let text = match format {
                FeedFormat::Rss => rss::rss(spec, entries, config, &url),
                FeedFormat::Atom => atom::atom(spec, entries, config, &url),
                FeedFormat::Json => json::json_feed(spec, entries, config, &url),
            };
            (path, text)
        })
        .collect()
}

/// The daily digest, in its formats: one entry per day (the newest
/// `feed_limit` days that have papers), listing the day's papers ranked by
/// upvotes with their links. Feed-to-email services turn it into "the
/// day's papers in your inbox".
pub fn digest(site: &crate::model::Site, config: &Config) -> Vec<(String, String)> {
    use std::fmt::Write;
    let routes = Routes::new(config);
    let home = routes.home();
    let spec = FeedSpec {
        title: format!("{}: daily digest", config.title),
        description: format!(
            "One entry a day: the papers of the day on {}, most upvoted first.",
            config.title
        ),
        page_path: &home,
        formats: routes.feed_formats(crate::routes::SubjectKind::Digest),
        abstracts: false,
    };
    // A day's entry has no authors or tags of its own.
    let none = NameList::default();
    let entries: Vec<Entry> = site
        .days
        .iter()
        .take(config.feed_limit)
        .map(|day| {
            let mut papers: Vec<&Paper> = site.papers[day.papers.clone()]
                .iter()
                .map(|p| &**p)
                .collect();
            // Stable: ties keep the day's order (by title).
            papers.sort_by_key(|p| std::cmp::Reverse(p.upvotes));
            let mut html = String::from("<ol>\n");
            for p in &papers {
                let link = routes.absolute(&routes.paper(&p.slug));
                let _ = write!(
                    html,
                    "<li><a href=\"{}\">{}</a>",
                    escape(&link),
                    p.title_html
                );
                if !p.authors.is_empty() {
                    let more = if p.authors.len() > 3 { " et al." } else { "" };
                    let _ = write!(
                        html,
                        " — {}{more}",
                        escape(&p.authors.iter().take(3).collect::<Vec<_>>().join(", "))
                    );
                }
                if p.upvotes > 0 {
                    let _ = write!(html, " · ▲ {}", p.upvotes);
                }
                if let Some(pdf) = pdf_url(p) {
                    let _ = write!(html, " · <a href=\"{}\">PDF</a>", escape(&pdf));
                }
                html.push_str("</li>\n");
            }
            html.push_str("</ol>\n");
            let page = routes.absolute(&routes.day(day.date));
            let n = papers.len();
            Entry {
                title: format!(
                    "{} paper{} of {}",
                    n,
                    if n == 1 { "" } else { "s" },
                    day.date.strftime("%A, %B %-d, %Y")
                )
                .into(),
                date: day.date,
                authors: &none,
                tags: &none,
                external_url: None,
                content_html: html,
                summary: papers
                    .iter()
                    .map(|p| p.title_text.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                id: page.clone(),
                permalink: page,
                pdf: None,
                timestamp: format!("{}T00:00:00Z", day.date),
            }
        })
        .collect();
    write_formats(&spec, &entries, config, &routes.digest())
}

/// An id that survives moving the site to another domain or sub-path, so
/// readers do not see every paper again: from the arXiv id or DOI.
pub fn entry_id(paper: &Paper) -> Option<String> {
    if let Some(arxiv) = &paper.arxiv {
        // Versions of one paper are one entry.
        return Some(format!(
            "urn:arxiv:{}",
            crate::parse::unversioned_arxiv(arxiv)
        ));
    }
    paper.doi.as_ref().map(|doi| format!("urn:doi:{doi}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn paper(arxiv: Option<&str>) -> Paper {
        let mut p = crate::model::tests::paper("p", "2024-02-19", &["rl"]);
        p.title = "A <b> & \"c\"".into();
        p.authors = ["Zoë"].into();
        p.arxiv = arxiv.map(String::from);
        p.body = crate::parse::Body::new("<p>x</p>", "x");
        p
    }

    pub fn config() -> Config {
        Config::parse("", std::path::Path::new("site.toml")).unwrap()
    }

    pub fn spec() -> FeedSpec<'static> {
        FeedSpec {
            title: "T".into(),
            description: String::new(),
            page_path: "",
            formats: &FeedFormat::ALL,
            abstracts: true,
        }
    }

    #[test]
    fn ids_are_independent_of_the_domain_and_version() {
        assert_eq!(
            entry_id(&paper(Some("2402.12527v2"))).unwrap(),
            "urn:arxiv:2402.12527"
        );
        assert_eq!(
            entry_id(&paper(Some("hep-th/9901001"))).unwrap(),
            "urn:arxiv:hep-th/9901001"
        );
        assert_eq!(entry_id(&paper(None)), None);
    }

    #[test]
    fn three_formats_in_the_subject_folder() {
        let p = paper(Some("2402.12527"));
        let mut spec = spec();
        spec.page_path = "tags/rl/";
        let files: Vec<_> = feeds(&spec, &[&p], &config())
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            files,
            ["tags/rl/rss.xml", "tags/rl/atom.xml", "tags/rl/feed.json"]
        );
    }
}
