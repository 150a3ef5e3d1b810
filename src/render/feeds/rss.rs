//! RSS 2.0.

use std::fmt::Write;

use crate::render::xml::escape;

use super::{Entry, FeedSpec};
use crate::config::Config;

pub fn rss(spec: &FeedSpec, entries: &[Entry], config: &Config, self_url: &str) -> String {
    let mut xml = String::with_capacity(1024 + entries.len() * 2048);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    element(&mut xml, "title", &spec.title);
    element(&mut xml, "link", &config.base_url.absolute(spec.page_path));
    // Readers render a channel's description as HTML: plain text (a tag
    // or author name) is HTML-escaped before it is XML-escaped.
    element(
        &mut xml,
        "description",
        &crate::parse::markdown::escape(&spec.description),
    );
    element(&mut xml, "language", &config.language);
    element(&mut xml, "generator", "paperfeed");
    // The newest paper's date, not the clock: rebuilding must not change the feed.
    if let Some(newest) = entries.first() {
        element(&mut xml, "lastBuildDate", &rfc2822(newest));
    }
    let _ = writeln!(
        xml,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        escape(self_url)
    );
    for entry in entries {
        item(&mut xml, entry);
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

fn item(xml: &mut String, entry: &Entry) {
    xml.push_str("<item>\n");
    element(xml, "title", &entry.title);
    element(xml, "link", &entry.permalink);
    let permalink = entry.id == entry.permalink;
    let _ = writeln!(
        xml,
        "<guid isPermaLink=\"{permalink}\">{}</guid>",
        escape(&entry.id)
    );
    element(xml, "pubDate", &rfc2822(entry));
    // One dc:creator naming everyone, as arXiv's own feeds do: readers
    // show it as the byline, and a paper with 30 authors would otherwise
    // spend a kilobyte per entry in every feed it is in.
    if !entry.authors.is_empty() {
        element(xml, "dc:creator", &entry.authors.join(", "));
    }
    for tag in entry.tags {
        element(xml, "category", tag);
    }
    element(xml, "description", &entry.content_html);
    if let Some(pdf) = &entry.pdf {
        // RSS requires a length; the PDF's size is unknown at build time.
        let _ = writeln!(
            xml,
            "<enclosure url=\"{}\" length=\"0\" type=\"application/pdf\"/>",
            escape(pdf)
        );
    }
    xml.push_str("</item>\n");
}

fn rfc2822(entry: &Entry) -> String {
    entry
        .date
        .strftime("%a, %d %b %Y 00:00:00 +0000")
        .to_string()
}

fn element(xml: &mut String, name: &str, text: &str) {
    let _ = writeln!(xml, "<{name}>{}</{name}>", escape(text));
}

#[cfg(test)]
mod tests {
    use super::super::tests::{config, paper, spec};
    use super::*;

    #[test]
    fn dates_are_rfc2822_and_fields_escaped() {
        let config = config();
        let p = paper(Some("2402.12527"));
        let entry = Entry::new(&p, &config, true);
        assert_eq!(rfc2822(&entry), "Mon, 19 Feb 2024 00:00:00 +0000");
        let xml = rss(&spec(), &[entry], &config, "https://x/rss.xml");
        assert!(
            xml.contains("<title>A &lt;b&gt; &amp; &quot;c&quot;</title>"),
            "{xml}"
        );
        assert!(xml.contains("<description>&lt;p&gt;x&lt;/p&gt;</description>"));
        assert!(xml.contains("<guid isPermaLink=\"false\">urn:arxiv:2402.12527</guid>"));
        assert!(xml.contains("<enclosure url=\"https://arxiv.org/pdf/2402.12527\""));
    }
}
