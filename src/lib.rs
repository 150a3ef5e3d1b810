//! paperfeed: a static site generator for research-paper feeds.
//!
//! The build is a pipeline, one module per stage, data flowing one way:
//! [`load`] (read files) → [`parse`] (front matter + Markdown → papers) →
//! [`model`] (order, group, check across papers) → [`render`] (pages, feeds
//! as values, in units with cache keys) → [`write`] (only what changed). [`check`] lints
//! the rendered site without writing it.

pub mod cache_file;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod engine;
#[doc(hidden)]
pub mod harness;
pub mod import;
pub mod load;
pub mod model;
pub mod packed;
pub mod parse;
pub mod render;
pub mod routes;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod slug;
pub mod sync;
pub mod write;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

pub use config::{BuildOptions, Config};
pub use diagnostic::Diagnostic;

/// What a successful run did, for the summary line.
#[derive(Debug)]
pub struct BuildReport {
    pub papers: usize,
    pub tags: usize,
    pub files: usize,
    /// What `build` changed on disk (`check` writes nothing).
    pub written: write::WriteReport,
    pub output: PathBuf,
    pub elapsed: Duration,
    /// How long each stage took, in order, for `--verbose`.
    pub stages: Vec<(&'static str, Duration)>,
    pub warnings: Vec<Diagnostic>,
    /// What the user may like to know but need not act on (a parse cache
    /// that could not be used); never fails a `--strict` build.
    pub notes: Vec<String>,
    /// Paper files read and parsed, and all of them (the rest came from
    /// the parse cache); `None` when the build did not get that far.
    pub parsed: Option<(usize, usize)>,
}

impl BuildReport {
    /// The report of a build that found the inputs `recorded` unchanged.
    fn unchanged(
        recorded: write::Inputs,
        session: Session,
        started: Instant,
        load_started: Instant,
    ) -> Self {
        BuildReport {
            papers: recorded.papers,
            tags: recorded.tags,
            files: recorded.files,
            written: write::WriteReport {
                files: recorded.files,
                ..Default::default()
            },
            output: session.output_dir,
            elapsed: started.elapsed(),
            stages: vec![("load", load_started.elapsed())],
            warnings: Vec::new(),
            notes: Vec::new(),
            parsed: None,
        }
    }

    fn new(
        site: &model::Site,
        files: usize,
        session: Session,
        started: Instant,
        stages: Vec<(&'static str, Duration)>,
        warnings: Vec<Diagnostic>,
    ) -> Self {
        BuildReport {
            papers: site.papers.len(),
            tags: site.tags.len(),
            files,
            written: write::WriteReport::default(),
            output: session.output_dir,
            elapsed: started.elapsed(),
            stages,
            warnings,
            notes: Vec::new(),
            parsed: None,
        }
    }
}

/// A failed run: every problem found, errors and warnings, sorted by file.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Vec<Diagnostic>,
    /// False only when writing stopped after the output began to change;
    /// the writer checks it, so the CLI's "left untouched" is never a guess.
    pub output_untouched: bool,
}

impl BuildFailure {
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        BuildFailure {
            diagnostics,
            output_untouched: true,
        }
    }
}

impl From<Diagnostic> for BuildFailure {
    fn from(d: Diagnostic) -> Self {
        BuildFailure::new(vec![d])
    }
}

/// The site model, not yet rendered.
pub struct Modelled {
    pub site: model::Site,
    /// Warnings so far (errors end the run before a `Modelled` exists).
    pub diagnostics: Vec<Diagnostic>,
    pub stages: Vec<(&'static str, Duration)>,
    /// Whether related papers were taken from the earlier site given
    /// ([`model::Site::new_reusing`]) and may be stale.
    pub related_reused: bool,
}

/// The site rendered in memory, not yet written.
pub struct Rendered {
    pub site: model::Site,
    pub outputs: Vec<render::Output>,
    /// Warnings so far (errors end the run before a `Rendered` exists).
    pub diagnostics: Vec<Diagnostic>,
    pub stages: Vec<(&'static str, Duration)>,
}

/// A site opened for building, possibly many times (`serve`): the config,
/// theme and markdown tools, plus every paper file's parse keyed by its text,
/// so a rebuild re-parses only the files that changed.
pub struct Session {
    options: BuildOptions,
    pub config: Config,
    theme: render::theme::Theme,
    pub output_dir: PathBuf,
    syntax_css: String,
    tools: parse::Tools,
    /// Fx, not SipHash: a build at 100,000 papers hashes every path
    /// several times, and the paths are the site's own.
    parsed: FxHashMap<PathBuf, (u64, ParseResult)>,
    /// The paper files as last found (relative paths, sorted), with the
    /// problems finding and reading them. Their parses are in `parsed`;
    /// their texts are not kept.
    sources: Option<(Vec<PathBuf>, Vec<Diagnostic>)>,
    /// What the model keeps between rebuilds.
    memo: model::Memo,
    /// Set by `build`: the session models once, so it frees what no next
    /// time in this process reads (the paper texts, the parse cache); the
    /// model's memo goes to the parse cache file instead.
    one_off: bool,
}

/// What [`Session::load_cached`] found: each paper file's path and
/// fingerprint and its stamp, in order; the problems finding and reading
/// them; and how many were parsed (not taken from the cache).
struct Loaded {
    fingerprints: Vec<(PathBuf, u64)>,
    stamps: Vec<load::Stamp>,
    /// Per file, `None` if it was read (not trusted from the parse cache),
    /// else whether its cache entry held what the model derived.
    trusted: Vec<Option<bool>>,
    /// Per file, whether it was read only for a new stamp, and its text is
    /// the one its cache entry (with what the model derived) holds.
    restamped: Vec<bool>,
    problems: Vec<Diagnostic>,
    parsed: usize,
}

type ParseResult = (Option<std::sync::Arc<parse::Paper>>, Vec<Diagnostic>);

impl Session {
    /// Reads `site.toml` and the theme.
    pub fn open(options: &BuildOptions) -> Result<Session, BuildFailure> {
        let root = &options.root;
        load::check_site(root)?;
        let mut config = Config::load(root)?;
        if let Some(base_url) = &options.base_url {
            config.base_url = config::BaseUrl::parse(base_url)
                .map_err(|e| Diagnostic::error(std::path::Path::new("--base-url"), e))?;
        }
        let output_dir = options
            .output
            .clone()
            .unwrap_or_else(|| root.join("public"));
        write::check_output_dir(root, &output_dir)
            .map_err(|e| Diagnostic::error(&output_dir, e.to_string()))?;
        let theme = render::theme::Theme::load(root, &config.theme)?;
        let syntax_css = render::syntax_css(&config)?;
        Ok(Session {
            options: options.clone(),
            config,
            theme,
            output_dir,
            syntax_css,
            tools: parse::Tools::default(),
            parsed: FxHashMap::default(),
            sources: None,
            memo: model::Memo::default(),
            one_off: false,
        })
    }

    /// Reloads the templates and static files (after a theme edit).
    pub fn reload_theme(&mut self) -> Result<(), BuildFailure> {
        self.theme = render::theme::Theme::load(&self.options.root, &self.config.theme)?;
        Ok(())
    }

    /// Reads the content, parses what changed since the last call, and
    /// renders the whole site in memory.
    pub fn render(&mut self) -> Result<Rendered, BuildFailure> {
        let Modelled {
            site,
            mut diagnostics,
            mut stages,
            ..
        } = self.model()?;
        let started = Instant::now();
        let outputs = match render::render_site(&site, &self.config, &self.theme, &self.syntax_css)
        {
            Ok(outputs) => outputs,
            Err(e) => {
                diagnostics.push(e);
                return Err(failure(diagnostics));
            }
        };
        stages.push(("render", started.elapsed()));
        Ok(Rendered {
            site,
            outputs,
            diagnostics,
            stages,
        })
    }

    /// A renderer of `site` with this session's config and theme.
    pub fn renderer<'a>(&'a self, site: &'a model::Site) -> render::units::Renderer<'a> {
        render::units::Renderer::new(site, &self.config, &self.theme, &self.syntax_css)
    }

    /// [`Self::renderer`] reusing the lists of an earlier renderer of the
    /// same site (see [`render::units::Renderer::with_lists`]).
    pub fn renderer_with<'a>(
        &'a self,
        site: &'a model::Site,
        lists: std::sync::Arc<render::units::Lists>,
    ) -> render::units::Renderer<'a> {
        render::units::Renderer::with_lists(
            site,
            &self.config,
            &self.theme,
            &self.syntax_css,
            lists,
        )
    }

    /// Reads the content, parses what changed since the last call, and
    /// builds the site model.
    pub fn model(&mut self) -> Result<Modelled, BuildFailure> {
        let clock = Instant::now();
        let read = self.load();
        self.model_sources(clock, &read, None)
    }

    /// Finds and reads every paper file, for [`Self::model_sources`] to parse.
    fn load(&mut self) -> Vec<load::SourceFile> {
        let (files, problems) = load::load_papers(&self.options.root);
        self.sources = Some((files.iter().map(|f| f.path.clone()).collect(), problems));
        files
    }

    /// A hash of everything the output depends on: the program version,
    /// the config, the theme's templates and static files, and each paper
    /// file's path and text (as its fingerprint). `None` when loading
    /// reported problems, which must be reported again.
    fn inputs_key(&self, fingerprints: &[(PathBuf, u64)], problems: &[Diagnostic]) -> Option<u64> {
        use std::hash::Hasher;
        if !problems.is_empty() {
            return None;
        }
        let mut h = self.setup_hasher();
        std::hash::Hash::hash(fingerprints, &mut h);
        Some(h.finish())
    }

    /// What parsing reads of the config: a file's parse depends on its text
    /// and this alone, so the parse cache is keyed on it.
    fn parse_salt(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        (self.config.unsafe_html, &self.config.base_url.path).hash(&mut h);
        h.finish()
    }

    /// Of the paper files `found`, reads those whose parse `cache` does not
    /// hold (a changed or new file), parsing them; the rest come from the
    /// cache unread. Returns each file's path and fingerprint, in order,
    /// and the problems finding and reading them.
    fn load_cached(
        &mut self,
        found: Vec<load::Found>,
        mut problems: Vec<Diagnostic>,
        cache: &mut parse::cache::ParseCache,
    ) -> Loaded {
        let mut missed = Vec::new();
        let mut derived = Vec::new();
        let mut trusted = FxHashMap::default();
        let mut restampable = FxHashMap::default();
        for f in &found {
            let Some(cached) = cache.take(&f.rel, f.stamp) else {
                missed.push(f.clone());
                continue;
            };
            if !cached.unchanged {
                // Kept if the text's fingerprint still matches.
                missed.push(f.clone());
                if cached.derived.is_some() {
                    restampable.insert(f.rel.clone(), cached.fingerprint);
                }
            } else {
                trusted.insert(f.rel.clone(), cached.derived.is_some());
            }
            // Keyed by fingerprint: unused if the text changed.
            derived.extend(cached.derived.map(|d| (cached.fingerprint, d)));
            self.parsed
                .insert(f.rel.clone(), (cached.fingerprint, cached.parsed));
        }
        self.memo.import(derived);
        // Read and parsed a batch at a time, each batch's texts let go once
        // parsed: at a million papers the texts alone are 4 GB.
        const BATCH: usize = 1 << 13;
        let mut parsed = 0;
        for batch in missed.chunks(BATCH) {
            let (files, unreadable) = load::read_found(batch);
            if !unreadable.is_empty() {
                let read: FxHashSet<&PathBuf> = files.iter().map(|f| &f.path).collect();
                for f in batch.iter().filter(|f| !read.contains(&f.rel)) {
                    self.parsed.remove(&f.rel);
                }
            }
            problems.extend(unreadable);
            parsed += self.parse_changed(&files);
        }
        let mut trusted_files = Vec::new();
        let mut restamped = Vec::new();
        let (fingerprints, stamps) = found
            .into_iter()
            .filter_map(|f| {
                let fingerprint = self.parsed.get(&f.rel)?.0;
                trusted_files.push(trusted.get(&f.rel).copied());
                restamped.push(restampable.get(&f.rel) == Some(&fingerprint));
                Some(((f.rel, fingerprint), f.stamp))
            })
            .unzip();
        Loaded {
            fingerprints,
            stamps,
            trusted: trusted_files,
            restamped,
            problems,
            parsed,
        }
    }

    /// Like [`Self::inputs_key`], from each paper file's path, size and
    /// modification time instead of its text: no file is read, so a build
    /// with nothing changed can stop sooner still. `None` when finding the
    /// files reported anything, which must be reported again.
    fn stat_key(&self, found: &[load::Found], problems: &[Diagnostic]) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        if !problems.is_empty() {
            return None;
        }
        let mut h = self.setup_hasher();
        for f in found {
            (&f.rel, f.stamp).hash(&mut h);
        }
        Some(h.finish())
    }

    /// A hasher primed with the program version, config and theme.
    fn setup_hasher(&self) -> xxhash_rust::xxh3::Xxh3 {
        use std::hash::Hash;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        (env!("CARGO_PKG_VERSION"), format!("{:?}", self.config)).hash(&mut h);
        (
            self.options.drafts,
            &self.syntax_css,
            self.theme.key_of_all(),
        )
            .hash(&mut h);
        h
    }

    /// Like [`Self::model`], but re-reads only `paths` (relative to the
    /// site root) when they are all paper files; `serve` knows which files
    /// changed and re-reading ten thousand others would dominate.
    /// With `earlier`, related papers may be taken from it (see
    /// [`model::Site::new_reusing`]).
    pub fn model_changed(
        &mut self,
        paths: &[PathBuf],
        earlier: Option<&model::Site>,
    ) -> Result<Modelled, BuildFailure> {
        let clock = Instant::now();
        let updated = match &mut self.sources {
            Some((files, _)) => load::update(&self.options.root, files, paths),
            None => None,
        };
        let read = match updated {
            Some(read) => read,
            None => self.load(),
        };
        self.model_sources(clock, &read, earlier)
    }

    /// For `serve`'s fast path: re-reads and re-parses `paths` (relative to
    /// the site root) when each is a paper file that was there before and
    /// still is, and returns the new papers in `paths` order. `None` when
    /// some path is anything else (added, deleted, not a paper): the caller
    /// then needs [`Self::model_changed`]. If any paper file has errors,
    /// this fails with every current diagnostic, as a full build would.
    pub fn reparse(
        &mut self,
        paths: &[PathBuf],
    ) -> Option<Result<Vec<std::sync::Arc<parse::Paper>>, BuildFailure>> {
        let root = &self.options.root;
        let (files, _) = self.sources.as_mut()?;
        let known = |rel: &PathBuf| files.binary_search(rel).is_ok() && root.join(rel).is_file();
        if paths.is_empty() || !paths.iter().all(known) {
            return None;
        }
        let read = load::update(root, files, paths)?;
        let tools = self
            .tools
            .renderers(self.config.unsafe_html, &self.config.base_url.path);
        let mut papers = Vec::with_capacity(read.len());
        let mut failed = false;
        for file in &read {
            let fingerprint = parse::fingerprint(&file.path, &file.text);
            let (paper, problems) = parse::parse_paper(file, &tools);
            let paper = paper.map(std::sync::Arc::new);
            failed |= problems.iter().any(Diagnostic::is_error);
            papers.extend(paper.clone());
            self.parsed
                .insert(file.path.clone(), (fingerprint, (paper, problems)));
        }
        // An error in any other file still stands, as a full build would say.
        failed |= self
            .parsed
            .values()
            .any(|(_, (_, problems))| problems.iter().any(Diagnostic::is_error));
        if failed {
            let (files, load_problems) = self.sources.as_ref()?;
            let mut diagnostics = load_problems.clone();
            for (_, (_, problems)) in files.iter().filter_map(|f| self.parsed.get(f)) {
                diagnostics.extend(problems.iter().cloned());
            }
            return Some(Err(failure(diagnostics)));
        }
        Some(Ok(papers))
    }

    /// Parses the files `read` whose text is new, then models every file
    /// in `sources`.
    fn model_sources(
        &mut self,
        clock: Instant,
        read: &[load::SourceFile],
        earlier: Option<&model::Site>,
    ) -> Result<Modelled, BuildFailure> {
        let loaded = clock.elapsed();
        let clock = Instant::now();
        self.parse_changed(read);
        let stages = vec![("load", loaded), ("parse", clock.elapsed())];
        self.model_found(stages, earlier)
    }

    /// [`Self::model`] for `serve`'s first build: the paper files whose
    /// parse the parse cache `build` left holds (same size and modification
    /// time) are not read, and the related papers' scores it left are
    /// reused where they still hold. Only reads the caches: a cache that is
    /// missing or not valid means parsing everything, as [`Self::model`].
    pub fn model_from_caches(&mut self) -> Result<Modelled, BuildFailure> {
        let clock = Instant::now();
        let (found, problems) = load::find_papers(&self.options.root);
        let parse_file = write::parse_cache_path(&self.output_dir);
        let (mut cache, _) = parse::cache::ParseCache::read(&parse_file, self.parse_salt());
        let loaded = self.load_cached(found, problems, &mut cache);
        drop(cache);
        let paths = loaded.fingerprints.into_iter().map(|(path, _)| path);
        self.sources = Some((paths.collect(), loaded.problems));
        let _ = self.keep_last_scores();
        self.model_found(vec![("load and parse", clock.elapsed())], None)
    }

    /// Gives the model the related papers' scores the last build left
    /// beside the output, to reuse where they still hold; why not, if none.
    fn keep_last_scores(&mut self) -> Result<(), String> {
        let file = write::related_cache_path(&self.output_dir);
        let scored =
            cache_file::read(&file, model::Scored::KIND, model::Scored::FORMAT).map_err(|why| {
                format!(
                    "the related papers' cache {} was not used: {why}",
                    file.display()
                )
            })?;
        scored.into_iter().for_each(|s| self.memo.keep_scored(s));
        Ok(())
    }

    /// Models every file in `sources`, after the problems finding them.
    fn model_found(
        &mut self,
        stages: Vec<(&'static str, Duration)>,
        earlier: Option<&model::Site>,
    ) -> Result<Modelled, BuildFailure> {
        let (paths, load_problems) = self.sources.take().unwrap_or_default();
        let modelled = self.model_parsed(&paths, load_problems.clone(), stages, earlier);
        self.sources = Some((paths, load_problems));
        modelled
    }

    /// Models the parsed files at `paths`, in that order, after the
    /// problems loading them (`diagnostics`).
    fn model_parsed(
        &mut self,
        paths: &[PathBuf],
        mut diagnostics: Vec<Diagnostic>,
        mut stages: Vec<(&'static str, Duration)>,
        earlier: Option<&model::Site>,
    ) -> Result<Modelled, BuildFailure> {
        let clock = Instant::now();
        let mut papers = Vec::with_capacity(paths.len());
        for path in paths {
            let (_, (paper, problems)) = &self.parsed[path];
            diagnostics.extend(problems.iter().cloned());
            papers.extend(paper.iter().cloned());
        }
        if !self.one_off {
            // Forget deleted files.
            let present: FxHashSet<&PathBuf> = paths.iter().collect();
            self.parsed.retain(|path, _| present.contains(path));
        }
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(failure(diagnostics));
        }
        let modelled =
            model::Site::new_reusing(papers, self.options.drafts, &mut self.memo, earlier);
        let (site, related_reused) = match modelled {
            Ok((site, reused)) => (site.with_collections(&self.config.collections), reused),
            Err(errors) => {
                diagnostics.extend(errors);
                return Err(failure(diagnostics));
            }
        };
        stages.push(("model", clock.elapsed()));
        Ok(Modelled {
            site,
            diagnostics,
            stages,
            related_reused,
        })
    }

    /// Only the search index (`search/…` files), for the search benchmark.
    pub fn search_index(&mut self) -> Result<Vec<render::Output>, BuildFailure> {
        let (files, _) = load::load_papers(&self.options.root);
        self.parse_changed(&files);
        let papers = files
            .iter()
            .filter_map(|f| self.parsed[&f.path].1.0.clone())
            .collect();
        let site = model::Site::new_with(papers, self.options.drafts, &mut self.memo)
            .map_err(BuildFailure::new)?;
        Ok(render::search_files(&site, &self.config, &self.theme)?)
    }

    /// Parses the files whose text is not the one parsed last; returns how
    /// many that was.
    fn parse_changed(&mut self, files: &[load::SourceFile]) -> usize {
        let stale: Vec<(&load::SourceFile, u64)> = files
            .par_iter()
            .map(|f| (f, parse::fingerprint(&f.path, &f.text)))
            .filter(|(f, h)| self.parsed.get(&f.path).is_none_or(|(old, _)| old != h))
            .collect();
        let tools = self
            .tools
            .renderers(self.config.unsafe_html, &self.config.base_url.path);
        let fresh: Vec<(PathBuf, u64, ParseResult)> = stale
            .par_iter()
            .map(|(f, h)| {
                let (paper, problems) = parse::parse_paper(f, &tools);
                (
                    f.path.clone(),
                    *h,
                    (paper.map(std::sync::Arc::new), problems),
                )
            })
            .collect();
        let count = fresh.len();
        for (path, h, result) in fresh {
            self.parsed.insert(path, (h, result));
        }
        count
    }
}

fn failure(mut diagnostics: Vec<Diagnostic>) -> BuildFailure {
    Diagnostic::sort_all(&mut diagnostics);
    BuildFailure::new(diagnostics)
}

/// Builds the site at `options.root` into its output folder, rendering and
/// writing only what changed since the last build into that folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let mut session = Session::open(options)?;
    let clock = Instant::now();
    let recorded = write::recorded_inputs(&session.output_dir);
    let (found, problems) = load::find_papers(&session.options.root);
    let stat_key = session.stat_key(&found, &problems);
    // Same inputs as the build that wrote the output: same output. File
    // sizes and times are checked first; then, if needed, the texts.
    if let Some(recorded) = recorded.filter(|r| stat_key == Some(r.stat)) {
        return Ok(BuildReport::unchanged(recorded, session, started, clock));
    }
    session.one_off = true;
    let parse_file = write::parse_cache_path(&session.output_dir);
    let salt = session.parse_salt();
    let (mut cache, note) = parse::cache::ParseCache::read(&parse_file, salt);
    // Files changed after this are newer than the cache says it is.
    let made = now_nanos();
    let Loaded {
        fingerprints,
        stamps,
        trusted,
        restamped,
        problems: load_problems,
        parsed,
    } = session.load_cached(found, problems, &mut cache);
    let stored = cache.stored();
    drop(cache);
    // The parses are good whatever happens next, so they are kept for the
    // next build unless writing the output fails: then nothing beside it
    // changes either. The file is written now, to be committed when the
    // build ends.
    let save_cache = |session: &mut Session| -> cache_file::Pending {
        let parsed = std::mem::take(&mut session.parsed);
        // The memo is spent as it is exported: the build drops it next.
        let by_index: Vec<u64> = fingerprints.iter().map(|(_, f)| *f).collect();
        let memo = &mut session.memo;
        let mut export = |wanted: &(dyn Fn(usize) -> bool + Sync),
                          derived: &mut [Option<Vec<u8>>]| {
            memo.export_into(&by_index, wanted, derived)
        };
        // What the model derived is exported only for entries written
        // whole: the files parsed or read for a new text, and entries that
        // lacked it and can have it now (a restamped file's entry has it).
        let mut derived = vec![None; fingerprints.len()];
        export(&|i| trusted[i] != Some(true) && !restamped[i], &mut derived);
        let fresh: Vec<bool> = (0..derived.len())
            .map(|i| trusted[i].is_none() || derived[i].is_some())
            .collect();
        let fresh_count = fresh.iter().filter(|&&f| f).count();
        let restamps = restamped.iter().filter(|&&r| r).count();
        if parse::cache::rewrites(stored, fresh.len(), fresh_count, restamps) {
            export(&|_| true, &mut derived);
        }
        let entries: Vec<_> = fingerprints
            .iter()
            .zip(&stamps)
            .zip(&derived)
            .zip(&fresh)
            .zip(&restamped)
            .map(|(((((path, _), stamp), derived), &fresh), &restamp)| {
                let (fingerprint, parsed) = &parsed[path];
                parse::cache::Record {
                    path,
                    stamp: *stamp,
                    fingerprint: *fingerprint,
                    parsed,
                    derived: derived.as_deref(),
                    fresh,
                    restamp,
                }
            })
            .collect();
        // A cache that cannot be written only costs the next build time.
        parse::cache::write(&parse_file, salt, made, &entries, stored)
            .unwrap_or(cache_file::Pending::Nothing)
    };
    let inputs_key = session.inputs_key(&fingerprints, &load_problems);
    if let Some(recorded) = recorded.filter(|r| inputs_key == Some(r.key)) {
        // The texts are as built, but their stamps are new (a checkout):
        // recorded, so the next build need not read the files again.
        let _ = save_cache(&mut session).commit();
        return Ok(BuildReport::unchanged(recorded, session, started, clock));
    }
    let loaded = clock.elapsed();
    let clock = Instant::now();
    let paths: Vec<PathBuf> = fingerprints.iter().map(|(path, _)| path.clone()).collect();
    let mut notes: Vec<String> = note
        .map(|why| {
            format!(
                "the parse cache {} was not used: {why}; every paper was parsed, and the next build uses the new cache",
                parse_file.display()
            )
        })
        .into_iter()
        .collect();
    if let Err(why) = session.keep_last_scores() {
        notes.push(format!(
            "{why}; every paper's related papers were scored, and the next build uses the new cache"
        ));
    }
    let scores_file = write::related_cache_path(&session.output_dir);
    let stages = vec![("load", loaded), ("parse", clock.elapsed())];
    let modelled = session
        .model_parsed(&paths, load_problems, stages, None)
        .and_then(|m| Ok((finish(m.diagnostics, options.strict)?, m.site, m.stages)));
    let (diagnostics, site, mut stages) = match modelled {
        Ok(modelled) => modelled,
        Err(failure) => {
            let _ = save_cache(&mut session).commit();
            return Err(failure);
        }
    };
    // From here the build needs only the site: the parses and what the
    // model derived (the tokenised abstracts, a gigabyte at a million
    // papers) go to their files now and are freed before rendering.
    let clock = Instant::now();
    let mut caches = vec![save_cache(&mut session)];
    if let Some(scored) = session.memo.scored().filter(|s| s.changed()) {
        caches.extend(
            cache_file::write_aside(
                &scores_file,
                model::Scored::KIND,
                model::Scored::FORMAT,
                scored,
            )
            .ok(),
        );
    }
    session.memo = model::Memo::default();
    stages.push(("cache", clock.elapsed()));
    // Only a build without warnings may be skipped next time: warnings must
    // be shown on every build.
    let inputs = inputs_key
        .filter(|_| diagnostics.is_empty())
        .zip(stat_key)
        .map(|(key, stat)| write::Inputs {
            key,
            stat,
            files: 0,
            papers: site.papers.len(),
            tags: site.tags.len(),
        });
    let clock = Instant::now();
    let kept = search::kept::KeptPostings::in_file(write::search_cache_path(&session.output_dir));
    let renderer = session.renderer(&site).with_postings(&kept);
    let plan = renderer.plan();
    stages.push(("plan", clock.elapsed()));
    let clock = Instant::now();
    let mut store = write::DiskStore::open(&session.output_dir, inputs);
    let written = match engine::update(&renderer, &mut store, engine::Scope::Site(&plan), &|_| {
        false
    }) {
        Ok(written) => written,
        Err(e) => {
            caches.into_iter().for_each(cache_file::Pending::abort);
            kept.discard();
            let untouched = e.output_untouched();
            let mut all = diagnostics.clone();
            all.push(e.into_diagnostic(&session.output_dir));
            return Err(BuildFailure {
                output_untouched: untouched,
                ..failure(all)
            });
        }
    };
    stages.push(("key+render+write", clock.elapsed()));
    drop(renderer);
    let clock = Instant::now();
    // Only worth time to the next build: errors are not the build's.
    for pending in caches {
        let _ = pending.commit();
    }
    let _ = kept.save();
    stages.push(("commit caches", clock.elapsed()));
    let files = written.files;
    let mut report = BuildReport::new(&site, files, session, started, stages, diagnostics);
    report.written = written;
    report.notes = notes.into_iter().chain(kept.note()).collect();
    report.parsed = Some((parsed, stamps.len()));
    // Freeing a large site's memory one allocation at a time takes a
    // tenth of a second at 100,000 papers, time the user waits for nothing
    // when the process is about to end anyway.
    free_in_background((site, store, plan, kept, fingerprints, paths));
    Ok(report)
}

/// Everything `build` validates, plus links and the paper records, without
/// writing anything.
pub fn check(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let mut session = Session::open(options)?;
    let mut rendered = session.render()?;
    rendered
        .diagnostics
        .extend(check::lint_papers(&rendered.site.papers));
    rendered.diagnostics.extend(check::check_links(
        &rendered.outputs,
        &session.config.base_url,
    ));
    let diagnostics = finish(std::mem::take(&mut rendered.diagnostics), options.strict)?;
    let files = rendered.outputs.len();
    Ok(BuildReport::new(
        &rendered.site,
        files,
        session,
        started,
        rendered.stages,
        diagnostics,
    ))
}

/// Sorts the problems and decides: errors (or, with `strict`, warnings)
/// fail the run.
fn finish(mut diagnostics: Vec<Diagnostic>, strict: bool) -> Result<Vec<Diagnostic>, BuildFailure> {
    Diagnostic::sort_all(&mut diagnostics);
    if strict {
        for d in &mut diagnostics {
            d.severity = diagnostic::Severity::Error;
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildFailure::new(diagnostics));
    }
    Ok(diagnostics)
}

/// Drops `value` on a thread of its own, or here if none can be started.
/// When the process exits first, the operating system takes the memory
/// back at once.
fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("free".into())
        .spawn(move || drop(value));
}

/// Now, in nanoseconds since the Unix epoch (as file times are).
fn now_nanos() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}
