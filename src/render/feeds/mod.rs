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
use crate::parse::Paper;
use crate::parse::markdown::escape;
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

/// A paper as a feed entry, with what every format needs precomputed.
pub struct Entry<'a> {
    pub paper: &'a Paper,
    /// The rendered abstract, or for huge ones their opening as a paragraph.
    pub content_html: std::borrow::Cow<'a, str>,
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
        let summary = summarize(&paper.body_text, summary_chars);
        let content_html = if abstracts && paper.body_html.len() <= MAX_CONTENT_BYTES {
            std::borrow::Cow::Borrowed(paper.body_html.as_str())
        } else {
            std::borrow::Cow::Owned(format!("<p>{}</p>", escape(&summary)))
        };
        Entry {
            content_html,
            summary,
            id: entry_id(paper).unwrap_or_else(|| permalink.clone()),
            permalink,
            pdf: pdf_url(paper),
            timestamp: format!("{}T00:00:00Z", paper.date),
            paper,
        }
    }
}

/// The subject's feeds in `spec.formats` for `papers` (newest first; the
/// first `feed_limit`), as `(site path, text)` pairs.
pub fn feeds(spec: &FeedSpec, papers: &[&Paper], config: &Config) -> Vec<(String, String)> {
    let routes = Routes::new(config);
    let entries: Vec<Entry> = papers
        .iter()
        .take(config.feed_limit)
        .map(|p| Entry::new(p, config, spec.abstracts))
        .collect();
    spec.formats
        .iter()
        .map(|&format| {
            let path = routes.feed(spec.page_path, format);
            let url = routes.absolute(&path);
            let text = match format {
                FeedFormat::Rss => rss::rss(spec, &entries, config, &url),
                FeedFormat::Atom => atom::atom(spec, &entries, config, &url),
                FeedFormat::Json => json::json_feed(spec, &entries, config, &url),
            };
            (path, text)
        })
        .collect()
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
        p.authors = vec!["Zoë".into()];
        p.arxiv = arxiv.map(String::from);
        p.body_html = "<p>x</p>".into();
        p.body_text = "x".into();
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
