//! Stage 5: put the rendered files on disk. The only code that touches the
//! output folder. Files go to a staging folder beside the output, which
//! replaces the output only once everything is written, so a failed build
//! never leaves a half-written or emptied site behind.

use std::collections::BTreeSet;
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::render::{Content, Output};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write the site into {path}: {reason}")]
    UnsafeOutput { path: PathBuf, reason: &'static str },
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("output path `{0}` would leave the output folder")]
    EscapingPath(String),
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> WriteError {
    let path = path.to_path_buf();
    move |source| WriteError::Io {
        action,
        path,
        source,
    }
}

/// Refuses output folders whose replacement would destroy the site's own
/// sources: the site root, `content/`, anything containing them, or `/`.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), WriteError> {
    let refuse = |reason| {
        Err(WriteError::UnsafeOutput {
            path: output.to_path_buf(),
            reason,
        })
    };
    let output_abs = absolute(output);
    let root_abs = absolute(root);
    if output_abs.parent().is_none() {
        return refuse("it is the file-system root");
    }
    if root_abs.starts_with(&output_abs) {
        return refuse("it is the site folder or contains it");
    }
    for source in ["content", "themes", "templates", "static"] {
        if output_abs.starts_with(root_abs.join(source)) {
            return refuse("it is inside one of the site's source folders");
        }
    }
    Ok(())
}

/// Absolute, with `.` and `..` resolved lexically (the folder may not exist).
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Writes `files` into a fresh staging folder, then swaps it in for `output`.
pub fn write_site(output: &Path, files: &[Output]) -> Result<(), WriteError> {
    let staging = sibling(output, "staging");
    let old = sibling(output, "old");
    for leftover in [&staging, &old] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover).map_err(io_err("cannot remove", leftover))?;
        }
    }
    if let Err(e) = write_all(&staging, files) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap_in(&staging, output, &old)
}

fn write_all(staging: &Path, files: &[Output]) -> Result<(), WriteError> {
    let mut dirs = BTreeSet::new();
    for file in files {
        check_relative(&file.path)?;
        if let Some((dir, _)) = file.path.rsplit_once('/') {
            dirs.insert(dir);
        }
    }
    std::fs::create_dir_all(staging).map_err(io_err("cannot create", staging))?;
    // Parents sort before children, so plain create_dir suffices and each
    // folder is created exactly once.
    for dir in &dirs {
        let path = staging.join(dir);
        if let Err(e) = std::fs::create_dir(&path)
            && e.kind() != io::ErrorKind::AlreadyExists
        {
            std::fs::create_dir_all(&path).map_err(io_err("cannot create", &path))?;
        }
    }
    files.par_iter().try_for_each(|file| {
        let path = staging.join(&file.path);
        match &file.content {
            Content::Bytes(bytes) => {
                std::fs::write(&path, bytes).map_err(io_err("cannot write", &path))
            }
            Content::Static(bytes) => {
                std::fs::write(&path, bytes).map_err(io_err("cannot write", &path))
            }
            Content::Copy(from) => std::fs::copy(from, &path)
                .map(|_| ())
                .map_err(io_err("cannot copy", from)),
        }
    })
}

/// Rendered paths come from user input (slugs, tags): make sure none can
/// climb out of the output folder, whatever the slug code lets through.
fn check_relative(path: &str) -> Result<(), WriteError> {
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(WriteError::EscapingPath(path.to_string()))
    }
}

fn swap_in(staging: &Path, output: &Path, old: &Path) -> Result<(), WriteError> {
    let had_output = output.exists();
    if had_output {
        std::fs::rename(output, old).map_err(io_err("cannot move aside", output))?;
    }
    if let Err(e) = std::fs::rename(staging, output) {
        if had_output {
            let _ = std::fs::rename(old, output);
        }
        return Err(io_err("cannot move into place", staging)(e));
    }
    if had_output {
        std::fs::remove_dir_all(old).map_err(io_err("cannot remove", old))?;
    }
    Ok(())
}

/// `public` → `public.staging`: beside the output, so the final rename stays
/// on one file system.
fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!("{name}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(path: &str, text: &str) -> Output {
        Output {
            path: path.into(),
            content: Content::Bytes(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn refuses_dangerous_output_folders() {
        let root = Path::new("/tmp/site");
        assert!(check_output_dir(root, Path::new("/")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site/content")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site/content/x")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site/public/..")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site/public")).is_ok());
        assert!(check_output_dir(root, Path::new("/tmp/elsewhere")).is_ok());
    }

    #[test]
    fn escaping_paths_are_refused() {
        for bad in ["../x", "/etc/x", "a/../../b", "a\\b", ""] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
        assert!(check_relative("papers/x/index.html").is_ok());
    }

    #[test]
    fn replaces_output_whole_and_keeps_it_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[bytes("a/index.html", "1"), bytes("b.txt", "2")]).unwrap();
        write_site(&out, &[bytes("a/index.html", "3")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "3"
        );
        assert!(!out.join("b.txt").exists(), "stale files are gone");
        let err = write_site(&out, &[bytes("ok.txt", "x"), bytes("../evil", "x")]);
        assert!(err.is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "3"
        );
        assert!(!dir.path().join("evil").exists());
        assert!(!dir.path().join("public.staging").exists());
    }
}
