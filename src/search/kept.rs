//! The search postings one build leaves for the next ([`Postings`]): in
//! `serve`'s memory, or for `build` in a file beside the output, so an edit
//! tokenises only the papers it touched. A file that cannot be used costs
//! a from-scratch index and a note, never a wrong one: [`Postings::of`]
//! checks every paper's fingerprint against the ones the postings were
//! made from.

use std::io;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use super::index::Postings;
use crate::cache_file;

const KIND: &str = "search";
/// Bumped when [`Postings`]' layout changes.
const FORMAT: u32 = 2;

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
                match cache_file::read(file, KIND, FORMAT) {
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
            (Some(file), Some(postings)) if postings.changed() => {
                cache_file::write(file, KIND, FORMAT, postings)
            }
            _ => Ok(()),
        }
    }
}
