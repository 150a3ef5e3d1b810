//! Stage 4: the site model and theme to output files, as values. Nothing
//! here touches the output folder; [`crate::write`] does.

mod cite;
pub mod context;
pub mod feeds;
mod pages;
pub mod sitemap;
pub mod theme;
pub mod units;
pub mod xml;

use std::path::PathBuf;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::Site;
use theme::Theme;
use units::Renderer;

/// JSON with `<`, `>` and `&` written as `\u` escapes: the same data for
/// any JSON parser, but no field can ever be read as markup, whether the
/// JSON ends up inside a `<script>` element or is opened by a careless viewer.
pub fn html_safe_json(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string_pretty(value).expect("our JSON values always serialize");
    escape_json(text)
}

/// [`html_safe_json`] on one line, for JSON no person reads as a file
/// (JSON-LD inside pages, the search index): it repeats on every page or
/// in every chunk, so the indentation would cost megabytes.
pub fn html_safe_json_compact(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).expect("our JSON values always serialize");
    escape_json(text)
}

fn escape_json(text: String) -> String {
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

impl Output {
    /// The file's bytes; a static file copied from disk is read here, and
    /// an error names that file.
    pub fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>, (&std::path::Path, std::io::Error)> {
        Ok(match &self.content {
            Content::Bytes(bytes) => bytes.into(),
            Content::Static(bytes) => (*bytes).into(),
            Content::Copy(from) => std::fs::read(from).map_err(|e| (from.as_path(), e))?.into(),
        })
    }
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

/// Every file of the site, sorted by path, one entry per path: the engine
/// run over an empty store in memory. `syntax_css` comes from
/// [`syntax_css`], computed once per configuration.
pub fn render_site(
    site: &Site,
    config: &Config,
    theme: &Theme,
    syntax_css: &str,
) -> Result<Vec<Output>, Diagnostic> {
    let renderer = Renderer::new(site, config, theme, syntax_css);
    let mut store = crate::engine::MemoryStore::default();
    let plan = renderer.plan();
    crate::engine::update(
        &renderer,
        &mut store,
        crate::engine::Scope::Site(&plan),
        &|_| false,
    )
    .map_err(|e| e.into_diagnostic(std::path::Path::new("(memory)")))?;
    Ok(store.into_outputs())
}

/// The search index alone (for benchmarks).
pub fn search_files(
    site: &Site,
    config: &Config,
    theme: &Theme,
) -> Result<Vec<Output>, Diagnostic> {
    let renderer = Renderer::new(site, config, theme, "");
    let mut files = Vec::new();
    for unit in renderer.search_units() {
        files.extend(renderer.render(unit)?);
    }
    Ok(files)
}

pub(crate) fn opml(config: &Config, groups: &[pages::FeedGroup]) -> String {
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
