//! The incremental core that `build`, `check` and `serve` all drive: key
//! units of the site (see [`crate::render::units`]), render those whose key
//! differs from what the output store holds, and let the store put the new
//! files in and drop the files no unit produces any more.
//!
//! Two stores implement [`Store`]: the output folder with its manifest
//! ([`crate::write::DiskStore`]) and the in-memory site `serve` answers
//! from, which `check` also renders into ([`MemoryStore`]). Which units
//! changed is decided here and only here; how their bytes reach the store
//! (a patch, a staged rebuild, a map) is the store's business.

mod memory;

pub use memory::{Files, MemoryStore};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::render::Output;
use crate::render::units::{Renderer, Unit};
use crate::write::{Failure, WriteReport};

/// A unit with its stable id and the cache key of its inputs. (Generic so
/// the stores' own tests can use units of their own.)
#[derive(Debug, Clone)]
pub struct Keyed<U = Unit> {
    pub unit: U,
    pub id: String,
    pub key: u64,
}

/// Renders one unit into its files.
pub type Render<'r> = dyn Fn(Unit) -> Result<Vec<Output>, Diagnostic> + Sync + 'r;

/// Where a site's rendered units live between builds.
pub trait Store {
    /// The key the unit `id` was last rendered with, if the store holds it.
    fn key_of(&self, id: &str) -> Option<u64>;

    /// Puts the `changed` units in, rendering them with `render`. With
    /// `site`, that is every unit the site has now: the files of units not
    /// in it are removed. Without, the update is partial and nothing else
    /// is touched. Nothing in the store changes unless every unit rendered.
    fn apply(
        &mut self,
        site: Option<&[Keyed]>,
        changed: &[&Keyed],
        render: &Render,
    ) -> Result<WriteReport, Failure>;
}

/// Which units an update considers.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    /// The whole plan of the site: units it lacks are gone.
    Site(&'a [Unit]),
    /// Only these units (an edit whose effects are known); the rest stay.
    Only(&'a [Unit]),
}

/// The keyed units of `units`.
pub fn key(renderer: &Renderer, units: &[Unit]) -> Vec<Keyed> {
    units
        .par_iter()
        .map(|&unit| Keyed {
            unit,
            id: renderer.id(unit),
            key: renderer.key(unit),
        })
        .collect()
}

/// Brings `store` up to date with `renderer`'s site for the units in
/// `scope`, except those `later` holds back (they keep what the store has;
/// `serve` renders the search index after the reload).
pub fn update(
    renderer: &Renderer,
    store: &mut impl Store,
    scope: Scope,
    later: &(dyn Fn(Unit) -> bool + Sync),
) -> Result<WriteReport, Failure> {
    let (units, whole) = match scope {
        Scope::Site(units) => (units, true),
        Scope::Only(units) => (units, false),
    };
    let keyed = key(renderer, units);
    let changed = stale(&keyed, |id| store.key_of(id), later);
    store.apply(whole.then_some(&keyed[..]), &changed, &|unit| {
        renderer.render(unit)
    })
}

/// The units of `keyed` whose key is not the one `key_of` recorded, except
/// those held back by `later`: what must be rendered.
pub fn stale<U: Copy>(
    keyed: &[Keyed<U>],
    key_of: impl Fn(&str) -> Option<u64>,
    later: impl Fn(U) -> bool,
) -> Vec<&Keyed<U>> {
    keyed
        .iter()
        .filter(|k| !later(k.unit) && key_of(&k.id) != Some(k.key))
        .collect()
}
