//! Which rebuild a changed file calls for: a pure function of the path, so
//! it is tested without a file system watcher.

use std::path::Path;

/// What a change touches, in increasing order of rebuild cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Not part of the site (the output, `.git`, editor swap files).
    Ignore,
    /// A paper file: re-parse it, re-render.
    Content,
    /// A static file: re-collect static files.
    Static,
    /// A template: recompile the theme.
    Templates,
    /// `site.toml`: start over.
    Config,
}

/// Classifies `path` (absolute, or relative to `root`) for a site whose theme is `theme`.
pub fn classify(root: &Path, theme: &str, path: &Path) -> Change {
    let rel = path.strip_prefix(root).unwrap_or(path);
    // Editors write scratch files next to the file being saved; the
    // loader skips the same names, so they never change the site.
    if crate::load::is_ignored(rel) {
        return Change::Ignore;
    }
    let theme_dir = Path::new("themes").join(theme);
    if rel == Path::new("site.toml") {
        Change::Config
    } else if rel.starts_with("content") {
        Change::Content
    } else if rel.starts_with("templates")
        || rel.starts_with(theme_dir.join("templates"))
        || rel == theme_dir.join("theme.toml")
    {
        Change::Templates
    } else if rel.starts_with("static") || rel.starts_with(theme_dir.join("static")) {
        Change::Static
    } else {
        Change::Ignore
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_the_right_rebuild() {
        let root = Path::new("/site");
        let c = |p: &str| classify(root, "default", Path::new(p));
        assert_eq!(c("/site/content/papers/a.md"), Change::Content);
        assert_eq!(c("content/papers/sub/b.md"), Change::Content);
        assert_eq!(c("/site/site.toml"), Change::Config);
        assert_eq!(c("/site/templates/paper.html"), Change::Templates);
        assert_eq!(
            c("/site/themes/default/templates/base.html"),
            Change::Templates
        );
        assert_eq!(
            c("/site/themes/other/templates/base.html"),
            Change::Ignore,
            "not the active theme"
        );
        assert_eq!(c("/site/static/logo.png"), Change::Static);
        assert_eq!(c("/site/themes/default/static/style.css"), Change::Static);
        assert_eq!(c("/site/public/index.html"), Change::Ignore);
        assert_eq!(c("/site/.git/index"), Change::Ignore);
        assert_eq!(c("/site/content/papers/.a.md.swp"), Change::Ignore);
        assert_eq!(c("/site/content/papers/a.md~"), Change::Ignore);
        assert_eq!(c("/site/content/papers/4913"), Change::Ignore);
    }

    #[test]
    fn the_costliest_change_wins() {
        let batch = [Change::Content, Change::Templates, Change::Static];
        assert_eq!(batch.iter().max(), Some(&Change::Templates));
    }
}
