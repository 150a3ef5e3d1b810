//! `feeds.opml`: every feed of the site, for importing into a reader at once.

use std::fmt::Write;

use crate::render::xml::escape;

/// A group of feeds (site, tags, authors) and its `(title, feed URL, page URL)` rows.
pub type Group<'a> = (&'a str, Vec<(String, String, String)>);

pub fn opml(title: &str, groups: &[Group]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<opml version=\"2.0\">\n<head>\n",
    );
    let _ = writeln!(xml, "<title>{}</title>\n</head>\n<body>", escape(title));
    for (name, rows) in groups {
        let _ = writeln!(xml, "<outline text=\"{}\">", escape(name));
        for (text, feed, page) in rows {
            let _ = writeln!(
                xml,
                "<outline type=\"rss\" text=\"{0}\" title=\"{0}\" xmlUrl=\"{1}\" htmlUrl=\"{2}\"/>",
                escape(text),
                escape(feed),
                escape(page)
            );
        }
        xml.push_str("</outline>\n");
    }
    xml.push_str("</body>\n</opml>\n");
    xml
}
