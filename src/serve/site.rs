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

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use super::watch::Change;
use crate::engine::{self, Files, MemoryStore, Scope};
use crate::parse::Paper;
use crate::render::units::{CardCache, Lists, Unit};
use crate::search::kept::KeptPostings;
use crate::write::{Failure, WriteReport};
use crate::{BuildFailure, BuildOptions, Diagnostic, Session};

/// What one rebuild did.
#[derive(Default)]
pub struct Rebuilt {
    /// Output paths added, changed or removed, sorted.
    pub changed: Vec<String>,
    /// Units rendered, and all units.
    pub rendered: usize,
    pub units: usize,
    /// Whether the edit was patched in place (only the paper's pages).
    pub in_place: bool,
    /// How long each step took, for the log.
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

/// Keeps the session, the served site and the cards between rebuilds.
pub struct Builder {
    options: BuildOptions,
    session: Option<Session>,
    store: MemoryStore,
    cards: CardCache,
    /// The search index's postings, so an edit tokenises only its paper.
    postings: KeptPostings,
    /// The site of the last good build, for [`Builder::catch_up`].
    site: Option<crate::model::Site>,
    /// The units of the last full rebuild, and per paper the positions
    /// there of the units that show it.
    plan: Vec<Unit>,
    dependents: Vec<Vec<u32>>,
    /// The lists of the last full rebuild: an in-place edit keeps them.
    lists: Option<Arc<Lists>>,
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
    /// A builder whose site the HTTP threads read through `files`.
    pub fn new(options: BuildOptions, files: Arc<RwLock<Files>>) -> Self {
        Builder {
            options,
            session: None,
            store: MemoryStore::on_demand(files),
            cards: CardCache::new(),
            postings: KeptPostings::in_memory(),
            site: None,
            plan: Vec::new(),
            dependents: Vec::new(),
            lists: None,
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
    /// patches the served files in place.
    pub fn rebuild(
        &mut self,
        change: Change,
        paths: &[PathBuf],
        root: &std::path::Path,
    ) -> Result<Rebuilt, BuildFailure> {
        let relative: Vec<PathBuf> = paths
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
            .collect();
        if change == Change::Content
            && let Some(done) = self.rebuild_in_place(&relative)
        {
            return done;
        }
        // Related papers follow in the catch-up when the papers and their
        // order are as before: only which papers are related may change.
        let done = self.rebuild_all(change, &relative, &|| false, true);
        self.failed = done.is_err();
        if done.is_ok() {
            self.pending.clear();
        }
        Ok(done?.expect("never interrupted"))
    }

    /// The full rebuild; `None` when `interrupted` said so between two
    /// steps, before anything was changed. With `defer_related`, related
    /// papers may be the last site's (see [`crate::model::Site::new_reusing`]);
    /// the catch-up then recomputes them.
    fn rebuild_all(
        &mut self,
        change: Change,
        relative: &[PathBuf],
        interrupted: &dyn Fn() -> bool,
        defer_related: bool,
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
                self.store.clear();
                self.cards.clear();
                self.site = None;
                self.session.insert(Session::open(&self.options)?)
            }
        };
        let modelled = if self.site.is_none() && !self.failed {
            // A new session: start from what the last `build` left.
            session.model_from_caches()?
        } else if change == Change::Content {
            let earlier = self.site.as_ref().filter(|_| defer_related && !self.failed);
            session.model_changed(relative, earlier)?
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
        let renderer = session
            .renderer(&site)
            .with_cards(&self.cards)
            .with_postings(&self.postings);
        let plan = renderer.plan();
        lap("plan");
        if interrupted() {
            return Ok(None);
        }
        // The first build renders everything; later ones defer.
        let defer = !self.store.is_empty();
        let later = |unit| defer && deferred(unit);
        let written = engine::update(&renderer, &mut self.store, Scope::Site(&plan), &later)
            .map_err(|e| failed(&modelled.diagnostics, e))?;
        lap("render");
        let cards = renderer.card_cache(&self.cards);
        let dependents = renderer.dependents(&plan);
        self.lists = Some(renderer.lists());
        drop(renderer);
        self.cards = cards;
        let mut done = self.rebuilt(written, plan.len());
        done.stages = stages;
        self.site = Some(site);
        self.plan = plan;
        self.dependents = dependents;
        self.behind = modelled.related_reused;
        Ok(Some(done))
    }

    /// The fast path of [`Self::rebuild`]: `None` when the change is not an
    /// edit the site can take in place (see [`crate::model::Site::replace`]).
    fn rebuild_in_place(&mut self, paths: &[PathBuf]) -> Option<Result<Rebuilt, BuildFailure>> {
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
        let mut at: Vec<u32> = edited
            .iter()
            .flat_map(|&i| self.dependents[i].iter().copied())
            .collect();
        at.sort_unstable();
        at.dedup();
        let affected: Vec<Unit> = at.iter().map(|&at| self.plan[at as usize]).collect();
        lap("model");
        let renderer = session
            .renderer_with(site, self.lists.clone()?)
            .with_cards(&self.cards)
            .with_postings(&self.postings);
        let written = engine::update(
            &renderer,
            &mut self.store,
            Scope::Only(&affected),
            &deferred,
        );
        let written = match written {
            Ok(written) => written,
            Err(e) => {
                drop(renderer);
                undo(site, swapped);
                return Some(Err(failed(&[], e)));
            }
        };
        lap("render");
        let cards = renderer.cards_of(&edited);
        drop(renderer);
        self.cards.extend(cards);
        let mut done = self.rebuilt(written, self.plan.len());
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
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Option<Rebuilt>, BuildFailure> {
        let mut done = Rebuilt::default();
        if self.behind {
            // Nothing changed on disk since: the content change re-models
            // from the files already read.
            let rebuilt = self.rebuild_all(Change::Content, &[], interrupted, false);
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
        let renderer = session
            .renderer(site)
            .with_cards(&self.cards)
            .with_postings(&self.postings);
        let written = engine::update(
            &renderer,
            &mut self.store,
            Scope::Only(&[Unit::SearchIndex]),
            &|_| false,
        )
        .map_err(|e| failed(&[], e))?;
        if written.rendered == 0 {
            return Ok(Some(done));
        }
        let cards = renderer.card_cache(&self.cards);
        drop(renderer);
        self.cards = cards;
        let index = self.rebuilt(written, 1);
        done.rendered += index.rendered;
        done.changed.extend(index.changed);
        done.stages.push(("search index", started.elapsed()));
        Ok(Some(done))
    }

    /// The bytes of output `path`, rendering the units that may make it if
    /// nobody asked for it before (see [`MemoryStore::fill`]); `None` if no
    /// unit of the site makes it, or there is no good site yet.
    pub fn file(&mut self, path: &str) -> Result<Option<Arc<[u8]>>, BuildFailure> {
        if let Some(bytes) = self.store.get(path) {
            return Ok(Some(bytes));
        }
        let (Some(session), Some(site), Some(lists)) = (&self.session, &self.site, &self.lists)
        else {
            return Ok(None);
        };
        let renderer = session
            .renderer_with(site, lists.clone())
            .with_cards(&self.cards)
            .with_postings(&self.postings);
        let found = self
            .store
            .fill(path, &|unit| renderer.render(unit))
            .map_err(|e| failed(&[], e))?;
        let cards = renderer.card_cache(&self.cards);
        drop(renderer);
        self.cards = cards;
        Ok(if found { self.store.get(path) } else { None })
    }

    /// What an update of the store did, as the log reports it.
    fn rebuilt(&mut self, written: WriteReport, units: usize) -> Rebuilt {
        Rebuilt {
            changed: self.store.take_changed(),
            rendered: written.rendered,
            units,
            stages: Vec::new(),
            in_place: false,
        }
    }
}

/// A failed update as a build failure, after the problems found so far.
fn failed(so_far: &[Diagnostic], e: Failure) -> BuildFailure {
    let mut all = so_far.to_vec();
    all.push(e.into_diagnostic(std::path::Path::new("(memory)")));
    BuildFailure::new(all)
}

/// Puts back the papers an in-place edit had swapped in.
fn undo(site: &mut crate::model::Site, swapped: Vec<(usize, Arc<Paper>)>) {
    for (i, old) in swapped {
        site.papers[i] = old;
    }
}
