//! `site.toml`: the raw file as written, and the resolved configuration the
//! rest of the pipeline uses (defaults applied, URLs validated).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::routes::{FeedFormat, Outputs};

/// `site.toml` exactly as the user wrote it.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    paginate_by: Option<usize>,
    feed_limit: Option<usize>,
    card_authors: Option<usize>,
    summary_chars: Option<usize>,
    unsafe_html: Option<bool>,
    highlight_theme_light: Option<String>,
    highlight_theme_dark: Option<String>,
    cname: Option<String>,
    collections: Option<Vec<RawCollection>>,
    outputs: Option<RawOutputs>,
    sources: Option<Vec<crate::sync::Source>>,
}

/// `[outputs]` as written; [`crate::routes::Outputs`] has the defaults.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawOutputs {
    site_feeds: Option<Vec<FeedFormat>>,
    tag_feeds: Option<Vec<FeedFormat>>,
    author_feeds: Option<Vec<FeedFormat>>,
    collection_feeds: Option<Vec<FeedFormat>>,
    digest_feeds: Option<Vec<FeedFormat>>,
    author_page_min_papers: Option<usize>,
    citation_files: Option<bool>,
    authors_per_page: Option<usize>,
    feeds_page_authors: Option<bool>,
    author_abstracts: Option<bool>,
}

/// A saved search as written in `[[collections]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCollection {
    name: String,
    title: Option<String>,
    query: String,
}

/// A saved search: a listing page `c/<slug>/` with its own feeds.
#[derive(Debug, Clone)]
pub struct Collection {
    pub slug: String,
    pub title: String,
    pub query_text: String,
    pub query: crate::search::Query,
}

/// The configuration every later stage reads. Built only by [`Config::load`]
/// or [`Config::parse`], so defaults live in one place.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    pub language: String,
    pub theme: String,
    pub paginate_by: usize,
    pub feed_limit: usize,
    /// How many author names a card shows before "et al.".
    pub card_authors: usize,
    /// Length of the abstract opening on cards, in characters.
    pub summary_chars: usize,
    pub unsafe_html: bool,
    pub highlight_theme_light: String,
    pub highlight_theme_dark: String,
    /// Custom domain for GitHub Pages, written to `CNAME`.
    pub cname: Option<String>,
    pub collections: Vec<Collection>,
    /// Which outputs are built; [`crate::routes`] interprets them.
    pub outputs: Outputs,
    /// Where `paperfeed sync` fetches papers from.
    pub sources: Vec<crate::sync::Source>,
}

/// The public address of the site, split so templates can build both
/// absolute URLs (feeds, sitemap) and root-relative links (pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Always ends with `/`, e.g. `https://user.github.io/repo/`.
    pub absolute: String,
    /// The path part, starting and ending with `/`, e.g. `/repo/`.
    pub path: String,
}

impl BaseUrl {
    pub fn parse(input: &str) -> Result<BaseUrl, String> {
        let url =
            url::Url::parse(input.trim()).map_err(|e| format!("`{input}` is not a URL ({e})"))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(format!("`{input}` must start with http:// or https://"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("`{input}` must not have a query or fragment"));
        }
        let mut absolute = url.to_string();
        if !absolute.ends_with('/') {
            absolute.push('/');
        }
        let mut path = url.path().to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl { absolute, path })
    }

    /// Root-relative link to a site path such as `papers/x/`.
    pub fn link(&self, site_path: &str) -> String {
        format!("{}{}", self.path, site_path)
    }

    /// Absolute URL of a site path, for feeds and the sitemap.
    pub fn absolute(&self, site_path: &str) -> String {
        format!("{}{}", self.absolute, site_path)
    }
}

impl Config {
    /// Reads `site.toml` in `root`. A missing file gives the defaults.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join("site.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, Path::new("site.toml")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Config::parse("", Path::new("site.toml"))
            }
            Err(e) => Err(Diagnostic::error(&path, format!("cannot read: {e}"))),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, Diagnostic> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            Diagnostic::error(path, e.message().to_string())
                .at(text, line, column)
                .with_help("see the site.toml reference in the README")
        })?;
        resolve(raw).map_err(|(key, message)| {
            // A query error names the query text; point into it when possible.
            if let Some((query, column)) = key.strip_prefix("query:").and_then(|k| k.split_once('\u{0}')) {
                let column: usize = column.parse().unwrap_or(1);
                if let Some((i, line)) = text.lines().enumerate().find(|(_, l)| l.contains(query)) {
                    let start = line[..line.find(query).unwrap_or(0)].chars().count();
                    return Diagnostic::error(path, message)
                        .at(text, i + 1, start + column)
                        .with_help("queries use words, \"phrases\", tag:, author:, year:, -, OR and parentheses; see the README");
                }
            }
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(key.as_str()))
                .map_or(0, |i| i + 1);
            Diagnostic::error(path, message).at(text, line, 1)
        })
    }
}

/// Applies defaults and validates. Destructures exhaustively so a new field
/// in [`RawConfig`] cannot be forgotten here.
fn resolve(raw: RawConfig) -> Result<Config, (String, String)> {
    let RawConfig {
        title,
        description,
        base_url,
        language,
        theme,
        paginate_by,
        feed_limit,
        card_authors,
        summary_chars,
        unsafe_html,
        highlight_theme_light,
        highlight_theme_dark,
        cname,
        collections,
        outputs,
        sources,
    } = raw;
    let mut resolved = Vec::new();
    for c in collections.unwrap_or_default() {
        let slug = crate::slug::slugify(&c.name);
        if slug.is_empty() {
            return Err((
                "name".into(),
                format!("collection name `{}` has no letters or digits", c.name),
            ));
        }
        if resolved.iter().any(|r: &Collection| r.slug == slug) {
            return Err(("name".into(), format!("two collections are named `{slug}`")));
        }
        let query = crate::search::Query::parse(&c.query).map_err(|e| {
            (
                format!("query:{}\u{0}{}", c.query, e.column),
                format!("collection `{}`: {}", c.name, e.message),
            )
        })?;
        resolved.push(Collection {
            title: c.title.unwrap_or_else(|| c.name.clone()),
            slug,
            query_text: c.query,
            query,
        });
    }
    let cname = cname.map(|c| c.trim().to_string());
    if let Some(c) = &cname
        && (c.is_empty() || c.contains(['/', ':', ' ']))
    {
        return Err((
            "cname".to_string(),
            format!("`{c}` is not a domain name (write e.g. papers.example.org)"),
        ));
    }
    let base_url = BaseUrl::parse(base_url.as_deref().unwrap_or("http://127.0.0.1:1111/"))
        .map_err(|e| ("base_url".to_string(), e))?;
    let theme = theme.unwrap_or_else(|| "default".into());
    if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
        return Err((
            "theme".into(),
            format!("`{theme}` is not a theme folder name"),
        ));
    }
    let positive = |key: &'static str, v: Option<usize>, default: usize| match v {
        Some(0) => Err((key.to_string(), format!("`{key}` must be at least 1"))),
        Some(n) => Ok(n),
        None => Ok(default),
    };
    Ok(Config {
        title: title.unwrap_or_else(|| "Papers".into()),
        description: description.unwrap_or_default(),
        base_url,
        language: language.unwrap_or_else(|| "en".into()),
        theme,
        paginate_by: positive("paginate_by", paginate_by, 30)?,
        feed_limit: positive("feed_limit", feed_limit, 20)?,
        card_authors: positive("card_authors", card_authors, 4)?,
        summary_chars: positive("summary_chars", summary_chars, 280)?,
        unsafe_html: unsafe_html.unwrap_or(false),
        highlight_theme_light: highlight_theme_light.unwrap_or_else(|| "InspiredGitHub".into()),
        highlight_theme_dark: highlight_theme_dark.unwrap_or_else(|| "base16-ocean.dark".into()),
        cname,
        collections: resolved,
        outputs: resolve_outputs(outputs.unwrap_or_default())?,
        sources: sources.unwrap_or_default(),
    })
}

fn resolve_outputs(raw: RawOutputs) -> Result<Outputs, (String, String)> {
    let RawOutputs {
        site_feeds,
        tag_feeds,
        author_feeds,
        collection_feeds,
        digest_feeds,
        author_page_min_papers,
        citation_files,
        authors_per_page,
        feeds_page_authors,
        author_abstracts,
    } = raw;
    let defaults = Outputs::default();
    // A format named twice would be written twice to one file.
    let formats = |key: &str, v: Option<Vec<FeedFormat>>, default: Vec<FeedFormat>| {
        let v = v.unwrap_or(default);
        if FeedFormat::ALL
            .iter()
            .any(|f| v.iter().filter(|g| *g == f).count() > 1)
        {
            return Err((key.to_string(), format!("`{key}` names a format twice")));
        }
        Ok(v)
    };
    if authors_per_page == Some(0) {
        return Err((
            "authors_per_page".into(),
            "`authors_per_page` must be at least 1".into(),
        ));
    }
    Ok(Outputs {
        site_feeds: formats("site_feeds", site_feeds, defaults.site_feeds)?,
        tag_feeds: formats("tag_feeds", tag_feeds, defaults.tag_feeds)?,
        author_feeds: formats("author_feeds", author_feeds, defaults.author_feeds)?,
        collection_feeds: formats(
            "collection_feeds",
            collection_feeds,
            defaults.collection_feeds,
        )?,
        digest_feeds: formats("digest_feeds", digest_feeds, defaults.digest_feeds)?,
        author_page_min_papers: author_page_min_papers
            .unwrap_or(defaults.author_page_min_papers)
            .max(1),
        citation_files: citation_files.unwrap_or(defaults.citation_files),
        authors_per_page: authors_per_page.unwrap_or(defaults.authors_per_page),
        feeds_page_authors: feeds_page_authors.unwrap_or(defaults.feeds_page_authors),
        author_abstracts: author_abstracts.unwrap_or(defaults.author_abstracts),
    })
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where the site lives and what this run overrides.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Warnings fail the run too (for CI).
    pub strict: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_to_an_empty_file() {
        let c = Config::parse("", Path::new("site.toml")).unwrap();
        assert_eq!(c.paginate_by, 30);
        assert_eq!(c.theme, "default");
        assert_eq!(c.base_url.path, "/");
    }

    #[test]
    fn base_url_keeps_its_sub_path() {
        let b = BaseUrl::parse("https://user.github.io/repo").unwrap();
        assert_eq!(b.absolute, "https://user.github.io/repo/");
        assert_eq!(b.path, "/repo/");
        assert_eq!(b.link("papers/x/"), "/repo/papers/x/");
        assert!(BaseUrl::parse("ftp://x/").is_err());
        assert!(BaseUrl::parse("not a url").is_err());
    }

    #[test]
    fn unknown_key_is_located() {
        let err =
            Config::parse("title = \"x\"\npaginateby = 3\n", Path::new("site.toml")).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("paginateby"), "{}", err.message);
    }

    #[test]
    fn zero_page_size_is_refused_at_its_line() {
        let err = Config::parse("\npaginate_by = 0\n", Path::new("site.toml")).unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn collections_parse_and_query_errors_point_into_site_toml() {
        let ok = "[[collections]]\nname = \"Teh\"\nquery = 'author:\"Yee Whye Teh\" OR tag:rl'\n";
        let c = Config::parse(ok, Path::new("site.toml")).unwrap();
        assert_eq!(c.collections[0].slug, "teh");
        let bad =
            "title = \"x\"\n[[collections]]\nname = \"x\"\nquery = \"tag:rl OR (year:2024\"\n";
        let err = Config::parse(bad, Path::new("site.toml")).unwrap_err();
        assert_eq!((err.line, err.column), (4, 20), "{err}");
        assert!(err.message.contains("never closed"));
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
