//! Stage 1: find and read the paper files. The only code that reads `content/`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

/// One paper file's text, with the path the user knows it by.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, e.g. `content/papers/a.md`; used in messages.
    pub path: PathBuf,
    pub text: String,
}

pub const PAPERS_DIR: &str = "content/papers";

/// Files that editors and tools leave beside real ones, which are never
/// content: dotfiles and dot-folders (`.hidden.md`, Emacs' `.#lock`,
/// `.git/`), backups (`notes.md~`), Emacs' `#autosave#`, Vim's swap files
/// and write probe (`4913`), temporary files. Hugo and Zola skip the same.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swo", ".swx", ".tmp"]
            .iter()
            .any(|ext| name.ends_with(ext))
        || name == "4913"
}

/// Whether any part of `rel` (a path relative to the site root) is an
/// ignored name, so `content/papers/.drafts/a.md` is skipped too.
pub fn is_ignored(rel: &Path) -> bool {
    rel.components()
        .filter_map(|c| c.as_os_str().to_str())
        .any(is_ignored_name)
}

fn walk(dir: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(is_ignored_name))
}

/// Refuses a folder that is not a site: one that does not exist, has no
/// `site.toml` or no `content/`. In CI a wrong working directory or a typo
/// in `--root` would otherwise build an empty site and deploy it over the
/// real one.
pub fn check_site(root: &Path) -> Result<(), Diagnostic> {
    let absolute = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let shown = absolute.display();
    if !root.is_dir() {
        return Err(Diagnostic::error(root, "no such folder").with_help(
            "pass the site's folder with --root, or create a site there with `paperfeed init DIR`",
        ));
    }
    if !root.join("site.toml").is_file() {
        return Err(Diagnostic::error(
            &root.join("site.toml"),
            format!("not found: {shown} is not a paperfeed site"),
        )
        .with_help(
            "run `paperfeed init` to create a site here, or pass the site's folder with --root",
        ));
    }
    if !root.join("content").is_dir() {
        return Err(
            Diagnostic::error(&root.join("content"), "the site has no content/ folder").with_help(
                "papers go in content/papers/*.md; `paperfeed new \"Title\"` writes one",
            ),
        );
    }
    Ok(())
}

/// What a file looks like on disk, from its metadata alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub size: u64,
    /// Nanoseconds since the Unix epoch.
    pub mtime: i128,
}

/// A paper file found under `content/papers`, not yet read.
#[derive(Debug, Clone)]
pub struct Found {
    pub abs: PathBuf,
    /// The path the user knows it by (relative to the site root).
    pub rel: PathBuf,
    pub stamp: Stamp,
}

/// Lists every `*.md` under `content/papers` with its size and time, sorted
/// by path so the rest of the pipeline sees the same order on every
/// machine, and reports what is skipped (symlinks, unreadable entries).
pub fn find_papers(root: &Path) -> (Vec<Found>, Vec<Diagnostic>) {
    let dir = root.join(PAPERS_DIR);
    let mut diagnostics = Vec::new();
    let mut markdown = Vec::new();
    if !dir.is_dir() {
        return (Vec::new(), diagnostics);
    }
    for entry in walk(&dir) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(&dir);
                diagnostics.push(Diagnostic::error(&relative(root, path), e.to_string()));
                continue;
            }
        };
        let rel = relative(root, entry.path());
        if entry.file_type().is_symlink() {
            diagnostics.push(
                Diagnostic::warning(&rel, "symbolic link skipped")
                    .with_help("copy the file into content/papers instead of linking to it"),
            );
            continue;
        }
        if entry.file_type().is_file() && is_markdown(entry.path()) {
            markdown.push((entry.into_path(), rel));
        }
    }
    // The walk itself reads directories (cheap); a stat per file is most of
    // the cost at 100k files, and those run side by side.
    let stamped: Vec<Result<Found, Diagnostic>> = markdown
        .into_par_iter()
        .map(|(abs, rel)| match std::fs::symlink_metadata(&abs) {
            Ok(meta) => Ok(Found {
                stamp: stamp(&meta),
                abs,
                rel,
            }),
            Err(e) => Err(Diagnostic::error(&rel, e.to_string())),
        })
        .collect();
    let mut found = Vec::with_capacity(stamped.len());
    for file in stamped {
        match file {
            Ok(file) => found.push(file),
            Err(problem) => diagnostics.push(problem),
        }
    }
    if found.is_empty() && diagnostics.is_empty() {
        diagnostics.push(
            Diagnostic::warning(Path::new(PAPERS_DIR), "no papers: the site will be empty")
                .with_help(
                    "add Markdown files to content/papers/, e.g. with `paperfeed new \"Title\"`",
                ),
        );
    }
    (found, diagnostics)
}

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Stamp {
        size: meta.len(),
        mtime,
    }
}

/// Reads the `found` files, in parallel, keeping their order; a file that
/// cannot be read becomes a diagnostic.
pub fn read_found(found: &[Found]) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let read: Vec<Result<SourceFile, Diagnostic>> = found
        .par_iter()
        .map(|f| read_source(&f.abs, f.rel.clone()))
        .collect();
    let mut files = Vec::with_capacity(read.len());
    let mut diagnostics = Vec::new();
    for r in read {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diagnostics.push(d),
        }
    }
    (files, diagnostics)
}

/// Reads every paper file ([`find_papers`], then [`read_found`]).
pub fn load_papers(root: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let (found, mut diagnostics) = find_papers(root);
    let (files, problems) = read_found(&found);
    diagnostics.extend(problems);
    (files, diagnostics)
}

/// Re-reads the paper files at `changed` (relative to `root`): `paths`,
/// kept sorted, gains those added and loses those gone, and the files read
/// (added or edited) are returned. `None`, leaving a full [`load_papers`]
/// to sort things out, when a path is not a plain paper file (a folder, a
/// symlink, another file) or cannot be read.
pub fn update(
    root: &Path,
    paths: &mut Vec<PathBuf>,
    changed: &[PathBuf],
) -> Option<Vec<SourceFile>> {
    let mut read = Vec::new();
    for rel in changed {
        if is_ignored(rel) {
            continue;
        }
        if !rel.starts_with(PAPERS_DIR) || !is_markdown(rel) {
            return None;
        }
        let at = paths.binary_search(rel);
        let abs = root.join(rel);
        match std::fs::symlink_metadata(&abs) {
            Ok(meta) if meta.is_file() => {
                read.push(read_source(&abs, rel.clone()).ok()?);
                if let Err(i) = at {
                    paths.insert(i, rel.clone());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Ok(i) = at {
                    paths.remove(i);
                }
            }
            _ => return None,
        }
    }
    Some(read)
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn read_source(abs: &Path, rel: PathBuf) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(abs)
        .map_err(|e| Diagnostic::error(&rel, format!("cannot read the file: {e}")))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile { path: rel, text }),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let lossy = String::from_utf8_lossy(bytes);
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let (line, column) = crate::config::line_col(&prefix, prefix.len());
            Err(Diagnostic::error(&rel, "the file is not valid UTF-8")
                .at(&lossy, line, column)
                .with_help("re-save the file with UTF-8 encoding"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_markdown_sorted_and_reports_bad_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let papers = dir.path().join(PAPERS_DIR);
        std::fs::create_dir_all(papers.join("sub")).unwrap();
        std::fs::write(papers.join("b.md"), "b").unwrap();
        std::fs::write(papers.join("sub/a.MD"), "a").unwrap();
        std::fs::write(papers.join("notes.txt"), "x").unwrap();
        std::fs::write(papers.join("bad.md"), b"ok\nab\xffc").unwrap();
        for hidden in [".hidden.md", ".#b.md", "b.md~", "#b.md#", ".b.md.swp"] {
            std::fs::write(papers.join(hidden), "---\n").unwrap();
        }
        std::fs::create_dir_all(papers.join(".drafts")).unwrap();
        std::fs::write(papers.join(".drafts/c.md"), "c").unwrap();
        let (files, diags) = load_papers(dir.path());
        let names: Vec<_> = files.iter().map(|f| f.path.clone()).collect();
        assert_eq!(
            names,
            [
                PathBuf::from("content/papers/b.md"),
                PathBuf::from("content/papers/sub/a.MD")
            ]
        );
        assert_eq!(diags.len(), 1);
        assert_eq!((diags[0].line, diags[0].column), (2, 3));
    }
}
