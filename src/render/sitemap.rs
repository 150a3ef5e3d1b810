//! `sitemap.xml` and `robots.txt`.

use std::fmt::Write;

use quick_xml::escape::escape;

use crate::config::Config;

/// One page for the sitemap: its site path and, for papers, its date.
pub struct SitemapEntry {
    pub path: String,
    pub lastmod: Option<String>,
}

pub fn sitemap(entries: &[SitemapEntry], config: &Config) -> String {
    let mut xml = String::with_capacity(200 + entries.len() * 120);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for entry in entries {
        let _ = write!(
            xml,
            "<url><loc>{}</loc>",
            escape(&config.base_url.absolute(&entry.path)[..])
        );
        if let Some(date) = &entry.lastmod {
            let _ = write!(xml, "<lastmod>{date}</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        config.base_url.absolute("sitemap.xml")
    )
}
