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
    /// Postings put back in a file's keeping, written aside.
    written: Option<cache_file::Pending>,
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

    /// In memory, kept for the next take. For a file, written aside at
    /// once (if they differ enough from the file's, see
    /// [`Postings::worth_saving`]) and let go, so they are not held while
    /// the rest of the site renders: at a million papers they are most of
    /// a gigabyte. [`Self::save`] puts the file in place.
    pub fn put(&self, postings: Postings) {
        let mut state = self.state();
        let Some(file) = &self.file else {
            state.postings = Some(postings);
            return;
        };
        if let Some(earlier) = state.written.take() {
            earlier.abort();
        }
        if postings.worth_saving() {
            // An error only costs the next build time.
            state.written = cache_file::write_aside(file, KIND, FORMAT, &postings).ok();
        }
    }

    /// Why the file could not be used, once it was tried.
    pub fn note(&self) -> Option<String> {
        self.state().note.clone()
    }

    /// Puts the file written aside in place, once the output is written.
    /// An error only costs the next build time; the caller may ignore it.
    pub fn save(&self) -> io::Result<()> {
        match self.state().written.take() {
            Some(written) => written.commit(),
            None => Ok(()),
        }
    }

    /// Removes the file written aside: the build failed.
    pub fn discard(&self) {
        if let Some(written) = self.state().written.take() {
            written.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_put_in_a_files_keeping_are_written_aside_until_saved() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".public.search");
        let paper = crate::model::tests::paper("a", "2024-01-02", &["rl"]);
        let site = crate::model::Site::new(vec![paper], false).unwrap();
        let kept = KeptPostings::in_file(file.clone());
        let postings = Postings::of(&site, 1, kept.take());
        assert!(postings.changed());
        kept.put(postings);
        assert!(!file.exists(), "not in place before it is saved");
        kept.discard();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        kept.put(Postings::of(&site, 1, None));
        kept.save().unwrap();
        let again = KeptPostings::in_file(file.clone());
        let postings = Postings::of(&site, 1, again.take());
        assert!(again.note().is_none(), "{:?}", again.note());
        assert!(!postings.changed(), "read back, the same papers: unchanged");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        // One paper edited: the file's postings serve the next build as
        // well, so it is not written again.
        let before = std::fs::read(&file).unwrap();
        let mut edited = crate::model::tests::paper("a", "2024-01-02", &["rl"]);
        edited.body = crate::parse::Body::new("", "offline reinforcement learning");
        edited.fingerprint = 99;
        let site = crate::model::Site::new(vec![edited], false).unwrap();
        let next = KeptPostings::in_file(file.clone());
        let postings = Postings::of(&site, 1, next.take());
        assert!(postings.changed() && !postings.worth_saving());
        next.put(postings);
        next.save().unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), before);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
