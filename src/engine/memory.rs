//! The store that keeps the site in memory: `serve` answers requests from
//! its files, and `check` lints them without writing anything.
//!
//! `check` needs every file, so its store renders every changed unit. The
//! store `serve` uses renders on demand ([`MemoryStore::on_demand`]): an
//! update only records the keys of units nobody has asked for, and
//! re-renders just the units it already holds; [`MemoryStore::fill`] renders
//! the units that may make a requested path. So memory follows what was
//! viewed, and the first page answers before the rest of the site renders.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Keyed, Render, Store};
use crate::diagnostic::Diagnostic;
use crate::render::units::home;
use crate::render::{Content, Output};
use crate::write::{Failure, WriteReport};

/// Output path → bytes.
pub type Files = HashMap<String, Arc<[u8]>>;

/// One file: its path and bytes.
type File = (String, Arc<[u8]>);

/// What the store knows of one unit: the key it was last keyed with, and
/// the paths of its files once rendered (`None`: not rendered yet).
struct Held {
    key: u64,
    paths: Option<Vec<String>>,
}

/// Rendered files by path, behind a lock other threads read them through,
/// and per unit id what the store holds of it.
#[derive(Default)]
pub struct MemoryStore {
    files: Arc<RwLock<Files>>,
    units: FxHashMap<String, Held>,
    /// Set for a store that renders on demand: how to find the units that
    /// may make a path.
    lookup: Option<Lookup>,
    /// Paths added, changed or removed by the last [`Store::apply`], sorted.
    changed: Vec<String>,
}

/// Every unit of the site as of the last whole update (their keys are
/// not kept up to date here: `units` has them), and per folder ([`home`],
/// by its hash) the positions of the units whose files lie in it. Two
/// folders with one hash would only render a unit more than needed.
#[derive(Default)]
struct Lookup {
    site: Vec<Keyed>,
    homes: FxHashMap<u64, Vec<u32>>,
}

impl Lookup {
    fn new(site: &[Keyed]) -> Lookup {
        let mut homes: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for (at, keyed) in site.iter().enumerate() {
            let at = u32::try_from(at).expect("fewer than 4 billion units");
            homes
                .entry(folder_hash(home(&keyed.id)))
                .or_default()
                .push(at);
        }
        Lookup {
            site: site.to_vec(),
            homes,
        }
    }

    /// The units whose files lie in `folder`.
    fn in_folder(&self, folder: &str) -> impl Iterator<Item = &Keyed> {
        let units = self.homes.get(&folder_hash(folder)).into_iter().flatten();
        units.map(|&at| &self.site[at as usize])
    }
}

fn folder_hash(folder: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(folder.as_bytes())
}

impl MemoryStore {
    /// A store that renders on demand, whose files others read through
    /// `files` (the HTTP threads).
    pub fn on_demand(files: Arc<RwLock<Files>>) -> Self {
        MemoryStore {
            files,
            lookup: Some(Lookup::default()),
            ..MemoryStore::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Forgets every unit and file (a config change starts from nothing).
    pub fn clear(&mut self) {
        self.units.clear();
        if let Some(lookup) = &mut self.lookup {
            *lookup = Lookup::default();
        }
        self.files.write().expect("lock poisoned").clear();
    }

    /// What the last update added, changed or removed.
    pub fn take_changed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.changed)
    }

    /// The file at `path`, if the store holds it.
    pub fn get(&self, path: &str) -> Option<Arc<[u8]>> {
        self.files.read().expect("lock poisoned").get(path).cloned()
    }

    /// Makes sure the store holds `path` if any unit of the site makes it,
    /// rendering with `render` the units not rendered yet whose folder
    /// holds it, nearest folder first; false if none makes it. A store
    /// that renders everything only looks.
    pub fn fill(&mut self, path: &str, render: &Render) -> Result<bool, Failure> {
        if self.get(path).is_some() {
            return Ok(true);
        }
        let mut folder = &path[..path.rfind('/').map_or(0, |at| at + 1)];
        loop {
            let Some(lookup) = &self.lookup else {
                return Ok(false);
            };
            let waiting = self.not_rendered(lookup.in_folder(folder));
            if !waiting.is_empty() {
                let waiting: Vec<&Keyed> = waiting.iter().collect();
                self.put(None, &waiting, &[], render)?;
                if self.get(path).is_some() {
                    return Ok(true);
                }
            }
            if folder.is_empty() {
                return Ok(false);
            }
            let parent = folder[..folder.len() - 1].rfind('/').map_or(0, |at| at + 1);
            folder = &folder[..parent];
        }
    }

    /// Every file rendered, sorted by path.
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

    /// Those of `units` the store knows but has not rendered, with the
    /// keys it recorded for them.
    fn not_rendered<'k>(&self, units: impl Iterator<Item = &'k Keyed>) -> Vec<Keyed> {
        units
            .filter_map(|k| match self.units.get(&k.id) {
                Some(Held { key, paths: None }) => Some(Keyed {
                    unit: k.unit,
                    id: k.id.clone(),
                    key: *key,
                }),
                _ => None,
            })
            .collect()
    }

    /// Renders the units of `now`, records the new keys of `later` (not
    /// rendered), and with `site` drops the units it lacks.
    fn put(
        &mut self,
        site: Option<&[Keyed]>,
        now: &[&Keyed],
        later: &[&Keyed],
        render: &Render,
    ) -> Result<WriteReport, Failure> {
        // Everything rendered before the lock is taken: a failure changes
        // nothing, and requests wait only for the swap.
        let rendered: Vec<(&Keyed, Vec<File>)> = now
            .par_iter()
            .map(|k| Ok((*k, bytes(render(k.unit)?)?)))
            .collect::<Result<_, Diagnostic>>()
            .map_err(Failure::Render)?;
        let mut files = self.files.write().expect("lock poisoned");
        let mut touched: Vec<String> = Vec::new();
        let mut dropped: Vec<String> = Vec::new();
        if let Some(site) = site {
            let wanted: FxHashSet<&str> = site.iter().map(|k| k.id.as_str()).collect();
            self.units.retain(|id, held| {
                let keep = wanted.contains(id.as_str());
                if !keep {
                    dropped.extend(held.paths.take().into_iter().flatten());
                }
                keep
            });
            if let Some(lookup) = &mut self.lookup {
                *lookup = Lookup::new(site);
            }
        }
        for keyed in later {
            let held = self.units.entry(keyed.id.clone()).or_insert(Held {
                key: keyed.key,
                paths: None,
            });
            held.key = keyed.key;
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
            let held = Held {
                key: keyed.key,
                paths: Some(paths),
            };
            if let Some(Held {
                paths: Some(old), ..
            }) = self.units.insert(keyed.id.clone(), held)
            {
                // Usually a unit writes the same paths again: nothing to drop.
                let now = self.units[&keyed.id].paths.as_deref().unwrap_or_default();
                dropped.extend(old.into_iter().filter(|p| !now.contains(p)));
            }
        }
        // Paths a unit no longer produces, unless another unit does now.
        let produced: FxHashSet<&str> = if dropped.is_empty() {
            FxHashSet::default()
        } else {
            self.units
                .values()
                .flat_map(|held| held.paths.iter().flatten().map(String::as_str))
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

impl Store for MemoryStore {
    fn key_of(&self, id: &str) -> Option<u64> {
        self.units.get(id).map(|held| held.key)
    }

    fn apply(
        &mut self,
        site: Option<&[Keyed]>,
        changed: &[&Keyed],
        render: &Render,
    ) -> Result<WriteReport, Failure> {
        // On demand, only units already rendered are rendered again.
        let (now, later): (Vec<&Keyed>, Vec<&Keyed>) = changed.iter().partition(|k| {
            self.lookup.is_none()
                || self
                    .units
                    .get(&k.id)
                    .is_some_and(|held| held.paths.is_some())
        });
        self.put(site, &now, &later, render)
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
