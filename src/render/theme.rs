//! Templates and static files: the theme's, overridden file by file by the
//! site's own `templates/` and `static/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

/// The default theme, compiled in so a site without a `themes/` folder
/// builds; `paperfeed theme eject` writes it out for editing.
pub static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Where a static file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticFile {
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

/// Compiled templates plus the static files to copy, in copy order.
pub struct Theme {
    pub tera: tera::Tera,
    /// Template name → file it came from, for error messages.
    sources: BTreeMap<String, PathBuf>,
    /// Output-relative path → source; the site's entries replace the theme's.
    pub static_files: BTreeMap<String, StaticFile>,
    /// Template name → hash of its text and of every template it names, so
    /// a page's cache key changes exactly when a template it uses changes.
    keys: BTreeMap<String, u64>,
}

/// Templates every theme must provide.
const REQUIRED: [&str; 11] = [
    "search.html",
    "list.html",
    "authors.html",
    "archive.html",
    "feeds.html",
    "index.html",
    "paper.html",
    "tags.html",
    "tag.html",
    "404.html",
    "partials/card.html",
];

impl Theme {
    /// The theme `name`: `themes/<name>/` in the site if it exists, else the
    /// built-in default theme; the site's `templates/` and `static/` override
    /// it file by file.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
        let theme_dir = root.join("themes").join(name);
        let rel_theme = Path::new("themes").join(name);
        // Template name → (file shown in messages, text).
        let mut templates: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
        let mut static_files: BTreeMap<String, StaticFile> = BTreeMap::new();
        if theme_dir.is_dir() {
            templates.extend(read_templates(root, &rel_theme.join("templates"))?);
            static_files.extend(disk_static(root, &rel_theme.join("static"))?);
        } else if name == "default" {
            let rel = Path::new("(built-in theme)/templates");
            for (key, file) in embedded_files("templates") {
                let text = file.contents_utf8().unwrap_or_default().to_string();
                templates.insert(key.clone(), (rel.join(&key), text));
            }
            for (key, file) in embedded_files("static") {
                static_files.insert(key, StaticFile::Embedded(file.contents()));
            }
        } else {
            return Err(Diagnostic::error(
                Path::new("site.toml"),
                format!("theme `{name}` not found: there is no folder {}", rel_theme.display()),
            )
            .with_help("set `theme` in site.toml to a folder under themes/, or remove it to use the built-in default theme"));
        }
        templates.extend(read_templates(root, Path::new("templates"))?);
        static_files.extend(disk_static(root, Path::new("static"))?);

        let mut sources = BTreeMap::new();
        let mut raw = Vec::new();
        for (name, (rel, text)) in templates {
            raw.push((name.clone(), text));
            sources.insert(name, rel);
        }
        for required in REQUIRED {
            if !sources.contains_key(required) {
                return Err(Diagnostic::error(
                    &rel_theme.join("templates").join(required),
                    "template missing",
                )
                .with_help(format!("theme `{name}` must provide templates/{required}")));
            }
        }
        let mut tera = tera::Tera::new();
        let mut theme = Theme {
            tera: tera::Tera::new(),
            sources,
            static_files,
            keys: template_keys(&raw),
        };
        tera.add_raw_templates(raw.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| theme.template_error(&e, &raw))?;
        theme.tera = tera;
        Ok(theme)
    }

    /// The cache key of `template`: changes when it or anything it extends,
    /// includes or imports changes.
    pub fn key(&self, template: &str) -> u64 {
        self.keys.get(template).copied().unwrap_or_default()
    }

    /// One key for every template and static file together.
    pub fn key_of_all(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        self.keys.hash(&mut h);
        for (path, file) in &self.static_files {
            path.hash(&mut h);
            match file {
                // Unreadable now: a key that cannot match, so the build runs
                // and reports it.
                StaticFile::Disk(source) => match std::fs::read(source) {
                    Ok(bytes) => bytes.hash(&mut h),
                    Err(_) => std::time::SystemTime::now().hash(&mut h),
                },
                StaticFile::Embedded(bytes) => bytes.hash(&mut h),
            }
        }
        h.finish()
    }

    /// Renders `template` with `context`, naming the template's file on error.
    pub fn render(&self, template: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        self.tera
            .render(template, context)
            .map_err(|e| self.template_error(&e, &[]))
    }

    fn template_error(&self, error: &tera::Error, raw: &[(String, String)]) -> Diagnostic {
        use tera::ErrorKind;
        match error.kind() {
            ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
                let file = self
                    .sources
                    .get(report.filename())
                    .cloned()
                    .unwrap_or_else(|| PathBuf::from(report.filename()));
                let source = raw
                    .iter()
                    .find(|(n, _)| n == report.filename())
                    .map(|(_, t)| t.clone())
                    .or_else(|| std::fs::read_to_string(&file).ok())
                    .unwrap_or_default();
                let span = report.span();
                Diagnostic::error(&file, format!("template error: {}", report.message())).at(
                    &source,
                    span.start_line,
                    span.start_col + 1,
                )
            }
            _ => {
                let text = full_chain(error);
                match locate_report(&text) {
                    Some((name, line, column, message)) => {
                        let file = self
                            .sources
                            .get(name)
                            .cloned()
                            .unwrap_or_else(|| PathBuf::from(name));
                        let source = raw
                            .iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, t)| t.clone())
                            .unwrap_or_default();
                        Diagnostic::error(&file, format!("template error: {message}"))
                            .at(&source, line, column)
                    }
                    None => {
                        Diagnostic::error(Path::new("templates"), format!("template error: {text}"))
                    }
                }
            }
        }
    }
}

/// Each template's hash combined with the hashes of the templates it
/// mentions in quotes (`extends`, `include`, `import` all quote the name).
/// Mentioning a name without using it only costs a needless re-render.
fn template_keys(raw: &[(String, String)]) -> BTreeMap<String, u64> {
    use std::hash::{Hash, Hasher};
    let texts: BTreeMap<&str, &str> = raw.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let mentions = |text: &str| -> Vec<&str> {
        texts
            .keys()
            .copied()
            .filter(|name| {
                text.contains(&format!("\"{name}\"")) || text.contains(&format!("'{name}'"))
            })
            .collect()
    };
    let mut keys = BTreeMap::new();
    for name in texts.keys() {
        // Every template reachable from `name`, itself included.
        let mut seen = std::collections::BTreeSet::from([*name]);
        let mut todo = vec![*name];
        while let Some(next) = todo.pop() {
            for dep in mentions(texts[next]) {
                if seen.insert(dep) {
                    todo.push(dep);
                }
            }
        }
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for dep in seen {
            (dep, texts[dep]).hash(&mut h);
        }
        keys.insert(name.to_string(), h.finish());
    }
    keys
}

/// Tera reports validation errors (unknown filters, tests, functions) as
/// preformatted text: `error: Unknown filter `x`` then ` --> name:line:col`.
/// Picks the first such report apart so the diagnostic names the file.
fn locate_report(text: &str) -> Option<(&str, usize, usize, &str)> {
    let mut message = "";
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(m) = trimmed.strip_prefix("error: ") {
            message = m;
        } else if let Some(place) = trimmed.strip_prefix("--> ") {
            let mut parts = place.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            let name = parts.next()?;
            return Some((name, line, column, message));
        }
    }
    None
}

fn full_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Files of the embedded default theme under `folder`, keyed by their
/// `/`-separated path inside it.
pub fn embedded_files(folder: &str) -> Vec<(String, &'static include_dir::File<'static>)> {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<&'static include_dir::File<'static>>) {
        out.extend(dir.files());
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut files = Vec::new();
    if let Some(dir) = DEFAULT_THEME.get_dir(folder) {
        walk(dir, &mut files);
    }
    let mut keyed: Vec<_> = files
        .into_iter()
        .map(|f| {
            let inner = f.path().strip_prefix(folder).unwrap_or(f.path());
            (inner.to_string_lossy().replace('\\', "/"), f)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed
}

fn read_templates(
    root: &Path,
    rel: &Path,
) -> Result<BTreeMap<String, (PathBuf, String)>, Diagnostic> {
    let mut out = BTreeMap::new();
    for (name, rel) in collect(&root.join(rel), rel)? {
        let text = std::fs::read_to_string(root.join(&rel))
            .map_err(|e| Diagnostic::error(&rel, format!("cannot read template: {e}")))?;
        out.insert(name, (rel, text));
    }
    Ok(out)
}

fn disk_static(root: &Path, rel: &Path) -> Result<BTreeMap<String, StaticFile>, Diagnostic> {
    Ok(collect(&root.join(rel), rel)?
        .into_iter()
        .map(|(name, rel)| (name, StaticFile::Disk(root.join(rel))))
        .collect())
}

/// Files under `dir`, keyed by their `/`-separated path inside it, valued by
/// `rel` joined with that path (the path shown to users).
fn collect(dir: &Path, rel: &Path) -> Result<BTreeMap<String, PathBuf>, Diagnostic> {
    let mut found = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Diagnostic::error(rel, e.to_string()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let inner = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let key = inner
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        found.insert(key, rel.join(inner));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn minimal_theme(root: &Path) {
        for t in REQUIRED {
            write(
                root,
                &format!("themes/t/templates/{t}"),
                &format!("theme {t}"),
            );
        }
        write(root, "themes/t/static/style.css", "theme");
    }

    #[test]
    fn site_templates_and_static_override_the_theme() {
        let dir = tempfile::tempdir().unwrap();
        minimal_theme(dir.path());
        write(dir.path(), "templates/paper.html", "site paper");
        write(dir.path(), "static/style.css", "site");
        write(dir.path(), "static/extra.txt", "x");
        let theme = Theme::load(dir.path(), "t").unwrap();
        let ctx = tera::Context::new();
        assert_eq!(theme.render("paper.html", &ctx).unwrap(), "site paper");
        assert_eq!(
            theme.render("index.html", &ctx).unwrap(),
            "theme index.html"
        );
        assert_eq!(
            theme.static_files["style.css"],
            StaticFile::Disk(dir.path().join("static/style.css"))
        );
        assert!(theme.static_files.contains_key("extra.txt"));
    }

    #[test]
    fn template_syntax_error_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        minimal_theme(dir.path());
        write(dir.path(), "templates/tag.html", "ok\n{% if %}\n");
        let err = Theme::load(dir.path(), "t").err().unwrap();
        assert_eq!(err.path, Path::new("templates/tag.html"));
        assert_eq!(err.line, 2);
    }

    #[test]
    fn the_default_theme_is_built_in() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "templates/404.html", "site 404");
        let theme = Theme::load(dir.path(), "default").unwrap();
        assert!(matches!(
            theme.static_files["style.css"],
            StaticFile::Embedded(_)
        ));
        assert_eq!(
            theme.render("404.html", &tera::Context::new()).unwrap(),
            "site 404"
        );
        assert!(
            theme
                .tera
                .get_template_names()
                .any(|n| n == "partials/card.html")
        );
    }

    #[test]
    fn missing_theme_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let err = Theme::load(dir.path(), "nope").err().unwrap();
        assert!(err.message.contains("theme `nope` not found"));
    }
}
