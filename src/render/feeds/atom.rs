//! Atom (RFC 4287).

use std::fmt::Write;

use crate::render::xml::escape;

use super::{Entry, FeedSpec};
use crate::config::Config;

pub fn atom(spec: &FeedSpec, entries: &[Entry], config: &Config, self_url: &str) -> String {
    let page = config.base_url.absolute(spec.page_path);
    let mut xml = String::with_capacity(1024 + entries.len() * 2048);
    let _ = writeln!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&config.language)
    );
    element(&mut xml, "id", &page);
    element(&mut xml, "title", &spec.title);
    if !spec.description.is_empty() {
        element(&mut xml, "subtitle", &spec.description);
    }
    let _ = writeln!(
        xml,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&page)
    );
    let _ = writeln!(
        xml,
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        escape(self_url)
    );
    // Deterministic: the newest entry's date, or a fixed epoch for an empty feed.
    let updated = entries
        .first()
        .map_or("1970-01-01T00:00:00Z", |e| e.timestamp.as_str());
    element(&mut xml, "updated", updated);
    // Atom needs an author for entries that name none.
    let _ = writeln!(
        xml,
        "<author><name>{}</name></author>",
        escape(&config.title)
    );
    element(&mut xml, "generator", "paperfeed");
    for entry in entries {
        write_entry(&mut xml, entry);
    }
    xml.push_str("</feed>\n");
    xml
}

fn write_entry(xml: &mut String, entry: &Entry) {
    xml.push_str("<entry>\n");
    element(xml, "id", &entry.id);
    element(xml, "title", &entry.title);
    let _ = writeln!(
        xml,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&entry.permalink)
    );
    if let Some(pdf) = &entry.pdf {
        let _ = writeln!(
            xml,
            "<link rel=\"enclosure\" type=\"application/pdf\" href=\"{}\"/>",
            escape(pdf)
        );
    }
    element(xml, "published", &entry.timestamp);
    element(xml, "updated", &entry.timestamp);
    for author in entry.authors {
        let _ = writeln!(xml, "<author><name>{}</name></author>", escape(author));
    }
    for tag in entry.tags {
        let _ = writeln!(xml, "<category term=\"{}\"/>", escape(tag));
    }
    let _ = writeln!(
        xml,
        "<content type=\"html\">{}</content>",
        escape(&entry.content_html[..])
    );
    xml.push_str("</entry>\n");
}

fn element(xml: &mut String, name: &str, text: &str) {
    let _ = writeln!(xml, "<{name}>{}</{name}>", escape(text));
}
