//! The in-memory site `serve` keeps between rebuilds, and the two ways it
//! is rebuilt. Nothing is touched until every changed unit rendered, so a
//! build error leaves the last good site in place.
//!
//! - A full rebuild models the whole site again, re-keys every unit (see
//!   [`crate::render::units`]) and renders those whose key changed, reusing
//!   the cards of unchanged papers.
//! - An edit that leaves a paper where it was (same date, tags, authors…;
//!   see [`crate::model::Site::replace`]) is patched in place: only the
//!   units that show the paper are re-keyed and rendered, found through the
//!   index [`Renderer::dependents`] built at the last full rebuild. What
//!   depends on every paper (related papers, the search index) is then
//!   brought up to date by [`Builder::catch_up`], right after the reload.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::http::Files;
use super::watch::Change;
use crate::parse::Paper;
use crate::render::units::{CardCache, Renderer, Unit};
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
    /// Whether the edit was patched in place (only the paper's pages).
    pub in_place: bool,
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
    /// The units of the last full rebuild, and per paper the positions
    /// there of the units that show it.
    plan: Vec<Unit>,
    dependents: Vec<Vec<u32>>,
    /// Set by an in-place edit: `site`'s related papers may be stale, and
    /// [`Builder::catch_up`] does a full rebuild.
    behind: bool,
    /// Set when a full rebuild failed: `site` is older than the files, so
    /// edits cannot be patched into it until a full rebuild succeeds.
    failed: bool,
    /// Papers edited while the site had errors: parsed, but not yet in
    /// `site`. The next in-place edit takes them along.
    pending: Vec<PathBuf>,
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
            plan: Vec::new(),
            dependents: Vec::new(),
            behind: false,
            failed: false,
            pending: Vec::new(),
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
        let relative: Vec<PathBuf> = paths
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
            .collect();
        if change == Change::Content
            && let Some(done) = self.rebuild_in_place(&relative, files)
        {
            return done;
        }
        let done = self.rebuild_all(change, &relative, files, &|| false);
        self.failed = done.is_err();
        if done.is_ok() {
            self.pending.clear();
        }
        Ok(done?.expect("never interrupted"))
    }

    /// The full rebuild; `None` when `interrupted` said so between two
    /// steps, before anything was changed.
    fn rebuild_all(
        &mut self,
        change: Change,
        relative: &[PathBuf],
        files: &std::sync::RwLock<Files>,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Option<Rebuilt>, BuildFailure> {
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
        let modelled = if change == Change::Content {
            session.model_changed(relative)?
        } else {
            session.model()?
        };
        if interrupted() {
            return Ok(None);
        }
        let site = modelled.site;
        let mut stages = modelled.stages;
        let mut clock = std::time::Instant::now();
        let mut lap = |stage: &'static str| {
            stages.push((stage, clock.elapsed()));
            clock = std::time::Instant::now();
        };
        let renderer = session.renderer(&site).with_cards(&self.cards);
        let plan = renderer.plan();
        let keyed: Vec<(Unit, String, u64)> = plan
            .par_iter()
            .map(|&unit| (unit, renderer.id(unit), renderer.key(unit)))
            .collect();
        lap("keys");
        if interrupted() {
            return Ok(None);
        }
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
            BuildFailure::new(all)
        })?;
        lap("render");
        let cards = renderer.card_cache(&self.cards);
        let dependents = renderer.dependents(&plan);
        drop(renderer);
        self.cards = cards;
        let wanted: HashSet<&str> = keyed.iter().map(|(_, id, _)| id.as_str()).collect();
        let mut done = self.apply(files, Some(&wanted), rendered, keyed.len());
        lap("patch");
        done.stages = stages;
        self.site = Some(site);
        self.plan = plan;
        self.dependents = dependents;
        self.behind = false;
        Ok(Some(done))
    }

    /// The fast path of [`Self::rebuild`]: `None` when the change is not an
    /// edit the site can take in place (see [`crate::model::Site::replace`]).
    fn rebuild_in_place(
        &mut self,
        paths: &[PathBuf],
        files: &std::sync::RwLock<Files>,
    ) -> Option<Result<Rebuilt, BuildFailure>> {
        let mut clock = std::time::Instant::now();
        let mut stages = Vec::new();
        let mut lap = |stage: &'static str| {
            stages.push((stage, clock.elapsed()));
            clock = std::time::Instant::now();
        };
        let (session, site) = (self.session.as_mut()?, self.site.as_mut()?);
        if self.failed || self.dependents.len() != site.papers.len() {
            return None;
        }
        let mut paths: Vec<PathBuf> = self.pending.iter().chain(paths).cloned().collect();
        paths.sort();
        paths.dedup();
        let papers = match session.reparse(&paths)? {
            Ok(papers) if papers.len() == paths.len() => papers,
            Ok(_) => return None,
            Err(failure) => {
                self.pending = paths;
                return Some(Err(failure));
            }
        };
        self.pending.clear();
        lap("parse");
        let mut swapped: Vec<(usize, Arc<Paper>)> = Vec::new();
        for paper in papers {
            let at = site.papers.iter().position(|p| p.source == paper.source);
            match at.map(|i| (i, site.replace(i, paper, &session.config.collections))) {
                Some((i, Ok(old))) => swapped.push((i, old)),
                _ => {
                    undo(site, swapped);
                    return None;
                }
            }
        }
        let edited: Vec<usize> = swapped.iter().map(|(i, _)| *i).collect();
        let mut affected: Vec<u32> = edited
            .iter()
            .flat_map(|&i| self.dependents[i].iter().copied())
            .collect();
        affected.sort_unstable();
        affected.dedup();
        lap("model");
        let renderer = session.renderer(site).with_cards(&self.cards);
        let keyed: Vec<(Unit, String, u64)> = affected
            .par_iter()
            .map(|&at| self.plan[at as usize])
            .filter(|&unit| !deferred(unit))
            .map(|unit| (unit, renderer.id(unit), renderer.key(unit)))
            .filter(|(_, id, key)| self.units.get(id).is_none_or(|(old, _)| old != key))
            .collect();
        lap("keys");
        let stale: Vec<&(Unit, String, u64)> = keyed.iter().collect();
        let rendered = match render_units(&renderer, &stale) {
            Ok(rendered) => rendered,
            Err(d) => {
                drop(renderer);
                undo(site, swapped);
                return Some(Err(BuildFailure::from(d)));
            }
        };
        lap("render");
        let cards = renderer.cards_of(&edited);
        drop(renderer);
        self.cards.extend(cards);
        let mut done = self.apply(files, None, rendered, self.plan.len());
        lap("patch");
        done.stages = stages;
        done.in_place = true;
        self.behind = true;
        Some(Ok(done))
    }

    /// Brings the site fully up to date after [`Self::rebuild`]: a full
    /// rebuild if an edit was patched in place (related papers), then the
    /// search index if it changed. This takes seconds at 10,000 papers, so
    /// it checks `interrupted` between steps and gives up (`None`) when a
    /// new change is waiting; call it again once the files are quiet.
    pub fn catch_up(
        &mut self,
        files: &std::sync::RwLock<Files>,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Option<Rebuilt>, BuildFailure> {
        let mut done = Rebuilt::default();
        if self.behind {
            // Nothing changed on disk since: the content change re-models
            // from the files already read.
            let rebuilt = self.rebuild_all(Change::Content, &[], files, interrupted);
            self.failed = rebuilt.is_err();
            match rebuilt? {
                Some(rebuilt) => done = rebuilt,
                None => return Ok(None),
            }
        }
        if interrupted() {
            return Ok(None);
        }
        let (Some(session), Some(site)) = (&self.session, &self.site) else {
            return Ok(Some(done));
        };
        let started = std::time::Instant::now();
        let renderer = session.renderer(site).with_cards(&self.cards);
        let unit = Unit::SearchIndex;
        let keyed = (unit, renderer.id(unit), renderer.key(unit));
        if self
            .units
            .get(&keyed.1)
            .is_some_and(|(old, _)| *old == keyed.2)
        {
            return Ok(Some(done));
        }
        let rendered = render_units(&renderer, &[&keyed]).map_err(BuildFailure::from)?;
        let cards = renderer.card_cache(&self.cards);
        drop(renderer);
        self.cards = cards;
        let index = self.apply(files, None, rendered, 1);
        done.rendered += index.rendered;
        done.changed.extend(index.changed);
        done.files = index.files;
        done.stages.push(("search index", started.elapsed()));
        Ok(Some(done))
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
            in_place: false,
        }
    }
}

/// Puts back the papers an in-place edit had swapped in.
fn undo(site: &mut crate::model::Site, swapped: Vec<(usize, Arc<Paper>)>) {
    for (i, old) in swapped {
        site.papers[i] = old;
    }
}

/// A served file: its path and bytes.
type Served = (String, Arc<[u8]>);
/// A unit's id, key and files.
type RenderedUnit = (String, u64, Vec<Served>);

fn render_units(
    renderer: &Renderer,
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
