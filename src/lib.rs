//! paperfeed: a static site generator for research-paper feeds.
//!
//! The build is a pipeline, one module per stage, data flowing one way:
//! [`load`] (read files) → [`parse`] (front matter + Markdown → papers) →
//! [`model`] (order, group, check across papers) → [`render`] (pages, feeds
//! as values) → [`write`] (swap the new site into place). [`check`] lints
//! the rendered site without writing it.

pub mod check;
pub mod config;
pub mod diagnostic;
#[doc(hidden)]
pub mod harness;
pub mod import;
pub mod load;
pub mod model;
pub mod parse;
pub mod render;
pub mod scaffold;
pub mod slug;
pub mod write;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use config::{BuildOptions, Config};
pub use diagnostic::Diagnostic;
use parse::highlight::Highlighter;
use parse::markdown::Renderers;
use parse::math::Math;

/// What a successful run did, for the summary line.
#[derive(Debug)]
pub struct BuildReport {
    pub papers: usize,
    pub tags: usize,
    pub files: usize,
    pub output: PathBuf,
    pub elapsed: Duration,
    /// How long each stage took, in order, for `--verbose`.
    pub stages: Vec<(&'static str, Duration)>,
    pub warnings: Vec<Diagnostic>,
}

/// A failed run: every problem found, errors and warnings, sorted by file.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Diagnostic> for BuildFailure {
    fn from(d: Diagnostic) -> Self {
        BuildFailure {
            diagnostics: vec![d],
        }
    }
}

/// The site rendered in memory, not yet written.
struct Rendered {
    config: Config,
    site: model::Site,
    outputs: Vec<render::Output>,
    output_dir: PathBuf,
    diagnostics: Vec<Diagnostic>,
    stages: Vec<(&'static str, Duration)>,
}

/// Builds the site at `options.root` into its output folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let mut rendered = render_in_memory(options)?;
    let diagnostics = finish(rendered.diagnostics, options.strict)?;
    let writing = Instant::now();
    write::write_site(&rendered.output_dir, &rendered.outputs).map_err(|e| {
        let mut all = diagnostics.clone();
        all.push(Diagnostic::error(&rendered.output_dir, e.to_string()));
        BuildFailure { diagnostics: all }
    })?;
    rendered.stages.push(("write", writing.elapsed()));
    Ok(BuildReport {
        papers: rendered.site.papers.len(),
        tags: rendered.site.tags.len(),
        files: rendered.outputs.len(),
        output: rendered.output_dir,
        elapsed: started.elapsed(),
        stages: rendered.stages,
        warnings: diagnostics,
    })
}

/// Everything `build` validates, plus links and the paper records, without
/// writing anything.
pub fn check(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let mut rendered = render_in_memory(options)?;
    rendered
        .diagnostics
        .extend(check::lint_papers(&rendered.site.papers));
    rendered.diagnostics.extend(check::check_links(
        &rendered.outputs,
        &rendered.config.base_url,
    ));
    let diagnostics = finish(rendered.diagnostics, options.strict)?;
    Ok(BuildReport {
        papers: rendered.site.papers.len(),
        tags: rendered.site.tags.len(),
        files: rendered.outputs.len(),
        output: rendered.output_dir,
        elapsed: started.elapsed(),
        stages: rendered.stages,
        warnings: diagnostics,
    })
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
        return Err(BuildFailure { diagnostics });
    }
    Ok(diagnostics)
}

fn render_in_memory(options: &BuildOptions) -> Result<Rendered, BuildFailure> {
    let root = &options.root;
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
    let mut stages = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |stage: &'static str| {
        stages.push((stage, clock.elapsed()));
        clock = Instant::now();
    };

    let (files, mut diagnostics) = load::load_papers(root);
    lap("load");
    let highlighter = Highlighter::default();
    let math = Math::default();
    let tools = Renderers {
        highlighter: &highlighter,
        math: &math,
        unsafe_html: config.unsafe_html,
        base_path: &config.base_url.path,
    };
    let parsed: Vec<_> = files
        .par_iter()
        .map(|f| parse::parse_paper(f, &tools))
        .collect();
    let mut papers = Vec::with_capacity(parsed.len());
    for (paper, problems) in parsed {
        diagnostics.extend(problems);
        papers.extend(paper);
    }
    let fail = |mut diagnostics: Vec<Diagnostic>| {
        Diagnostic::sort_all(&mut diagnostics);
        BuildFailure { diagnostics }
    };
    lap("parse");
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(fail(diagnostics));
    }
    let site = match model::Site::new(papers, options.drafts) {
        Ok(site) => site,
        Err(errors) => {
            diagnostics.extend(errors);
            return Err(fail(diagnostics));
        }
    };
    lap("model");
    let outputs = match render::render_site(&site, &config, &theme) {
        Ok(outputs) => outputs,
        Err(e) => {
            diagnostics.push(e);
            return Err(fail(diagnostics));
        }
    };
    lap("render");
    Ok(Rendered {
        config,
        site,
        outputs,
        output_dir,
        diagnostics,
        stages,
    })
}
