//! The in-memory site `serve` keeps between rebuilds. Each rebuild re-keys
//! every unit (see [`crate::render::units`]) and renders only those whose
//! key changed, reusing the cards of unchanged papers, then patches the
//! served files. Nothing is touched until every changed unit rendered, so a
//! build error leaves the last good site in place.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::http::Files;
use super::watch::Change;
use crate::render::units::{CardCache, Unit};
use crate::render::{Content, Output};
use crate::{BuildFailure, BuildOptions, Diagnostic, Session};

/// What one rebuild did.
#[derive(Default)]
pub struct Rebuilt {
    /// Output paths added, changed or removed, sorted.
    pub changed: Vec<String>,
    /// Units rendered, and all units.
    pub rendered: usize,
    pub units: usize,
    pub files: usize,
    /// How long each step took, for the log.
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

/// Keeps the session, the unit keys and the cards between rebuilds.
pub struct Builder {
    options: BuildOptions,
    session: Option<Session>,
    /// Unit id → its key and the paths it produced.
    units: HashMap<String, (u64, Vec<String>)>,
    cards: CardCache,
    /// The site of the last good build, for [`Builder::catch_up`].
    site: Option<crate::model::Site>,
}

/// Units left out of a rebuild's critical path: the search index reads
/// every paper, so an edit to one would wait for it. It follows right after
/// the reload, in [`Builder::catch_up`].
fn deferred(unit: Unit) -> bool {
    unit == Unit::SearchIndex
}

impl Builder {
    pub fn new(options: BuildOptions) -> Self {
        Builder {
            options,
            session: None,
            units: HashMap::new(),
            cards: CardCache::new(),
            site: None,
        }
    }

    pub fn theme(&self) -> String {
        self.session
            .as_ref()
            .map_or_else(|| "default".into(), |s| s.config.theme.clone())
    }

    /// Rebuilds after `change` to `paths` (absolute, under `root`) and
    /// patches `files` in place.
    pub fn rebuild(
        &mut self,
        change: Change,
        paths: &[PathBuf],
        root: &std::path::Path,
        files: &std::sync::RwLock<Files>,
    ) -> Result<Rebuilt, BuildFailure> {
        let session = match (&mut self.session, change) {
            (Some(session), Change::Content) => session,
            (Some(session), Change::Static | Change::Templates) => {
                session.reload_theme()?;
                session
            }
            _ => {
                // A new config may change every page: start from nothing.
                // Until a session opens (site.toml fixed), every change retries it.
                self.session = None;
                self.units.clear();
                self.cards.clear();
                self.site = None;
                self.session.insert(Session::open(&self.options)?)
            }
        };
        let relative: Vec<PathBuf> = paths
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
            .collect();
        let modelled = if change == Change::Content {
            session.model_changed(&relative)?
        } else {
            session.model()?
        };
        let site = modelled.site;
        let mut stages = modelled.stages;
        let mut clock = std::time::Instant::now();
        let mut lap = |stage: &'static str| {
            stages.push((stage, clock.elapsed()));
            clock = std::time::Instant::now();
        };
        let renderer = session.renderer(&site);
        renderer.reuse_cards(&self.cards);
        let keyed: Vec<(Unit, String, u64)> = renderer
            .plan()
            .into_par_iter()
            .map(|unit| (unit, renderer.id(unit), renderer.key(unit)))
            .collect();
        lap("keys");
        // The first build renders everything; later ones defer.
        let defer = !self.units.is_empty();
        let stale: Vec<&(Unit, String, u64)> = keyed
            .iter()
            .filter(|(unit, id, key)| {
                !(defer && deferred(*unit)) && self.units.get(id).is_none_or(|(old, _)| old != key)
            })
            .collect();
        let rendered = render_units(&renderer, &stale).map_err(|d| {
            let mut all = modelled.diagnostics.clone();
            all.push(d);
            BuildFailure { diagnostics: all }
        })?;
        lap("render");
        self.cards = renderer.card_cache(&self.cards);
        drop(renderer);
        let wanted: HashSet<&str> = keyed.iter().map(|(_, id, _)| id.as_str()).collect();
        let mut done = self.apply(files, Some(&wanted), rendered, keyed.len());
        lap("patch");
        done.stages = stages;
        self.site = Some(site);
        Ok(done)
    }

    /// Renders the units [`Builder::rebuild`] deferred, if they changed.
    pub fn catch_up(&mut self, files: &std::sync::RwLock<Files>) -> Result<Rebuilt, BuildFailure> {
        let (Some(session), Some(site)) = (&self.session, &self.site) else {
            return Ok(Rebuilt::default());
        };
        let renderer = session.renderer(site);
        renderer.reuse_cards(&self.cards);
        let unit = Unit::SearchIndex;
        let keyed = (unit, renderer.id(unit), renderer.key(unit));
        if self
            .units
            .get(&keyed.1)
            .is_some_and(|(old, _)| *old == keyed.2)
        {
            return Ok(Rebuilt::default());
        }
        let rendered = render_units(&renderer, &[&keyed]).map_err(BuildFailure::from)?;
        self.cards = renderer.card_cache(&self.cards);
        drop(renderer);
        Ok(self.apply(files, None, rendered, 1))
    }

    /// Patches the served `files` with freshly rendered units. With
    /// `wanted`, units not in it are gone and their files removed.
    fn apply(
        &mut self,
        files: &std::sync::RwLock<Files>,
        wanted: Option<&HashSet<&str>>,
        rendered: Vec<RenderedUnit>,
        units: usize,
    ) -> Rebuilt {
        let mut files = files.write().expect("lock poisoned");
        let mut changed: Vec<String> = Vec::new();
        let mut dropped: Vec<String> = Vec::new();
        if let Some(wanted) = wanted {
            let gone: Vec<String> = self
                .units
                .keys()
                .filter(|id| !wanted.contains(id.as_str()))
                .cloned()
                .collect();
            for id in gone {
                if let Some((_, paths)) = self.units.remove(&id) {
                    dropped.extend(paths);
                }
            }
        }
        let units_rendered = rendered.len();
        for (id, key, outputs) in rendered {
            let paths: Vec<String> = outputs.iter().map(|(p, _)| p.clone()).collect();
            for (path, bytes) in outputs {
                if files.get(&path) != Some(&bytes) {
                    changed.push(path.clone());
                    files.insert(path, bytes);
                }
            }
            if let Some((_, old)) = self.units.insert(id, (key, paths.clone())) {
                // Usually a unit writes the same paths again: nothing to drop.
                dropped.extend(old.into_iter().filter(|p| !paths.contains(p)));
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
        for path in dropped {
            if !produced.contains(path.as_str()) && files.remove(&path).is_some() {
                changed.push(path);
            }
        }
        changed.sort();
        changed.dedup();
        Rebuilt {
            changed,
            rendered: units_rendered,
            units,
            files: files.len(),
            stages: Vec::new(),
        }
    }
}

/// A served file: its path and bytes.
type Served = (String, Arc<[u8]>);
/// A unit's id, key and files.
type RenderedUnit = (String, u64, Vec<Served>);

fn render_units(
    renderer: &crate::render::units::Renderer,
    units: &[&(Unit, String, u64)],
) -> Result<Vec<RenderedUnit>, Diagnostic> {
    units
        .par_iter()
        .map(|(unit, id, key)| Ok((id.clone(), *key, bytes(renderer.render(*unit)?)?)))
        .collect()
}

fn bytes(outputs: Vec<Output>) -> Result<Vec<Served>, Diagnostic> {
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
