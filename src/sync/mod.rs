//! `paperfeed sync`: fetches the papers the `[[sources]]` of `site.toml`
//! name (the arXiv API, Hugging Face daily papers) and writes them into
//! `content/papers/`. A paper is the same paper across sources and runs by
//! the identity rules `import` uses (arXiv id without version, DOI,
//! title). New papers become files; for papers the site has, only the
//! fields a source owns ([`SOURCE_OWNED`]) are refreshed, in place, and
//! nothing the site's owner wrote is touched. Every source is fetched and
//! parsed before anything is written, so a source answering garbage
//! changes nothing.

mod frontmatter;
pub mod http;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::import::{Known, Rejected};
use crate::scaffold::NewPaper;

/// A source as `[[sources]]` declares it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Source {
    /// The arXiv API: the newest `max` results of an arXiv `search_query`.
    Arxiv {
        query: String,
        #[serde(default = "default_max")]
        max: usize,
    },
    /// Hugging Face daily papers: today and the `days - 1` days before.
    Huggingface {
        #[serde(default = "default_days")]
        days: u32,
        /// Hugging Face's `ai_keywords` as tags of new papers.
        #[serde(default)]
        keywords: bool,
    },
}

fn default_max() -> usize {
    100
}

fn default_days() -> u32 {
    1
}

/// Front-matter keys a source owns: refreshed on every sync when a source
/// gives a value. Everything else (title, authors, tags, the body, any key
/// the owner added) is written once, when the paper is created, and never
/// again.
pub const SOURCE_OWNED: [&str; 4] = ["upvotes", "doi", "venue", "code"];

/// Where the sources are; the environment overrides them for mirrors and
/// tests (`PAPERFEED_ARXIV_API`, `PAPERFEED_HF_API`).
pub struct Endpoints {
    pub arxiv: String,
    pub huggingface: String,
    /// arXiv's published limit: one request every 3 seconds.
    pub arxiv_interval: Duration,
    /// The last day Hugging Face is asked about (today, in UTC).
    pub today: jiff::civil::Date,
}

impl Endpoints {
    pub fn from_env() -> Endpoints {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        Endpoints {
            arxiv: var("PAPERFEED_ARXIV_API", "https://export.arxiv.org/api/query"),
            huggingface: var(
                "PAPERFEED_HF_API",
                "https://huggingface.co/api/daily_papers",
            ),
            arxiv_interval: Duration::from_millis(
                var("PAPERFEED_ARXIV_INTERVAL_MS", "3000")
                    .parse()
                    .unwrap_or(3000),
            ),
            today: jiff::Timestamp::now()
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date(),
        }
    }
}

/// Why a sync stopped without writing.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("site.toml declares no [[sources]]")]
    NoSources,
    #[error(transparent)]
    Fetch(#[from] http::FetchError),
    #[error("{url}: {message}")]
    Garbage { url: String, message: String },
    #[error(transparent)]
    Write(#[from] crate::scaffold::ScaffoldError),
}

impl SyncError {
    pub fn help(&self) -> &'static str {
        match self {
            SyncError::NoSources => {
                "add a [[sources]] table to site.toml, e.g. kind = \"huggingface\" and days = 3"
            }
            SyncError::Fetch(_) => {
                "check the network and the source's address; nothing was written"
            }
            SyncError::Garbage { .. } => {
                "the source answered something that is not its API's format; nothing was written"
            }
            SyncError::Write(_) => "check that content/papers/ is writable",
        }
    }
}

/// What a sync did, for the summary line.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub created: Vec<PathBuf>,
    /// Files changed, with the fields refreshed.
    pub updated: Vec<(PathBuf, Vec<&'static str>)>,
    pub unchanged: usize,
    pub failed: Vec<Rejected>,
}

/// Fetches every source, then writes.
pub fn sync(
    root: &Path,
    sources: &[Source],
    endpoints: &Endpoints,
    client: &http::Client,
) -> Result<SyncReport, SyncError> {
    if sources.is_empty() {
        return Err(SyncError::NoSources);
    }
    let mut records = Vec::new();
    for source in sources {
        records.extend(fetch(source, endpoints, client)?);
    }
    apply(root, records)
}

/// One source's records; garbage is an error, a bad record is a failure.
fn fetch(
    source: &Source,
    endpoints: &Endpoints,
    client: &http::Client,
) -> Result<Vec<Result<NewPaper, Rejected>>, SyncError> {
    let mut out = Vec::new();
    match source {
        Source::Arxiv { query, max } => {
            let mut pacer = http::Pacer::new(endpoints.arxiv_interval);
            let page = 100.min(*max).max(1);
            let mut start = 0;
            while start < *max {
                let mut url =
                    url::Url::parse(&endpoints.arxiv).map_err(|e| SyncError::Garbage {
                        url: endpoints.arxiv.clone(),
                        message: format!("not a URL: {e}"),
                    })?;
                url.query_pairs_mut()
                    .append_pair("search_query", query)
                    .append_pair("start", &start.to_string())
                    .append_pair("max_results", &page.min(max - start).to_string())
                    .append_pair("sortBy", "submittedDate")
                    .append_pair("sortOrder", "descending");
                pacer.wait();
                let body = client.get(url.as_str())?;
                let records =
                    crate::import::parse(crate::import::Format::Arxiv, &body, Default::default())
                        .map_err(|message| SyncError::Garbage {
                        url: url.to_string(),
                        message,
                    })?;
                let got = records.len();
                out.extend(records);
                if got < page.min(max - start) {
                    break;
                }
                start += got;
            }
        }
        Source::Huggingface { days, keywords } => {
            for back in 0..*days {
                let day = endpoints
                    .today
                    .checked_sub(jiff::Span::new().days(i64::from(back)))
                    .unwrap_or(endpoints.today);
                let mut url =
                    url::Url::parse(&endpoints.huggingface).map_err(|e| SyncError::Garbage {
                        url: endpoints.huggingface.clone(),
                        message: format!("not a URL: {e}"),
                    })?;
                url.query_pairs_mut().append_pair("date", &day.to_string());
                let body = client.get(url.as_str())?;
                let records = crate::import::parse(
                    crate::import::Format::Hf,
                    &body,
                    crate::import::Options {
                        keywords: *keywords,
                    },
                )
                .map_err(|message| SyncError::Garbage {
                    url: url.to_string(),
                    message,
                })?;
                out.extend(records);
            }
        }
    }
    Ok(out)
}

/// Merges records that are one paper, then creates or refreshes files.
fn apply(root: &Path, records: Vec<Result<NewPaper, Rejected>>) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    // One record per paper across sources: the first seen is the base, the
    // others fill what it lacks (Hugging Face's upvotes and code link on an
    // arXiv record, arXiv's journal reference on a Hugging Face one).
    let mut merged: Vec<NewPaper> = Vec::new();
    let mut seen = Known::default();
    for record in records {
        let paper = match record {
            Ok(p) => p,
            Err(rejected) => {
                report.failed.push(rejected);
                continue;
            }
        };
        match seen.find(&paper) {
            Some((at, _)) => fill(&mut merged[at], paper),
            None => {
                seen.add(
                    merged.len(),
                    paper.arxiv.as_deref(),
                    paper.doi.as_deref(),
                    &paper.title,
                );
                merged.push(paper);
            }
        }
    }

    let existing = crate::import::existing_papers(root);
    let known = Known::of(&existing);
    // Decide everything, then write.
    let mut edits: Vec<(PathBuf, String, Vec<&'static str>)> = Vec::new();
    let mut new = Vec::new();
    for mut paper in merged {
        // Stored without the version: the paper, not one revision of it.
        paper.arxiv = paper
            .arxiv
            .map(|id| crate::parse::unversioned_arxiv(&id).to_string());
        let Some((at, _)) = known.find(&paper) else {
            new.push(paper);
            continue;
        };
        let (file, current) = &existing[at];
        let (edited, failed) = refresh(file, current, &paper);
        report.failed.extend(failed);
        match edited {
            Some((text, changed)) => edits.push((root.join(&file.path), text, changed)),
            None => report.unchanged += 1,
        }
    }
    for (path, text, fields) in edits {
        replace(&path, &text)?;
        report.updated.push((path, fields));
    }
    for paper in new {
        report
            .created
            .push(crate::import::write_unique(root, &paper)?);
    }
    Ok(report)
}

/// The file's text with the source-owned fields ([`SOURCE_OWNED`]) that
/// `record` gives and that differ set to its values, and which ones
/// changed (`None` when nothing differs), and the fields left alone because
/// they are written over several lines.
pub(crate) fn refresh(
    file: &crate::load::SourceFile,
    current: &crate::parse::Paper,
    record: &NewPaper,
) -> (Option<(String, Vec<&'static str>)>, Vec<Rejected>) {
    let wanted: [(&'static str, Option<String>, Option<String>); 4] = [
        (
            "upvotes",
            record.upvotes.map(|u| u.to_string()),
            Some(current.upvotes.to_string()),
        ),
        ("doi", record.doi.clone(), current.doi.clone()),
        ("venue", record.venue.clone(), current.venue.clone()),
        ("code", record.code.clone(), current.code.clone()),
    ];
    debug_assert!(wanted.iter().map(|w| w.0).eq(SOURCE_OWNED));
    let mut text = file.text.clone();
    let mut changed = Vec::new();
    let mut failed = Vec::new();
    for (key, new_value, old_value) in wanted {
        let Some(value) = new_value else { continue };
        if old_value.as_deref() == Some(value.as_str()) {
            continue;
        }
        let yaml = if key == "upvotes" {
            value
        } else {
            serde_json::to_string(&value).expect("strings serialize")
        };
        match frontmatter::set(&text, key, &yaml) {
            Some(edited) => {
                text = edited;
                changed.push(key);
            }
            None => failed.push(Rejected {
                what: file.path.display().to_string(),
                reason: format!("`{key}` is written over several lines; left as it is"),
            }),
        }
    }
    ((!changed.is_empty()).then_some((text, changed)), failed)
}

/// Fills what `base` lacks from `other`; upvotes take the larger count.
fn fill(base: &mut NewPaper, other: NewPaper) {
    let take = |a: &mut Option<String>, b: Option<String>| {
        if a.is_none() {
            *a = b;
        }
    };
    take(&mut base.arxiv, other.arxiv);
    take(&mut base.doi, other.doi);
    take(&mut base.venue, other.venue);
    take(&mut base.code, other.code);
    take(&mut base.url, other.url);
    take(&mut base.pdf, other.pdf);
    base.upvotes = base.upvotes.max(other.upvotes);
    if base.abstract_text.is_empty() {
        base.abstract_text = other.abstract_text;
    }
    if base.date.is_none() {
        base.date = other.date;
    }
}

/// Replaces a file through a temporary beside it, so a crash leaves the
/// old text or the new.
pub(crate) fn replace(path: &Path, text: &str) -> Result<(), crate::scaffold::ScaffoldError> {
    let temp = path.with_extension("md.paperfeed-tmp");
    let io = |source: std::io::Error| crate::scaffold::ScaffoldError::Io {
        path: path.to_path_buf(),
        source,
    };
    std::fs::write(&temp, text).map_err(io)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io(e)
    })
}
