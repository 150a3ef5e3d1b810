//! RSS 2.0 feeds, written directly (not through templates) so every reader
//! gets well-formed, correctly escaped XML whatever the theme does.

use std::fmt::Write;

use quick_xml::escape::escape;

use crate::config::Config;
use crate::parse::Paper;

/// What a feed is about: the site, or one tag.
pub struct FeedSpec<'a> {
    pub title: String,
    pub description: String,
    /// Site path of the HTML page the feed mirrors.
    pub page_path: &'a str,
    /// Site path of the feed file itself.
    pub feed_path: String,
}

/// RSS 2.0 for `papers` (newest first; only the first `feed_limit` are used).
pub fn rss(spec: &FeedSpec, papers: &[&Paper], config: &Config) -> String {
    let base = &config.base_url;
    let papers = &papers[..papers.len().min(config.feed_limit)];
    let mut xml = String::with_capacity(1024 + papers.len() * 2048);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    element(&mut xml, "title", &spec.title);
    element(&mut xml, "link", &base.absolute(spec.page_path));
    element(&mut xml, "description", &spec.description);
    element(&mut xml, "language", &config.language);
    element(&mut xml, "generator", "paperfeed");
    // The newest paper's date, not the clock: rebuilding must not change the feed.
    if let Some(newest) = papers.first() {
        element(&mut xml, "lastBuildDate", &rfc2822(newest));
    }
    let _ = writeln!(
        xml,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        escape(&base.absolute(&spec.feed_path)[..])
    );
    for paper in papers {
        item(&mut xml, paper, config);
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

fn item(xml: &mut String, paper: &Paper, config: &Config) {
    let permalink = config.base_url.absolute(&super::context::paper_path(paper));
    xml.push_str("<item>\n");
    element(xml, "title", &paper.title);
    element(xml, "link", &permalink);
    match entry_id(paper) {
        Some(id) => {
            let _ = writeln!(xml, "<guid isPermaLink=\"false\">{}</guid>", escape(&id));
        }
        None => {
            let _ = writeln!(
                xml,
                "<guid isPermaLink=\"true\">{}</guid>",
                escape(&permalink)
            );
        }
    }
    element(xml, "pubDate", &rfc2822(paper));
    for author in &paper.authors {
        element(xml, "dc:creator", author);
    }
    for tag in &paper.tags {
        element(xml, "category", tag);
    }
    element(xml, "description", &paper.body_html);
    xml.push_str("</item>\n");
}

/// An id that survives moving the site to another domain or sub-path, so
/// readers do not see every paper again: from the arXiv id or DOI.
pub fn entry_id(paper: &Paper) -> Option<String> {
    if let Some(arxiv) = &paper.arxiv {
        // Versions of one paper are one entry.
        let id = arxiv.rsplit_once('v').map_or(arxiv.as_str(), |(head, v)| {
            if v.bytes().all(|b| b.is_ascii_digit()) && head.contains(['.', '/']) {
                head
            } else {
                arxiv
            }
        });
        return Some(format!("urn:arxiv:{id}"));
    }
    paper.doi.as_ref().map(|doi| format!("urn:doi:{doi}"))
}

fn rfc2822(paper: &Paper) -> String {
    paper
        .date
        .strftime("%a, %d %b %Y 00:00:00 +0000")
        .to_string()
}

fn element(xml: &mut String, name: &str, text: &str) {
    let _ = writeln!(xml, "<{name}>{}</{name}>", escape(text));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Paper;
    use std::path::PathBuf;

    fn paper(arxiv: Option<&str>) -> Paper {
        Paper {
            source: PathBuf::from("content/papers/p.md"),
            slug: "p".into(),
            title: "A <b> & \"c\"".into(),
            date: "2024-02-19".parse().unwrap(),
            authors: vec!["Zoë".into()],
            tags: vec!["rl".into()],
            arxiv: arxiv.map(String::from),
            doi: None,
            url: None,
            pdf: None,
            code: None,
            venue: None,
            upvotes: 0,
            draft: false,
            body_html: "<p>x</p>".into(),
            body_text: "x".into(),
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
    fn dates_are_rfc2822() {
        assert_eq!(rfc2822(&paper(None)), "Mon, 19 Feb 2024 00:00:00 +0000");
    }

    #[test]
    fn fields_are_escaped() {
        let config = crate::config::Config::parse("", std::path::Path::new("site.toml")).unwrap();
        let p = paper(None);
        let spec = FeedSpec {
            title: "T".into(),
            description: String::new(),
            page_path: "",
            feed_path: "rss.xml".into(),
        };
        let xml = rss(&spec, &[&p], &config);
        assert!(
            xml.contains("<title>A &lt;b&gt; &amp; &quot;c&quot;</title>"),
            "{xml}"
        );
        assert!(xml.contains("<description>&lt;p&gt;x&lt;/p&gt;</description>"));
    }
}
