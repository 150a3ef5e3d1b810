//! `sitemap.xml` (split into numbered sitemaps under an index when the site
//! has more pages than one sitemap may list) and `robots.txt`.

use std::fmt::Write;

use crate::render::xml::escape;

use crate::routes::{Routes, SITEMAP_URLS_PER_FILE};

/// One page for the sitemap: its site path and, for papers, its date.
pub struct SitemapEntry {
    pub path: String,
    pub lastmod: Option<String>,
}

/// The sitemap files for `entries`: one `sitemap.xml` when they fit in one,
/// else `sitemap.xml` as an index of `sitemap-1.xml`, `sitemap-2.xml`, …
pub fn sitemaps(entries: &[SitemapEntry], routes: Routes) -> Vec<(String, String)> {
    sitemaps_of(entries, routes, SITEMAP_URLS_PER_FILE)
}

fn sitemaps_of(entries: &[SitemapEntry], routes: Routes, per_file: usize) -> Vec<(String, String)> {
    if entries.len() <= per_file {
        return vec![(routes.sitemap(), urlset(entries, routes))];
    }
    let parts: Vec<(String, String)> = entries
        .chunks(per_file)
        .enumerate()
        .map(|(n, chunk)| (routes.sitemap_part(n + 1), urlset(chunk, routes)))
        .collect();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, _) in &parts {
        let _ = writeln!(
            index,
            "<sitemap><loc>{}</loc></sitemap>",
            escape(&routes.absolute(path)[..])
        );
    }
    index.push_str("</sitemapindex>\n");
    let mut files = vec![(routes.sitemap(), index)];
    files.extend(parts);
    files
}

fn urlset(entries: &[SitemapEntry], routes: Routes) -> String {
    let mut xml = String::with_capacity(200 + entries.len() * 120);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for entry in entries {
        let _ = write!(
            xml,
            "<url><loc>{}</loc>",
            escape(&routes.absolute(&entry.path)[..])
        );
        if let Some(date) = &entry.lastmod {
            let _ = write!(xml, "<lastmod>{date}</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(routes: Routes) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        routes.absolute(&routes.sitemap())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<SitemapEntry> {
        (0..n)
            .map(|i| SitemapEntry {
                path: format!("papers/{i}/"),
                lastmod: None,
            })
            .collect()
    }

    #[test]
    fn one_sitemap_until_the_limit_then_an_index() {
        let config = crate::Config::parse("", std::path::Path::new("site.toml")).unwrap();
        let routes = Routes::new(&config);
        let one = sitemaps_of(&entries(3), routes, 3);
        assert_eq!(one.len(), 1);
        assert!(one[0].1.contains("<urlset"));
        let split = sitemaps_of(&entries(7), routes, 3);
        let paths: Vec<&str> = split.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        assert!(split[0].1.contains("<sitemapindex"));
        assert!(split[0].1.contains("/sitemap-3.xml</loc>"));
        assert_eq!(split[3].1.matches("<url>").count(), 1);
    }
}
