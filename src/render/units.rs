//! The site cut into units of output, each with a cache key: a hash of
//! everything its bytes depend on. A unit whose key is unchanged since the
//! last build need not be rendered again, which is what makes warm builds
//! and `serve` fast. Keys are computed from the model without rendering, so
//! they must name every input the unit's renderer reads. Matches on units
//! and lists name every variant, so a new kind cannot fall through; and
//! `tests/incremental_edits.rs` applies random edits and compares what the
//! engine left (on disk and in `serve`) with a fresh build, whatever unit a
//! key is missing an input for.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::context::{PaperCtx, SiteCtx};
use super::feeds::{self, FeedSpec};
pub use super::pages::Lists;
use super::pages::{self, Env, List};
use super::sitemap::{self, SitemapEntry};
use super::theme::{StaticFile, Theme};
use super::{Content, Output};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::{Site, page_count, page_path};
use crate::routes::{Routes, SubjectKind};
use crate::search::index::{self as search_index, DOCS_PER_CHUNK, Postings, card_chunk};
use crate::search::kept::KeptPostings;

/// One independently cached piece of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// The n-th of the theme's static files (in path order).
    Static(usize),
    /// A paper's page and citation files.
    Paper(usize),
    /// Page `n` (1-based) of a listing.
    ListPage(List, usize),
    /// RSS, Atom and JSON Feed of the site or of one listing.
    Feeds(Subject),
    /// The daily digest's feeds (`daily/rss.xml`, …).
    Digest,
    ArchiveIndex,
    TagsIndex,
    /// Page `n` (1-based) of the authors index.
    AuthorsIndex(usize),
    SearchPage,
    /// The feeds page and `feeds.opml`.
    FeedsIndex,
    NotFound,
    SyntaxCss,
    SearchIndex,
    /// The n-th chunk of the search index's result cards.
    SearchCards(usize),
    Sitemap,
    /// `robots.txt`, `.nojekyll` and `CNAME`.
    Extras,
}

impl Subject {
    fn kind(self) -> SubjectKind {
        match self {
            Subject::Site => SubjectKind::Site,
            Subject::Tag(_) => SubjectKind::Tag,
            Subject::Author(_) => SubjectKind::Author,
            Subject::Collection(_) => SubjectKind::Collection,
        }
    }
}

/// Whose feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Site,
    Tag(usize),
    Author(usize),
    Collection(usize),
}

/// Everything needed to plan, key and render units of one site.
pub struct Renderer<'a> {
    pub env: Env<'a>,
    pub site: &'a Site,
    syntax_css: &'a str,
    /// Shared, so `serve` can keep them across edits that move no paper.
    lists: Arc<Lists>,
    statics: Vec<(&'a String, &'a StaticFile)>,
    /// Hash of the config and the program version: part of every key.
    salt: u64,
    /// Per paper, its fingerprint combined with which of its authors have
    /// a page: that decides where its author names link (see [`Self::shape`]).
    shapes: Vec<u64>,
    cards: Vec<OnceLock<Result<Card, Diagnostic>>>,
    /// The first card rendered, which the others are packed against (see
    /// [`Card`]).
    card_dict: OnceLock<Arc<[u8]>>,
    /// Cards of an earlier build, looked up before rendering one.
    earlier_cards: Option<&'a CardCache>,
    /// What every authors index page reads of the authors (see [`Self::key`]).
    authors_digest: OnceLock<u64>,
    /// The search postings of an earlier build, taken and put back updated
    /// when the search index renders.
    postings: Option<&'a KeptPostings>,
}

/// Cards from earlier renders, by [`Renderer::card_key`], for `serve`.
pub type CardCache = std::collections::HashMap<u64, Card>;

/// A paper's card, held from when the first listing shows it to the last,
/// packed against another card (a dictionary): cards share most of their
/// markup, and packed alone they would shrink by a third instead of by
/// more than half. Every listing that shows the card unpacks it.
#[derive(Clone)]
pub struct Card {
    block: Arc<[u8]>,
    len: usize,
    dict: Arc<[u8]>,
}

impl Card {
    fn pack(card: &str, dict: &Arc<[u8]>) -> Card {
        Card {
            block: crate::packed::pack(card, dict).into(),
            len: card.len(),
            dict: dict.clone(),
        }
    }

    fn unpack(&self) -> String {
        crate::packed::unpack(&self.block, self.len, &self.dict)
    }
}

fn hash_of(value: impl Hash) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    value.hash(&mut h);
    h.finish()
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        config: &'a Config,
        theme: &'a Theme,
        syntax_css: &'a str,
    ) -> Renderer<'a> {
        Self::with_lists(site, config, theme, syntax_css, Arc::new(Lists::new(site)))
    }

    /// [`Self::new`] with the site's [`Lists`] made already: they take tens
    /// of milliseconds at 10,000 papers (the authors' sort keys), and an edit
    /// that leaves every paper where it was ([`Site::replace`]) keeps them.
    pub fn with_lists(
        site: &'a Site,
        config: &'a Config,
        theme: &'a Theme,
        syntax_css: &'a str,
        lists: Arc<Lists>,
    ) -> Renderer<'a> {
        let routes = Routes::new(config);
        let env = Env {
            config,
            theme,
            site: SiteCtx::new(config),
            routes,
        };
        let salt = hash_of((env!("CARGO_PKG_VERSION"), format!("{config:?}")));
        Renderer {
            env,
            site,
            syntax_css,
            lists,
            statics: theme
                .static_files
                .iter()
                .filter(|(path, _)| !Routes::is_generated(path))
                .collect(),
            salt,
            shapes: shapes(site, routes),
            cards: (0..site.papers.len()).map(|_| OnceLock::new()).collect(),
            card_dict: OnceLock::new(),
            earlier_cards: None,
            authors_digest: OnceLock::new(),
            postings: None,
        }
    }

    /// The site's lists, for a later [`Self::with_lists`].
    pub fn lists(&self) -> Arc<Lists> {
        self.lists.clone()
    }

    /// Lets cards come from `cache` where their keys match (`serve`).
    pub fn with_cards(mut self, cache: &'a CardCache) -> Self {
        self.earlier_cards = Some(cache);
        self
    }

    /// Lets the search index start from the postings `kept` holds and
    /// leaves its updated postings there, for the next build.
    pub fn with_postings(mut self, kept: &'a KeptPostings) -> Self {
        self.postings = Some(kept);
        self
    }

    fn routes(&self) -> Routes<'a> {
        self.env.routes
    }

    /// Every unit of the site, as the route table enables them.
    pub fn plan(&self) -> Vec<Unit> {
        let site = self.site;
        let routes = self.routes();
        // The search index first: while it renders it holds every term's
        // postings, better beside the little rendered so far than beside
        // the manifest of a whole site's files.
        let mut units: Vec<Unit> = self.search_units().collect();
        units.extend((0..self.statics.len()).map(Unit::Static));
        units.extend((0..site.papers.len()).map(Unit::Paper));
        for list in self.lists.all_lists(site, routes) {
            let count = page_count(self.members(list).len(), self.env.config.paginate_by);
            units.extend((1..=count).map(|n| Unit::ListPage(list, n)));
        }
        let subjects = std::iter::once(Subject::Site)
            .chain((0..site.tags.len()).map(Subject::Tag))
            .chain(
                (0..site.authors.len())
                    .filter(|&a| routes.author_has_page(site.authors[a].papers.len()))
                    .map(Subject::Author),
            )
            .chain((0..site.collections.len()).map(Subject::Collection));
        units.extend(
            subjects
                .filter(|s| !routes.feed_formats(s.kind()).is_empty())
                .map(Unit::Feeds),
        );
        if !routes.feed_formats(SubjectKind::Digest).is_empty() {
            units.push(Unit::Digest);
        }
        units.extend((1..=pages::authors_pages(routes, site)).map(Unit::AuthorsIndex));
        units.extend([
            Unit::ArchiveIndex,
            Unit::TagsIndex,
            Unit::SearchPage,
            Unit::FeedsIndex,
            Unit::NotFound,
            Unit::SyntaxCss,
            Unit::Sitemap,
            Unit::Extras,
        ]);
        units
    }

    /// The search index and its chunks of result cards.
    pub fn search_units(&self) -> impl Iterator<Item = Unit> {
        let chunks = self.site.papers.len().div_ceil(DOCS_PER_CHUNK);
        std::iter::once(Unit::SearchIndex).chain((0..chunks).map(Unit::SearchCards))
    }

    fn members(&self, list: List) -> &[usize] {
        let site = self.site;
        match list {
            List::Home => &self.lists.all,
            List::Trending(window) => self.lists.trending(window),
            List::Tag(t) => &site.tags[t].papers,
            List::Author(a) => &site.authors[a].papers,
            List::Day(d) => &self.lists.all[site.days[d].papers.clone()],
            List::Year(y) => &self.lists.all[self.lists.years[y].papers.clone()],
            List::Month(y, m) => &self.lists.all[self.lists.years[y].months[m].papers.clone()],
            List::Collection(c) => &site.collections[c].papers,
        }
    }

    /// A name for the unit that stays the same across builds while it
    /// exists (indices do not: adding a paper shifts them). Every file the
    /// unit makes lies in the folder [`home`] reads from it.
    pub fn id(&self, unit: Unit) -> String {
        let site = self.site;
        let routes = self.routes();
        match unit {
            Unit::Static(i) => self.statics[i].0.clone(),
            Unit::Paper(i) => routes.paper(&site.papers[i].slug),
            Unit::ListPage(list, n) => page_path(&self.list_base(list), n),
            Unit::Feeds(subject) => format!("{}*feeds", self.subject_path(subject)),
            Unit::Digest => format!("{}*digest", routes.digest()),
            Unit::ArchiveIndex => routes.archive(),
            Unit::TagsIndex => routes.tags_index(),
            Unit::AuthorsIndex(n) => format!("{}*index", page_path(&routes.authors_index(), n)),
            Unit::SearchPage => routes.search(),
            // Named by its file at the top, so that both its files lie in
            // the folder of its id (see [`home`]).
            Unit::FeedsIndex => routes.opml(),
            Unit::NotFound => routes.not_found(),
            Unit::SyntaxCss => routes.syntax_css(),
            Unit::SearchIndex => format!("{}*", routes.search()),
            Unit::SearchCards(n) => routes.search_cards(n),
            Unit::Sitemap => routes.sitemap(),
            Unit::Extras => routes.robots(),
        }
    }

    fn list_base(&self, list: List) -> String {
        let site = self.site;
        let routes = self.routes();
        match list {
            List::Home => routes.home(),
            List::Trending(window) => routes.trending(window),
            List::Tag(t) => routes.tag(&site.tags[t].slug),
            List::Day(d) => routes.day(site.days[d].date),
            List::Author(_) | List::Year(_) | List::Month(..) | List::Collection(_) => {
                self.lists.listing(&self.env, site, list).base
            }
        }
    }

    fn subject_path(&self, subject: Subject) -> String {
        let site = self.site;
        let routes = self.routes();
        match subject {
            Subject::Site => routes.home(),
            Subject::Tag(t) => routes.tag(&site.tags[t].slug),
            Subject::Author(a) => {
                let author = &site.authors[a];
                routes
                    .author(&author.slug, author.papers.len())
                    .unwrap_or_default()
            }
            Subject::Collection(c) => routes.collection(&site.collections[c].slug),
        }
    }

    /// What keys hash for paper `i`'s content: see [`shapes`].
    fn fingerprint(&self, i: usize) -> u64 {
        self.shapes[i]
    }

    /// The key of paper `i`'s card.
    pub fn card_key(&self, i: usize) -> u64 {
        hash_of((
            self.salt,
            self.env.theme.key("partials/card.html"),
            self.fingerprint(i),
        ))
    }

    /// The cache key of `unit`.
    pub fn key(&self, unit: Unit) -> u64 {
        let site = self.site;
        let theme = self.env.theme;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        self.salt.hash(&mut h);
        match unit {
            Unit::Static(i) => {
                let (path, file) = self.statics[i];
                path.hash(&mut h);
                match file {
                    // A file that cannot be read gets a key of its own; the
                    // copy reports the error.
                    StaticFile::Disk(source) => std::fs::read(source).ok().hash(&mut h),
                    StaticFile::Embedded(bytes) => bytes.hash(&mut h),
                }
            }
            Unit::Paper(i) => {
                theme.key("paper.html").hash(&mut h);
                self.shows(unit, |j| self.fingerprint(j).hash(&mut h));
                // Separates "older only" from "newer only".
                let (older, newer) = site.neighbours(i);
                (older.is_some(), newer.is_some()).hash(&mut h);
            }
            Unit::ListPage(list, n) => {
                // What the heading, lede and feeds derive from: the
                // listing's address (which holds its date or slug), its
                // subject's name, and how many papers it has.
                let name = match list {
                    List::Tag(t) => site.tags[t].name.as_str(),
                    List::Author(a) => &site.authors[a].name,
                    List::Collection(c) => &site.collections[c].name,
                    // Named by their address (a date) or by the site.
                    List::Home
                    | List::Trending(_)
                    | List::Day(_)
                    | List::Year(_)
                    | List::Month(..) => "",
                };
                let members = self.members(list);
                (theme.key(list.template()), theme.key("partials/card.html")).hash(&mut h);
                (self.list_base(list), name, n, members.len()).hash(&mut h);
                self.shows(unit, |i| self.fingerprint(i).hash(&mut h));
                if let List::Day(d) = list {
                    let date = |i: usize| site.days.get(i).map(|day| day.date);
                    (date(d + 1), d.checked_sub(1).and_then(date)).hash(&mut h);
                }
            }
            Unit::Feeds(subject) => {
                let (path, name, _) = self.subject(subject);
                (path, name).hash(&mut h);
                self.shows(unit, |i| self.fingerprint(i).hash(&mut h));
            }
            Unit::Digest => {
                // Which papers fall on which day, then what each shows.
                for day in site.days.iter().take(self.env.config.feed_limit) {
                    (day.date, day.papers.len()).hash(&mut h);
                }
                self.shows(unit, |i| self.fingerprint(i).hash(&mut h));
            }
            Unit::ArchiveIndex => {
                theme.key("archive.html").hash(&mut h);
                for y in &self.lists.years {
                    (y.number, y.papers.len()).hash(&mut h);
                    for m in &y.months {
                        (m.number, m.papers.len()).hash(&mut h);
                    }
                }
            }
            Unit::TagsIndex => {
                theme.key("tags.html").hash(&mut h);
                for t in &site.tags {
                    (&t.name, &t.slug, t.papers.len()).hash(&mut h);
                }
            }
            Unit::AuthorsIndex(n) => {
                // Every page's jump bar links to every initial's page, so
                // every page reads every author: hashed once for all pages.
                let authors = *self.authors_digest.get_or_init(|| {
                    let mut h = xxhash_rust::xxh3::Xxh3::new();
                    for a in &site.authors {
                        (&a.name, &a.slug, a.papers.len()).hash(&mut h);
                    }
                    h.finish()
                });
                (theme.key("authors.html"), n, authors).hash(&mut h);
            }
            Unit::FeedsIndex => {
                theme.key("feeds.html").hash(&mut h);
                for t in site
                    .collections
                    .iter()
                    .chain(&site.tags)
                    .chain(&site.authors)
                {
                    (
                        &t.name,
                        &t.slug,
                        self.routes().author_has_page(t.papers.len()),
                    )
                        .hash(&mut h);
                }
                site.collections.len().hash(&mut h);
                site.tags.len().hash(&mut h);
            }
            Unit::SearchPage => theme.key("search.html").hash(&mut h),
            Unit::NotFound => theme.key("404.html").hash(&mut h),
            Unit::SyntaxCss => self.syntax_css.hash(&mut h),
            Unit::SearchIndex => {
                // Postings, tags and years all derive from the papers.
                self.shows(unit, |i| self.fingerprint(i).hash(&mut h));
            }
            Unit::SearchCards(_) => {
                theme.key("partials/card.html").hash(&mut h);
                self.shows(unit, |i| self.fingerprint(i).hash(&mut h));
            }
            Unit::Sitemap => {
                // The sitemap lists every page: paper slugs and dates, and
                // each listing's address (from a slug or a date) and length.
                for p in &site.papers {
                    (&p.slug, p.date).hash(&mut h);
                }
                for term in site
                    .tags
                    .iter()
                    .chain(&site.authors)
                    .chain(&site.collections)
                {
                    (&term.slug, term.papers.len()).hash(&mut h);
                }
                for day in &site.days {
                    (day.date, day.papers.len()).hash(&mut h);
                }
                for y in &self.lists.years {
                    (y.number, y.papers.len()).hash(&mut h);
                    for m in &y.months {
                        (m.number, m.papers.len()).hash(&mut h);
                    }
                }
                (site.tags.len(), site.authors.len(), site.papers.len()).hash(&mut h);
            }
            Unit::Extras => {}
        }
        h.finish()
    }

    /// Calls `f` with each paper whose content `unit` shows, in a fixed
    /// order. Keys hash these papers' fingerprints, and [`Self::dependents`]
    /// inverts it; one function for both keeps them in step. What a unit
    /// reads beyond its papers' content (names, counts, slugs, dates) goes
    /// into its key separately.
    pub fn shows(&self, unit: Unit, mut f: impl FnMut(usize)) {
        let site = self.site;
        match unit {
            Unit::Paper(i) => {
                f(i);
                let (older, newer) = site.neighbours(i);
                for j in older
                    .into_iter()
                    .chain(newer)
                    .chain(site.related[i].iter().copied())
                {
                    f(j);
                }
            }
            Unit::ListPage(list, n) => {
                let members = self.members(list);
                let per = self.env.config.paginate_by.max(1);
                let shown =
                    &members[((n - 1) * per).min(members.len())..(n * per).min(members.len())];
                shown.iter().copied().for_each(f);
            }
            Unit::Feeds(subject) => {
                let (_, _, members) = self.subject(subject);
                members
                    .iter()
                    .take(self.env.config.feed_limit)
                    .copied()
                    .for_each(f);
            }
            Unit::Digest => site
                .days
                .iter()
                .take(self.env.config.feed_limit)
                .flat_map(|day| day.papers.clone())
                .for_each(f),
            Unit::SearchIndex => (0..site.papers.len()).for_each(f),
            Unit::SearchCards(n) => self.chunk(n).for_each(f),
            // These show no paper's content: what they read of the papers
            // (counts, slugs, dates, names) is in their keys directly.
            Unit::Static(_)
            | Unit::ArchiveIndex
            | Unit::TagsIndex
            | Unit::AuthorsIndex(_)
            | Unit::SearchPage
            | Unit::FeedsIndex
            | Unit::NotFound
            | Unit::SyntaxCss
            | Unit::Sitemap
            | Unit::Extras => {}
        }
    }

    /// The papers of the `n`-th chunk of search result cards.
    fn chunk(&self, n: usize) -> std::ops::Range<usize> {
        n * DOCS_PER_CHUNK..((n + 1) * DOCS_PER_CHUNK).min(self.site.papers.len())
    }

    /// For each paper, the positions in `plan` of the units that show it
    /// (see [`Self::shows`]).
    pub fn dependents(&self, plan: &[Unit]) -> Vec<Vec<u32>> {
        let mut dependents = vec![Vec::new(); self.site.papers.len()];
        for (at, &unit) in plan.iter().enumerate() {
            let at = u32::try_from(at).expect("fewer than 4 billion units");
            self.shows(unit, |i| dependents[i].push(at));
        }
        dependents
    }

    fn subject(&self, subject: Subject) -> (String, &str, &[usize]) {
        let site = self.site;
        let path = self.subject_path(subject);
        match subject {
            Subject::Site => (path, &self.env.config.title, &self.lists.all),
            Subject::Tag(t) => (path, &site.tags[t].name, &site.tags[t].papers),
            Subject::Author(a) => (path, &site.authors[a].name, &site.authors[a].papers),
            Subject::Collection(c) => {
                (path, &site.collections[c].name, &site.collections[c].papers)
            }
        }
    }

    /// Made afresh for the paper's page and again for its card, rather
    /// than kept: cheap next to rendering, and at a million papers keeping
    /// them all would cost gigabytes.
    fn paper(&self, i: usize) -> PaperCtx<'a> {
        PaperCtx::new(self.site, i, self.env.config)
    }

    fn card(&self, i: usize) -> Result<String, Diagnostic> {
        let card = self.cards[i].get_or_init(|| {
            let earlier = self
                .earlier_cards
                .and_then(|cache| cache.get(&self.card_key(i)));
            match earlier {
                Some(card) => Ok(card.clone()),
                None => pages::card(&self.env, &self.paper(i)).map(|card| {
                    let dict = self.card_dict.get_or_init(|| Arc::from(card.as_bytes()));
                    Card::pack(&card, dict)
                }),
            }
        });
        match card {
            Ok(card) => Ok(card.unpack()),
            Err(e) => Err(e.clone()),
        }
    }

    /// The cards of papers `indices` that this renderer has, for adding to
    /// the cache [`Self::with_cards`] reads.
    pub fn cards_of(&self, indices: &[usize]) -> Vec<(u64, Card)> {
        indices
            .iter()
            .filter_map(|&i| match self.cards[i].get() {
                Some(Ok(card)) => Some((self.card_key(i), card.clone())),
                _ => None,
            })
            .collect()
    }

    /// The cards of this site's papers for the next build's
    /// [`Self::with_cards`]: rendered here, or still valid in `previous`.
    pub fn card_cache(&self, previous: &CardCache) -> CardCache {
        self.cards
            .par_iter()
            .enumerate()
            .filter_map(|(i, slot)| {
                let key = self.card_key(i);
                match slot.get() {
                    Some(Ok(card)) => Some((key, card.clone())),
                    _ => previous.get(&key).map(|card| (key, card.clone())),
                }
            })
            .collect()
    }

    /// The files of `unit`.
    pub fn render(&self, unit: Unit) -> Result<Vec<Output>, Diagnostic> {
        let env = &self.env;
        let site = self.site;
        let config = env.config;
        let routes = env.routes;
        let text = |pages: Vec<(String, String)>| {
            pages
                .into_iter()
                .map(|(path, text)| Output {
                    path,
                    content: Content::Bytes(text.into_bytes()),
                })
                .collect()
        };
        Ok(match unit {
            Unit::Static(i) => {
                let (path, file) = self.statics[i];
                vec![Output {
                    path: path.clone(),
                    content: match file {
                        StaticFile::Disk(source) => Content::Copy(source.clone()),
                        StaticFile::Embedded(bytes) => Content::Static(bytes),
                    },
                }]
            }
            Unit::Paper(i) => text(pages::paper_page(env, site, i, &self.paper(i))?),
            Unit::ListPage(list, n) => {
                let listing = self.lists.listing(env, site, list);
                let card = |i| self.card(i);
                text(vec![pages::listing_page(env, site, &listing, n, &card)?])
            }
            Unit::Feeds(subject) => {
                let (path, name, members) = self.subject(subject);
                let (title, description) = match subject {
                    Subject::Site => (config.title.clone(), config.description.clone()),
                    _ => (pages::feed_title(config, name), format!("Papers: {name}")),
                };
                let papers: Vec<_> = members
                    .iter()
                    .take(config.feed_limit)
                    .map(|&i| &*site.papers[i])
                    .collect();
                let spec = FeedSpec {
                    title,
                    description,
                    page_path: &path,
                    formats: routes.feed_formats(subject.kind()),
                    abstracts: routes.feed_abstracts(subject.kind()),
                };
                text(feeds::feeds(&spec, &papers, config))
            }
            Unit::Digest => text(feeds::digest(site, config)),
            Unit::ArchiveIndex => text(vec![pages::archive_index(env, &self.lists.years)?]),
            Unit::TagsIndex => text(vec![pages::tags_index(env, site)?]),
            Unit::AuthorsIndex(n) => text(vec![pages::authors_index(
                env,
                site,
                &self.lists.authors,
                n,
            )?]),
            Unit::SearchPage => text(vec![pages::search_page(env)?]),
            Unit::FeedsIndex => {
                let groups = pages::feed_groups(env, site);
                text(vec![
                    pages::feeds_index(env, &groups)?,
                    (routes.opml(), super::opml(config, &groups)),
                ])
            }
            Unit::NotFound => text(vec![pages::not_found(env)?]),
            Unit::SyntaxCss => text(vec![(routes.syntax_css(), self.syntax_css.to_string())]),
            Unit::SearchIndex => text(match self.postings {
                Some(kept) => {
                    let postings = Postings::of(site, self.salt, kept.take());
                    let files = search_index::files(site, routes, &postings);
                    kept.put(postings);
                    files
                }
                None => search_index::build(site, routes),
            }),
            Unit::SearchCards(n) => {
                let cards: Vec<String> = self
                    .chunk(n)
                    .map(|i| self.card(i))
                    .collect::<Result<_, _>>()?;
                text(vec![(routes.search_cards(n), card_chunk(&cards))])
            }
            Unit::Sitemap => text(sitemap::sitemaps(&self.sitemap_entries(), routes)),
            Unit::Extras => {
                let mut files = vec![
                    (routes.robots(), sitemap::robots(routes)),
                    (routes.nojekyll(), String::new()),
                ];
                if let Some(domain) = &config.cname {
                    files.push((routes.cname(), format!("{domain}\n")));
                }
                text(files)
            }
        })
    }

    /// Every HTML page but the 404 page; papers carry their date as `lastmod`.
    fn sitemap_entries(&self) -> Vec<SitemapEntry> {
        let site = self.site;
        let routes = self.routes();
        let mut entries: Vec<SitemapEntry> = site
            .papers
            .iter()
            .map(|p| SitemapEntry {
                path: routes.paper(&p.slug),
                lastmod: Some(p.date.to_string()),
            })
            .collect();
        for list in self.lists.all_lists(site, routes) {
            let base = self.list_base(list);
            let count = page_count(self.members(list).len(), self.env.config.paginate_by);
            entries.extend((1..=count).map(|n| SitemapEntry {
                path: page_path(&base, n),
                lastmod: None,
            }));
        }
        let authors_index = routes.authors_index();
        let fixed = [
            routes.archive(),
            routes.tags_index(),
            routes.search(),
            routes.feeds_index(),
        ];
        let author_pages =
            (1..=pages::authors_pages(routes, site)).map(|n| page_path(&authors_index, n));
        for path in fixed.into_iter().chain(author_pages) {
            entries.push(SitemapEntry {
                path,
                lastmod: None,
            });
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        entries
    }
}

/// The folder every file of the unit with id `id` lies in: the id up to
/// its last `/` before any `*` (see [`Renderer::id`]). `serve` finds the
/// units that may make a requested path by it, so it renders only those.
pub fn home(id: &str) -> &str {
    let name = id.split('*').next().unwrap_or(id);
    &name[..name.rfind('/').map_or(0, |at| at + 1)]
}

/// Per paper, its fingerprint mixed with which of its authors have a page:
/// a second paper by an author gives them a page, which changes where their
/// name links on the first paper's card and page. XOR over authors keeps it
/// one pass over the author lists, with no slug computed again.
fn shapes(site: &Site, routes: Routes) -> Vec<u64> {
    let mut shapes: Vec<u64> = site.papers.iter().map(|p| p.fingerprint).collect();
    for author in &site.authors {
        if routes.author_has_page(author.papers.len()) {
            let mark = hash_of(&author.slug);
            for &i in &author.papers {
                shapes[i] ^= mark;
            }
        }
    }
    shapes
}

#[cfg(test)]
mod tests {
    use super::home;

    #[test]
    fn a_units_home_is_the_folder_of_its_id() {
        assert_eq!(home("papers/a-paper/"), "papers/a-paper/");
        assert_eq!(home("tags/ml/*feeds"), "tags/ml/");
        assert_eq!(home("*feeds"), "");
        assert_eq!(home("authors/page/2/*index"), "authors/page/2/");
        assert_eq!(home("fonts/inter.woff2"), "fonts/");
        assert_eq!(home("feeds.opml"), "");
        assert_eq!(home(""), "");
    }
}
