//! Stage 4: the site model and theme to output files, as values. Nothing
//! here touches the output folder; [`crate::write`] does.

pub mod context;
pub mod feed;
mod pages;
pub mod sitemap;
pub mod theme;

use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::Site;
use crate::parse::highlight;
use context::{PaperCtx, SiteCtx, paper_path, tag_path};
use feed::FeedSpec;
use pages::Env;
use sitemap::SitemapEntry;
use theme::Theme;

/// One file of the built site.
#[derive(Debug)]
pub struct Output {
    /// `/`-separated path inside the output folder.
    pub path: String,
    pub content: Content,
}

#[derive(Debug)]
pub enum Content {
    Bytes(Vec<u8>),
    /// A static file copied as it is.
    Copy(PathBuf),
}

/// Every file of the site, sorted by path, one entry per path.
pub fn render_site(site: &Site, config: &Config, theme: &Theme) -> Result<Vec<Output>, Diagnostic> {
    let env = Env {
        config,
        theme,
        site: SiteCtx::new(config),
    };
    let papers: Vec<PaperCtx> = site
        .papers
        .par_iter()
        .map(|p| PaperCtx::new(p, config))
        .collect();
    let cards = pages::cards(&env, &papers)?;

    let mut html = pages::paper_pages(&env, &papers)?;
    html.extend(pages::index_pages(&env, site, &cards)?);
    html.extend(pages::tag_pages(&env, site, &cards)?);
    html.push(pages::tags_index(&env, site)?);
    let sitemap_entries = sitemap_entries(site, &html);
    html.push(pages::not_found(&env)?);

    let mut out: Vec<Output> = theme
        .static_files
        .iter()
        .map(|(path, source)| Output {
            path: path.clone(),
            content: Content::Copy(source.clone()),
        })
        .collect();
    let syntax_css =
        highlight::stylesheet(&config.highlight_theme_light, &config.highlight_theme_dark)
            .map_err(|e| Diagnostic::error(std::path::Path::new("site.toml"), e))?;
    let mut generated: Vec<(String, String)> = html;
    generated.push(("syntax.css".into(), syntax_css));
    generated.extend(feeds(site, config));
    generated.push((
        "sitemap.xml".into(),
        sitemap::sitemap(&sitemap_entries, config),
    ));
    generated.push(("robots.txt".into(), sitemap::robots(config)));
    generated.push((".nojekyll".into(), String::new()));
    // Generated files win over static files of the same name.
    out.retain(|o| !generated.iter().any(|(p, _)| p == &o.path));
    out.extend(generated.into_iter().map(|(path, text)| Output {
        path,
        content: Content::Bytes(text.into_bytes()),
    }));
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn feeds(site: &Site, config: &Config) -> Vec<(String, String)> {
    let all: Vec<_> = site.papers.iter().collect();
    let main = FeedSpec {
        title: config.title.clone(),
        description: config.description.clone(),
        page_path: "",
        feed_path: "rss.xml".into(),
    };
    let mut out = vec![("rss.xml".to_string(), feed::rss(&main, &all, config))];
    let per_tag: Vec<(String, String)> = site
        .tags
        .par_iter()
        .map(|tag| {
            let page = tag_path(&tag.slug);
            let papers: Vec<_> = tag
                .papers
                .iter()
                .take(config.feed_limit)
                .map(|&i| &site.papers[i])
                .collect();
            let spec = FeedSpec {
                title: format!("{} — {}", config.title, tag.name),
                description: format!("Papers tagged “{}”", tag.name),
                page_path: &page,
                feed_path: format!("{page}rss.xml"),
            };
            (spec.feed_path.clone(), feed::rss(&spec, &papers, config))
        })
        .collect();
    out.extend(per_tag);
    out
}

/// Every HTML page but the 404 page; papers carry their date as `lastmod`.
fn sitemap_entries(site: &Site, pages: &[(String, String)]) -> Vec<SitemapEntry> {
    let mut entries: Vec<SitemapEntry> = site
        .papers
        .iter()
        .map(|p| SitemapEntry {
            path: paper_path(p),
            lastmod: Some(p.date.to_string()),
        })
        .collect();
    entries.extend(
        pages
            .iter()
            .filter(|(path, _)| !path.starts_with("papers/"))
            .map(|(path, _)| SitemapEntry {
                path: path.trim_end_matches("index.html").to_string(),
                lastmod: None,
            }),
    );
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
}
