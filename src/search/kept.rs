//! The search postings one build leaves for the next ([`Postings`]): in
//! `serve`'s memory, or for `build` in a file beside the output, so an edit
//! tokenises only the papers it touched. A file that cannot be used costs
//! a from-scratch index and a note, never a wrong one: [`Postings::of`]
//! checks every paper's fingerprint against the ones the postings were
//! made from.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::index::Postings;

const MAGIC: &[u8] = b"paperfeed search\n";
/// Bumped when [`Postings`]' layout changes.
const FORMAT: u32 = 1;

/// Postings taken by the search index when it renders and put back
/// updated; read from the file, if any, only when first taken.
pub struct KeptPostings {
    file: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    postings: Option<Postings>,
    read: bool,
    note: Option<String>,
}

impl KeptPostings {
    /// Nothing yet; kept in memory only (`serve`, and the first build).
    pub fn in_memory() -> KeptPostings {
        KeptPostings {
            file: None,
            state: Mutex::default(),
        }
    }

    /// Read from and saved to `file` ([`crate::write::search_cache_path`]).
    pub fn in_file(file: PathBuf) -> KeptPostings {
        KeptPostings {
            file: Some(file),
            state: Mutex::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The postings held, or read from the file the first time.
    pub fn take(&self) -> Option<Postings> {
        let mut state = self.state();
        if !state.read {
            state.read = true;
            if let Some(file) = &self.file {
                match read(file) {
                    Ok(postings) => state.postings = postings,
                    Err(why) => {
                        state.note = Some(format!(
                            "the search cache {} was not used: {why}; the search index was built from scratch, and the next build uses the new cache",
                            file.display()
                        ))
                    }
                }
            }
        }
        state.postings.take()
    }

    pub fn put(&self, postings: Postings) {
        self.state().postings = Some(postings);
    }

    /// Why the file could not be used, once it was tried.
    pub fn note(&self) -> Option<String> {
        self.state().note.clone()
    }

    /// Writes the postings to the file if they changed since read. An error
    /// only costs the next build time; the caller may ignore it.
    pub fn save(&self) -> io::Result<()> {
        let state = self.state();
        match (&self.file, &state.postings) {
            (Some(file), Some(postings)) if postings.changed() => write(file, postings),
            _ => Ok(()),
        }
    }
}

fn header() -> Vec<u8> {
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let mut out = MAGIC.to_vec();
    out.extend(FORMAT.to_le_bytes());
    out.extend((version.len() as u64).to_le_bytes());
    out.extend(version);
    out
}

/// `Ok(None)` when there is no file; `Err` says why one cannot be used.
fn read(path: &Path) -> Result<Option<Postings>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    if !bytes.starts_with(MAGIC) {
        return Err("it is not a paperfeed search cache".into());
    }
    let header = header();
    let Some(rest) = bytes.strip_prefix(&header[..]) else {
        return Err("it was made by another version of paperfeed".into());
    };
    let damaged = || "it is damaged (its checksum does not match)".to_string();
    let (payload, sum) = rest
        .split_at_checked(rest.len().wrapping_sub(8))
        .ok_or_else(damaged)?;
    if xxhash_rust::xxh3::xxh3_64(payload).to_le_bytes() != sum {
        return Err(damaged());
    }
    postcard::from_bytes(payload)
        .map(Some)
        .map_err(|e| format!("it is damaged ({e})"))
}

/// Through a temporary file, so a reader never sees half of one.
fn write(path: &Path, postings: &Postings) -> io::Result<()> {
    let payload = postcard::to_stdvec(postings).map_err(io::Error::other)?;
    let temp = path.with_extension("search-tmp");
    let written = (|| {
        let mut out = std::fs::File::create(&temp)?;
        out.write_all(&header())?;
        out.write_all(&payload)?;
        out.write_all(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes())?;
        out.flush()
    })();
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}
