//! `paperfeed import <format> FILE…`: papers people already have, as
//! content files. Each format module turns its file into [`NewPaper`]
//! records; this module deduplicates them against the site and writes them.

pub(crate) mod arxiv;
mod bibtex;
mod csl;
pub(crate) mod hf;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::scaffold::{NewPaper, ScaffoldError, create_file};
use crate::slug::slugify;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// arXiv API results (Atom XML), e.g. from export.arxiv.org/api/query
    Arxiv,
    /// BibTeX or BibLaTeX (.bib)
    Bibtex,
    /// CSL-JSON, as Zotero and other reference managers export it
    CslJson,
    /// A Hugging Face daily-papers JSON listing
    Hf,
}

/// One record that could not become a paper, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub what: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: Vec<PathBuf>,
    /// Papers the site had whose source-owned fields the file refreshed
    /// (upvotes, doi, venue, code: [`crate::sync::SOURCE_OWNED`]).
    pub updated: Vec<(PathBuf, Vec<&'static str>)>,
    pub skipped: Vec<Rejected>,
    pub invalid: Vec<Rejected>,
}

/// Choices a format may honour.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Hugging Face's `ai_keywords` as tags.
    pub keywords: bool,
}

/// Parses `text` in `format` into papers (or the reason each record failed).
pub fn parse(
    format: Format,
    text: &str,
    options: Options,
) -> Result<Vec<Result<NewPaper, Rejected>>, String> {
    let records = match format {
        Format::Arxiv => arxiv::parse(text)?,
        Format::Bibtex => bibtex::parse(text)?,
        Format::CslJson => csl::parse(text)?,
        Format::Hf => hf::parse(text, options.keywords)?,
    };
    Ok(records.into_iter().map(validate).collect())
}

/// What every format must provide before a paper is written.
fn validate(record: Result<NewPaper, Rejected>) -> Result<NewPaper, Rejected> {
    let mut paper = record?;
    let what = if paper.title.is_empty() {
        "(untitled)".to_string()
    } else {
        paper.title.clone()
    };
    let reject = |reason: &str| {
        Err(Rejected {
            what: what.clone(),
            reason: reason.into(),
        })
    };
    paper.title = paper.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if paper.title.is_empty() || slugify(&paper.title).is_empty() {
        return reject("no title");
    }
    if paper.date.is_none() {
        return reject("no publication date");
    }
    if let Some(id) = &paper.arxiv
        && !crate::parse::is_arxiv_id(id)
    {
        paper.arxiv = None;
    }
    Ok(paper)
}

/// Identities a paper is recognised by: arXiv id (without version), DOI,
/// and normalised title, in that order of trust. Each maps to the paper's
/// position in the caller's list. `import` and `sync` share these rules.
#[derive(Default)]
pub(crate) struct Known {
    arxiv: HashMap<String, usize>,
    doi: HashMap<String, usize>,
    titles: HashMap<String, usize>,
}

impl Known {
    /// The identities of `papers`, each mapped to its position.
    pub(crate) fn of(papers: &[(crate::load::SourceFile, crate::parse::Paper)]) -> Known {
        let mut known = Known::default();
        for (at, (_, p)) in papers.iter().enumerate() {
            known.add(at, p.arxiv.as_deref(), p.doi.as_deref(), &p.title);
        }
        known
    }

    /// The position of the paper `p` is the same paper as, and which
    /// identity matched.
    pub(crate) fn find(&self, p: &NewPaper) -> Option<(usize, &'static str)> {
        if let Some(id) = p.arxiv.as_deref()
            && let Some(&at) = self.arxiv.get(crate::parse::unversioned_arxiv(id))
        {
            return Some((at, "arXiv id"));
        }
        if let Some(doi) = &p.doi
            && let Some(&at) = self.doi.get(&doi.to_lowercase())
        {
            return Some((at, "DOI"));
        }
        self.titles.get(&slugify(&p.title)).map(|&at| (at, "title"))
    }

    pub(crate) fn add(&mut self, at: usize, arxiv: Option<&str>, doi: Option<&str>, title: &str) {
        if let Some(id) = arxiv {
            self.arxiv
                .entry(crate::parse::unversioned_arxiv(id).to_string())
                .or_insert(at);
        }
        if let Some(doi) = doi {
            self.doi.entry(doi.to_lowercase()).or_insert(at);
        }
        self.titles.entry(slugify(title)).or_insert(at);
    }
}

/// The site's existing papers as (file, parsed paper), read leniently: a
/// broken file is the build's business, not the import's.
pub(crate) fn existing_papers(root: &Path) -> Vec<(crate::load::SourceFile, crate::parse::Paper)> {
    let (files, _) = crate::load::load_papers(root);
    let tools = crate::parse::Tools::default();
    let tools = tools.renderers(false, "/");
    files
        .into_iter()
        .filter_map(|file| {
            let (paper, _) = crate::parse::parse_paper(&file, &tools);
            Some((file, paper?))
        })
        .collect()
}

/// Imports `records` into the site at `root`: a paper the site already has
/// gets its source-owned fields refreshed, as `sync` does, and is otherwise
/// skipped; new papers become files, never overwriting one. Reports all.
pub fn import(
    root: &Path,
    records: Vec<Result<NewPaper, Rejected>>,
) -> Result<ImportReport, ScaffoldError> {
    let existing = existing_papers(root);
    let mut known = Known::of(&existing);
    let mut report = ImportReport::default();
    for record in records {
        let paper = match record {
            Ok(p) => p,
            Err(rejected) => {
                report.invalid.push(rejected);
                continue;
            }
        };
        if let Some((at, identity)) = known.find(&paper) {
            let skip = Rejected {
                what: paper.title.clone(),
                reason: format!("a paper with this {identity} is already in the site"),
            };
            // Papers this import created are past the end of `existing`.
            let Some((file, current)) = existing.get(at) else {
                report.skipped.push(skip);
                continue;
            };
            let (edited, failed) = crate::sync::refresh(file, current, &paper);
            report.invalid.extend(failed);
            match edited {
                Some((text, fields)) => {
                    let path = root.join(&file.path);
                    crate::sync::replace(&path, &text)?;
                    report.updated.push((path, fields));
                }
                None => report.skipped.push(skip),
            }
            continue;
        }
        let path = write_unique(root, &paper)?;
        known.add(
            existing.len() + report.created.len(),
            paper.arxiv.as_deref(),
            paper.doi.as_deref(),
            &paper.title,
        );
        report.created.push(path);
    }
    Ok(report)
}

/// Writes the paper under its title's slug, or `slug-2`, `slug-3`… when a
/// different paper already has that file name.
pub(crate) fn write_unique(root: &Path, paper: &NewPaper) -> Result<PathBuf, ScaffoldError> {
    let base = paper.path(root)?;
    let stem = base
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("paper")
        .to_string();
    for n in 1.. {
        let path = if n == 1 {
            base.clone()
        } else {
            base.with_file_name(format!("{stem}-{n}.md"))
        };
        match create_file(&path, paper.to_markdown().as_bytes()) {
            Ok(()) => return Ok(path),
            Err(ScaffoldError::Exists(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop only ends by returning")
}

/// `2402.12527v2` from `http://arxiv.org/abs/2402.12527v2` and the like.
fn arxiv_from_url(url: &str) -> Option<String> {
    let rest = url
        .split_once("arxiv.org/abs/")
        .or_else(|| url.split_once("arxiv.org/pdf/"))?
        .1;
    let id = rest.trim_end_matches(".pdf").trim_end_matches('/');
    crate::parse::is_arxiv_id(id).then(|| id.to_string())
}

/// A DOI from its URL forms, or as is.
fn bare_doi(doi: &str) -> String {
    crate::parse::bare_doi(doi).to_string()
}

/// Keywords as reference managers write them: `a, b; c`.
fn split_keywords(keywords: &str) -> Vec<String> {
    keywords
        .split([',', ';'])
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The date part of an RFC 3339 timestamp (`2024-02-19T20:38:00Z`).
fn date_of(timestamp: &str) -> Option<jiff::civil::Date> {
    timestamp.get(..10)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_ids_from_urls() {
        assert_eq!(
            arxiv_from_url("http://arxiv.org/abs/2402.12527v2").as_deref(),
            Some("2402.12527v2")
        );
        assert_eq!(
            arxiv_from_url("https://arxiv.org/pdf/2402.12527.pdf").as_deref(),
            Some("2402.12527")
        );
        assert_eq!(arxiv_from_url("https://example.org/x"), None);
        assert_eq!(bare_doi("https://doi.org/10.1/x"), "10.1/x");
    }
}
