//! Stage 4: the site model and theme to output files, as values. Nothing
//! here touches the output folder; [`crate::write`] does.

mod cite;
pub mod context;
pub mod feeds;
mod pages;
pub mod sitemap;
pub mod theme;

use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::Site;
use context::{PaperCtx, SiteCtx, author_path, paper_path, tag_path};
use feeds::FeedSpec;
use pages::Env;
use sitemap::SitemapEntry;
use theme::Theme;

/// JSON with `<`, `>` and `&` written as `\u` escapes: the same data for
/// any JSON parser, but no field can ever be read as markup, whether the
/// JSON ends up inside a `<script>` element or is opened by a careless viewer.
pub fn html_safe_json(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string_pretty(value).expect("our JSON values always serialize");
    let mut out = text
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    out.push('\n');
    out
}

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
    /// A static file of the built-in theme.
    Static(&'static [u8]),
}

/// The stylesheet for highlighted code, from the themes named in the config.
pub fn syntax_css(config: &Config) -> Result<String, Diagnostic> {
    crate::parse::highlight::stylesheet(&config.highlight_theme_light, &config.highlight_theme_dark)
        .map_err(|e| Diagnostic::error(std::path::Path::new("site.toml"), e))
}

/// Every file of the site, sorted by path, one entry per path. `syntax_css`
/// comes from [`syntax_css`], computed once per configuration.
pub fn render_site(
    site: &Site,
    config: &Config,
    theme: &Theme,
    syntax_css: &str,
) -> Result<Vec<Output>, Diagnostic> {
    let (env, papers, cards) = prepare(site, config, theme)?;

    let mut html = pages::paper_pages(&env, site, &papers)?;
    html.extend(pages::index_pages(&env, site, &cards)?);
    html.extend(pages::trending_pages(&env, site, &cards)?);
    html.extend(pages::tag_pages(&env, site, &cards)?);
    html.push(pages::tags_index(&env, site)?);
    html.extend(pages::author_pages(&env, site, &cards)?);
    html.push(pages::authors_index(&env, site)?);
    html.extend(pages::day_pages(&env, site, &cards)?);
    html.extend(pages::archive_pages(&env, site, &cards)?);
    html.extend(pages::collection_pages(&env, site, &cards)?);
    html.push(pages::search_page(&env)?);
    let feed_groups = pages::feed_groups(&env, site);
    html.push(pages::feeds_index(&env, &feed_groups)?);
    let sitemap_entries = sitemap_entries(site, &html);
    html.push(pages::not_found(&env)?);

    let mut out: Vec<Output> = theme
        .static_files
        .iter()
        .map(|(path, source)| Output {
            path: path.clone(),
            content: match source {
                theme::StaticFile::Disk(file) => Content::Copy(file.clone()),
                theme::StaticFile::Embedded(bytes) => Content::Static(bytes),
            },
        })
        .collect();
    let mut generated: Vec<(String, String)> = html;
    generated.push(("syntax.css".into(), syntax_css.to_string()));
    generated.extend(all_feeds(site, config));
    generated.extend(crate::search::index::build(site, &cards));
    generated.push(("feeds.opml".into(), opml(config, &feed_groups)));
    generated.push((
        "sitemap.xml".into(),
        sitemap::sitemap(&sitemap_entries, config),
    ));
    generated.push(("robots.txt".into(), sitemap::robots(config)));
    generated.push((".nojekyll".into(), String::new()));
    if let Some(domain) = &config.cname {
        generated.push(("CNAME".into(), format!("{domain}\n")));
    }
    // Generated files win over static files of the same name.
    out.retain(|o| !generated.iter().any(|(p, _)| p == &o.path));
    out.extend(generated.into_iter().map(|(path, text)| Output {
        path,
        content: Content::Bytes(text.into_bytes()),
    }));
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The search index alone, with the cards it shows (for benchmarks).
pub fn search_files(
    site: &Site,
    config: &Config,
    theme: &Theme,
) -> Result<Vec<(String, String)>, Diagnostic> {
    let (_, _, cards) = prepare(site, config, theme)?;
    Ok(crate::search::index::build(site, &cards))
}

/// What every page needs: the render environment, each paper's template
/// context, and each paper's card, rendered once.
fn prepare<'a>(
    site: &'a Site,
    config: &'a Config,
    theme: &'a Theme,
) -> Result<(Env<'a>, Vec<PaperCtx<'a>>, Vec<String>), Diagnostic> {
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
    Ok((env, papers, cards))
}

/// RSS, Atom and JSON Feed for the site, every tag and every author.
fn all_feeds(site: &Site, config: &Config) -> Vec<(String, String)> {
    let all: Vec<_> = site.papers.iter().take(config.feed_limit).collect();
    let main = FeedSpec {
        title: config.title.clone(),
        description: config.description.clone(),
        page_path: "",
    };
    let mut out = feeds::feeds(&main, &all, config);
    let subjects: Vec<(String, String, &[usize])> = site
        .tags
        .iter()
        .map(|t| (tag_path(&t.slug), t.name.clone(), &t.papers[..]))
        .chain(
            site.authors
                .iter()
                .map(|a| (author_path(&a.slug), a.name.clone(), &a.papers[..])),
        )
        .chain(site.collections.iter().map(|c| {
            (
                pages::collection_path(&c.slug),
                c.name.clone(),
                &c.papers[..],
            )
        }))
        .collect();
    let per_subject: Vec<Vec<(String, String)>> = subjects
        .par_iter()
        .map(|(page, name, members)| {
            let papers: Vec<_> = members
                .iter()
                .take(config.feed_limit)
                .map(|&i| &site.papers[i])
                .collect();
            let spec = FeedSpec {
                title: format!("{} — {name}", config.title),
                description: format!("Papers: {name}"),
                page_path: page,
            };
            feeds::feeds(&spec, &papers, config)
        })
        .collect();
    out.extend(per_subject.into_iter().flatten());
    out
}

fn opml(config: &Config, groups: &[pages::FeedGroup]) -> String {
    let rows: Vec<feeds::opml::Group> = groups
        .iter()
        .map(|g| {
            let feeds = g
                .rows
                .iter()
                .flat_map(|row| {
                    row.feeds.iter().map(|f| {
                        let page = config.base_url.absolute(
                            row.page
                                .strip_prefix(&config.base_url.path)
                                .unwrap_or(&row.page),
                        );
                        (f.title.clone(), f.url.clone(), page)
                    })
                })
                .collect();
            (g.name, feeds)
        })
        .collect();
    feeds::opml(&format!("{} feeds", config.title), &rows)
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
