//! Commands that create files in a site: `init`, `new`, `theme eject`, and
//! the writer `import` shares. None of them ever overwrites a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::render::theme::embedded_files;
use crate::slug::slugify;

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "{0} is not empty; pass --force to add the missing files anyway (existing files are never overwritten)"
    )]
    NotEmpty(PathBuf),
    #[error("{0} already exists; paperfeed never overwrites a file")]
    Exists(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

/// Writes `text` to a new file, creating parent folders; fails if the file
/// exists (atomically, with `create_new`, so two runs cannot race).
pub fn create_file(path: &Path, bytes: &[u8]) -> Result<(), ScaffoldError> {
    let io = |source| ScaffoldError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(ScaffoldError::Exists(path.to_path_buf()));
        }
        Err(e) => return Err(io(e)),
    };
    file.write_all(bytes).map_err(io)
}

/// What `init` did.
#[derive(Debug, Default)]
pub struct InitReport {
    pub created: Vec<PathBuf>,
    pub kept: Vec<PathBuf>,
}

/// Creates a working site in `dir`: config, one example paper, .gitignore
/// and a GitHub Pages workflow (with `sync`, one that also syncs daily).
pub fn init(dir: &Path, force: bool, sync: bool) -> Result<InitReport, ScaffoldError> {
    let non_empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    if non_empty && !force {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    let workflow = pages_workflow(sync);
    let mut config = include_str!("site.toml").to_string();
    if sync {
        config.push_str(SYNC_SOURCES);
    }
    let files: [(&str, &str); 4] = [
        ("site.toml", &config),
        (
            "content/papers/attention-is-all-you-need.md",
            include_str!("example.md"),
        ),
        (".gitignore", include_str!("gitignore")),
        (".github/workflows/pages.yml", &workflow),
    ];
    let mut report = InitReport::default();
    for (rel, text) in files {
        let path = dir.join(rel);
        match create_file(&path, text.as_bytes()) {
            Ok(()) => report.created.push(path),
            Err(ScaffoldError::Exists(path)) => report.kept.push(path),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// The Pages workflow `init` writes: it installs the release of this very
/// paperfeed, from the repository named in `Cargo.toml`. With `sync`, it
/// also runs every day: `paperfeed sync`, a commit of what changed back to
/// the repository, then the build and deploy.
pub fn pages_workflow(sync: bool) -> String {
    let (trigger, contents, step) = if sync {
        (SYNC_TRIGGER, "write", SYNC_STEP)
    } else {
        ("", "read", "")
    };
    include_str!("pages.yml")
        .replace("@PAPERFEED_VERSION@", env!("CARGO_PKG_VERSION"))
        .replace("@PAPERFEED_REPOSITORY@", env!("CARGO_PKG_REPOSITORY"))
        .replace("@SYNC_TRIGGER@", trigger)
        .replace("@CONTENTS@", contents)
        .replace("@SYNC_STEP@", step)
}

/// Daily, at an odd minute (schedules on the hour are the busiest).
const SYNC_TRIGGER: &str = "
  schedule:
    - cron: \"17 6 * * *\"";

/// Runs on the schedule and by hand, not on pushes (a push is someone's
/// edit; the sync's own push does not start another run, since pushes with
/// the workflow's token never do).
const SYNC_STEP: &str = r#"      # New papers and refreshed upvotes from the [[sources]] in site.toml,
      # committed back only when something changed, so the repository stays
      # the site's source of truth.
      - name: Sync papers
        if: github.event_name != 'push'
        shell: bash
        run: |
          set -euo pipefail
          paperfeed sync
          if [ -n "$(git status --porcelain -- content)" ]; then
            git config user.name "paperfeed sync"
            git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
            git add content
            git commit -q -m "Sync papers from the sources in site.toml"
            git push -q
          else
            echo "nothing changed"
          fi
"#;

/// The `[[sources]]` `init --sync` adds to `site.toml`.
const SYNC_SOURCES: &str = "
# Where `paperfeed sync` (run daily by .github/workflows/pages.yml) fetches
# papers from. More: kind = \"arxiv\" with query = 'cat:cs.LG' and max = 100.
[[sources]]
kind = \"huggingface\"
days = 2
";

/// Copies the built-in default theme to `themes/default/` for editing.
pub fn eject_theme(root: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
    let dir = root.join("themes/default");
    if dir.exists() {
        return Err(ScaffoldError::Exists(dir));
    }
    let mut created = Vec::new();
    for folder in ["templates", "static"] {
        for (rel, file) in embedded_files(folder) {
            let path = dir.join(folder).join(rel);
            create_file(&path, file.contents())?;
            created.push(path);
        }
    }
    let toml = include_dir_file("theme.toml");
    create_file(&dir.join("theme.toml"), toml)?;
    created.push(dir.join("theme.toml"));
    Ok(created)
}

fn include_dir_file(name: &str) -> &'static [u8] {
    crate::render::theme::DEFAULT_THEME
        .get_file(name)
        .map_or(&[], |f| f.contents())
}

/// A paper to write as a content file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewPaper {
    pub title: String,
    pub date: Option<Date>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub arxiv: Option<String>,
    pub doi: Option<String>,
    pub url: Option<String>,
    pub pdf: Option<String>,
    pub code: Option<String>,
    pub venue: Option<String>,
    pub upvotes: Option<u64>,
    /// When Hugging Face's daily papers listed it.
    pub listed: Option<Date>,
    pub abstract_text: String,
}

impl NewPaper {
    /// The file's text: front matter, then the abstract.
    pub fn to_markdown(&self) -> String {
        // JSON strings are valid YAML double-quoted scalars, and serde_json
        // escapes everything YAML would choke on.
        let q = |s: &str| serde_json::to_string(s).expect("strings serialize");
        let list = |items: &[String]| {
            let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
            format!("[{}]", quoted.join(", "))
        };
        let mut out = format!("---\ntitle: {}\n", q(&self.title));
        if let Some(date) = self.date {
            out.push_str(&format!("date: {date}\n"));
        }
        if !self.authors.is_empty() {
            out.push_str(&format!("authors: {}\n", list(&self.authors)));
        }
        if !self.tags.is_empty() {
            out.push_str(&format!("tags: {}\n", list(&self.tags)));
        }
        for (key, value) in [
            ("arxiv", &self.arxiv),
            ("doi", &self.doi),
            ("url", &self.url),
            ("pdf", &self.pdf),
            ("code", &self.code),
            ("venue", &self.venue),
        ] {
            if let Some(v) = value {
                out.push_str(&format!("{key}: {}\n", q(v)));
            }
        }
        if let Some(upvotes) = self.upvotes {
            out.push_str(&format!("upvotes: {upvotes}\n"));
        }
        if let Some(listed) = self.listed {
            out.push_str(&format!("listed: {listed}\n"));
        }
        out.push_str("---\n");
        // A body line of `---` would read as a second front matter to some tools.
        out.push_str(self.abstract_text.trim());
        out.push('\n');
        out
    }

    /// `content/papers/<slug>.md` under `root`.
    pub fn path(&self, root: &Path) -> Result<PathBuf, ScaffoldError> {
        let slug = slugify(&self.title);
        if slug.is_empty() {
            return Err(ScaffoldError::Invalid(format!(
                "cannot make a file name from the title `{}`",
                self.title
            )));
        }
        Ok(root
            .join(crate::load::PAPERS_DIR)
            .join(format!("{slug}.md")))
    }
}

/// Writes a new paper file and returns its path; refuses to overwrite.
pub fn new_paper(root: &Path, paper: &NewPaper) -> Result<PathBuf, ScaffoldError> {
    if let Some(id) = &paper.arxiv
        && !crate::parse::is_arxiv_id(id)
    {
        return Err(ScaffoldError::Invalid(format!(
            "`{id}` is not an arXiv identifier (expected e.g. 2402.12527)"
        )));
    }
    let path = paper.path(root)?;
    create_file(&path, paper.to_markdown().as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_round_trips_through_the_parser() {
        let paper = NewPaper {
            title: "Quotes \"and\" colons: $\\alpha$ # not a comment".into(),
            date: Some("2024-02-19".parse().unwrap()),
            authors: vec!["Zoë O'Brien".into()],
            tags: vec!["a: b".into()],
            arxiv: Some("2402.12527".into()),
            abstract_text: "Body.".into(),
            ..NewPaper::default()
        };
        let file = crate::load::SourceFile {
            path: "content/papers/x.md".into(),
            text: paper.to_markdown(),
        };
        let tools = crate::parse::Tools::default();
        let tools = tools.renderers(false, "/");
        let (parsed, problems) = crate::parse::parse_paper(&file, &tools);
        assert!(problems.is_empty(), "{problems:#?}\n{}", file.text);
        let parsed = parsed.unwrap();
        assert_eq!(parsed.title, paper.title);
        assert_eq!(parsed.authors, paper.authors);
        assert_eq!(parsed.tags, paper.tags);
    }

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.txt");
        create_file(&path, b"one").unwrap();
        assert!(matches!(
            create_file(&path, b"two"),
            Err(ScaffoldError::Exists(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
    }
}
