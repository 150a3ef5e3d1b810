//! The store that keeps the site in memory: `serve` answers requests from
//! its files, and `check` lints them without writing anything.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use rayon::prelude::*;

use super::{Keyed, Render, Store};
use crate::diagnostic::Diagnostic;
use crate::render::{Content, Output};
use crate::write::{Failure, WriteReport};

/// Output path → bytes.
pub type Files = HashMap<String, Arc<[u8]>>;

/// One file: its path and bytes.
type File = (String, Arc<[u8]>);

/// Rendered files by path, behind a lock other threads read them through,
/// and per unit id its key and the paths it produced.
#[derive(Default)]
pub struct MemoryStore {
    files: Arc<RwLock<Files>>,
    units: HashMap<String, (u64, Vec<String>)>,
    /// Paths added, changed or removed by the last [`Store::apply`], sorted.
    changed: Vec<String>,
}

impl MemoryStore {
    /// A store whose files others read through `files` (the HTTP threads).
    pub fn shared(files: Arc<RwLock<Files>>) -> Self {
        MemoryStore {
            files,
            ..MemoryStore::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Forgets every unit and file (a config change starts from nothing).
    pub fn clear(&mut self) {
        self.units.clear();
        self.files.write().expect("lock poisoned").clear();
    }

    /// What the last update added, changed or removed.
    pub fn take_changed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.changed)
    }

    /// Every file, sorted by path.
    pub fn into_outputs(self) -> Vec<Output> {
        let files = std::mem::take(&mut *self.files.write().expect("lock poisoned"));
        let mut outputs: Vec<Output> = files
            .into_iter()
            .map(|(path, bytes)| Output {
                path,
                content: Content::Bytes(bytes.to_vec()),
            })
            .collect();
        outputs.sort_by(|a, b| a.path.cmp(&b.path));
        outputs
    }
}

impl Store for MemoryStore {
    fn key_of(&self, id: &str) -> Option<u64> {
        self.units.get(id).map(|(key, _)| *key)
    }

    fn apply(
        &mut self,
        site: Option<&[Keyed]>,
        changed: &[&Keyed],
        render: &Render,
    ) -> Result<WriteReport, Failure> {
        // Everything rendered before the lock is taken: a failure changes
        // nothing, and requests wait only for the swap.
        let rendered: Vec<(&Keyed, Vec<File>)> = changed
            .par_iter()
            .map(|k| Ok((*k, bytes(render(k.unit)?)?)))
            .collect::<Result<_, Diagnostic>>()
            .map_err(Failure::Render)?;
        let mut files = self.files.write().expect("lock poisoned");
        let mut touched: Vec<String> = Vec::new();
        let mut dropped: Vec<String> = Vec::new();
        if let Some(site) = site {
            let wanted: HashSet<&str> = site.iter().map(|k| k.id.as_str()).collect();
            self.units.retain(|id, (_, paths)| {
                let keep = wanted.contains(id.as_str());
                if !keep {
                    dropped.append(paths);
                }
                keep
            });
        }
        let mut written = 0;
        let units = rendered.len();
        for (keyed, outputs) in rendered {
            let paths: Vec<String> = outputs.iter().map(|(p, _)| p.clone()).collect();
            for (path, bytes) in outputs {
                if files.get(&path) != Some(&bytes) {
                    written += 1;
                    touched.push(path.clone());
                    files.insert(path, bytes);
                }
            }
            if let Some((_, old)) = self.units.insert(keyed.id.clone(), (keyed.key, paths)) {
                // Usually a unit writes the same paths again: nothing to drop.
                let now = &self.units[&keyed.id].1;
                dropped.extend(old.into_iter().filter(|p| !now.contains(p)));
            }
        }
        // Paths a unit no longer produces, unless another unit does now.
        let produced: HashSet<&str> = if dropped.is_empty() {
            HashSet::new()
        } else {
            self.units
                .values()
                .flat_map(|(_, paths)| paths.iter().map(String::as_str))
                .collect()
        };
        let mut removed = 0;
        for path in dropped {
            if !produced.contains(path.as_str()) && files.remove(&path).is_some() {
                removed += 1;
                touched.push(path);
            }
        }
        touched.sort();
        touched.dedup();
        self.changed = touched;
        Ok(WriteReport {
            files: files.len(),
            written,
            removed,
            rendered: units,
        })
    }
}

fn bytes(outputs: Vec<Output>) -> Result<Vec<File>, Diagnostic> {
    outputs
        .into_iter()
        .map(|o| {
            let bytes: Arc<[u8]> =
                match o.content {
                    // Already owned: no copy.
                    Content::Bytes(b) => Arc::from(b),
                    _ => Arc::from(o.bytes().map_err(|(from, e)| {
                        Diagnostic::error(from, format!("cannot read: {e}"))
                    })?),
                };
            Ok((o.path, bytes))
        })
        .collect()
}
