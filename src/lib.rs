//! paperfeed: a static site generator for research-paper feeds.
//!
//! The build is a pipeline, one module per stage, data flowing one way:
//! [`load`] (read files) → [`parse`] (front matter + Markdown → papers) →
//! [`model`] (order, group, check across papers) → [`render`] (pages, feeds
//! as values) → [`write`] (swap the new site into place).

pub mod config;
pub mod diagnostic;
pub mod load;
pub mod model;
pub mod parse;
pub mod render;
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

/// What a successful build did, for the summary line.
#[derive(Debug)]
pub struct BuildReport {
    pub papers: usize,
    pub tags: usize,
    pub files: usize,
    pub output: PathBuf,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
}

/// A failed build: every problem found, errors and warnings, sorted by file.
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

/// Builds the site at `options.root` into its output folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let root = &options.root;
    let mut config = Config::load(root)?;
    if let Some(base_url) = &options.base_url {
        config.base_url = config::BaseUrl::parse(base_url)
            .map_err(|e| Diagnostic::error(std::path::Path::new("--base-url"), e))?;
    }
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| root.join("public"));
    write::check_output_dir(root, &output)
        .map_err(|e| Diagnostic::error(&output, e.to_string()))?;
    let theme = render::theme::Theme::load(root, &config.theme)?;

    let (files, mut diagnostics) = load::load_papers(root);
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
    let outputs = render::render_site(&site, &config, &theme).map_err(|e| {
        diagnostics.push(e);
        fail(std::mem::take(&mut diagnostics))
    })?;
    write::write_site(&output, &outputs).map_err(|e| {
        diagnostics.push(Diagnostic::error(&output, e.to_string()));
        fail(std::mem::take(&mut diagnostics))
    })?;
    Diagnostic::sort_all(&mut diagnostics);
    Ok(BuildReport {
        papers: site.papers.len(),
        tags: site.tags.len(),
        files: outputs.len(),
        output,
        elapsed: started.elapsed(),
        warnings: diagnostics,
    })
}
