//! The engine's one promise, checked generically: after any sequence of
//! edits, what an incremental build left in the output folder, and what
//! `serve` holds in memory, equal a fresh build byte for byte. No unit kind
//! or key is named here, so a key that misses an input its renderer reads
//! shows up as a difference whichever unit it is. `serve` renders pages when
//! first asked for, so after each edit the test asks it for a different
//! share of the site's files (and for files the site lacks): a unit it
//! renders late, or holds from before the edit, must be right either way,
//! and a file in a folder other than its unit's cannot be found.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use paperfeed::BuildOptions;
use paperfeed::serve::{Builder, Change, Files, classify};
use proptest::prelude::*;

use common::{ALL_OUTPUTS, repo_root, snapshot};

const AUTHORS: [&str; 5] = [
    "Ada Lovelace",
    "Alan Turing",
    "Grace Hopper",
    "Edsger W. Dijkstra",
    "Barbara Liskov",
];
const TAGS: [&str; 4] = ["graphs", "reward-modeling", "llm", "proofs"];
const TEMPLATES: [&str; 4] = ["partials/card.html", "paper.html", "list.html", "base.html"];

/// One paper file as the test writes it.
#[derive(Clone, Debug)]
struct Spec {
    title: String,
    /// Days after 2024-03-01.
    day: u8,
    authors: Vec<usize>,
    tags: Vec<usize>,
    upvotes: u16,
    draft: bool,
    body: String,
}

impl Spec {
    fn text(&self) -> String {
        let date = jiff::civil::date(2024, 3, 1)
            .checked_add(jiff::Span::new().days(i64::from(self.day)))
            .unwrap();
        let list = |names: Vec<String>| names.join(", ");
        format!(
            "---\ntitle: {:?}\ndate: {date}\nauthors: [{}]\ntags: [{}]\nupvotes: {}\ndraft: {}\n---\n{}\n",
            self.title,
            list(
                self.authors
                    .iter()
                    .map(|&a| format!("{:?}", AUTHORS[a]))
                    .collect()
            ),
            list(
                self.tags
                    .iter()
                    .map(|&t| format!("{:?}", TAGS[t]))
                    .collect()
            ),
            self.upvotes,
            self.draft,
            self.body,
        )
    }
}

#[derive(Clone, Debug)]
enum Edit {
    Abstract(usize, String),
    Title(usize, String),
    Tags(usize, Vec<usize>),
    Authors(usize, Vec<usize>),
    Date(usize, u8),
    Upvotes(usize, u16),
    Draft(usize),
    Delete(usize),
    Add(Spec),
    Template(usize, String),
    Config(usize),
}

fn words() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Graphs", "$x^2$", "proof", "**bold**", "tree", "`code`", "reward", "models",
    ])
    .prop_map(str::to_string)
    .prop_flat_map(|first| {
        prop::collection::vec(
            prop::sample::select(vec!["a", "fast", "sparse", "new", "bound"]),
            0..4,
        )
        .prop_map(move |rest| {
            std::iter::once(first.as_str())
                .chain(rest)
                .collect::<Vec<_>>()
                .join(" ")
        })
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        words(),
        0u8..40,
        prop::collection::vec(0..AUTHORS.len(), 1..3),
        prop::collection::vec(0..TAGS.len(), 0..3),
        0u16..50,
        words(),
    )
        .prop_map(|(title, day, authors, tags, upvotes, body)| Spec {
            title,
            day,
            authors,
            tags,
            upvotes,
            draft: false,
            body,
        })
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = || 0usize..64;
    prop_oneof![
        (i(), words()).prop_map(|(i, s)| Edit::Abstract(i, s)),
        (i(), words()).prop_map(|(i, s)| Edit::Title(i, s)),
        (i(), prop::collection::vec(0..TAGS.len(), 0..3)).prop_map(|(i, t)| Edit::Tags(i, t)),
        (i(), prop::collection::vec(0..AUTHORS.len(), 1..3)).prop_map(|(i, a)| Edit::Authors(i, a)),
        (i(), 0u8..40).prop_map(|(i, d)| Edit::Date(i, d)),
        (i(), 0u16..50).prop_map(|(i, u)| Edit::Upvotes(i, u)),
        i().prop_map(Edit::Draft),
        i().prop_map(Edit::Delete),
        spec().prop_map(Edit::Add),
        (0..TEMPLATES.len(), words()).prop_map(|(t, s)| Edit::Template(t, s)),
        (0usize..3).prop_map(Edit::Config),
    ]
}

fn config(variant: usize) -> String {
    let (paginate, feeds) = [(3, 4), (2, 3), (5, 2)][variant];
    format!(
        "title = \"Edits\"\nbase_url = \"https://example.org/sub/\"\npaginate_by = {paginate}\nfeed_limit = {feeds}\n{ALL_OUTPUTS}"
    )
}

/// A site on disk, the papers the test wrote into it, and its builders.
struct Run {
    root: tempfile::TempDir,
    /// Papers by file number; `None` once deleted.
    papers: Vec<Option<Spec>>,
    serve: Builder,
    served: Arc<RwLock<Files>>,
    /// Files written so far: each gets its own time stamp.
    writes: std::cell::Cell<u64>,
    /// Checks so far: which share of the files `serve` is asked for.
    checks: u64,
}

impl Run {
    fn new(papers: Vec<Spec>) -> Run {
        let root = tempfile::tempdir().unwrap();
        let served = Arc::new(RwLock::new(Files::new()));
        let mut run = Run {
            serve: Builder::new(options(root.path(), "incremental"), served.clone()),
            root,
            papers: Vec::new(),
            served,
            writes: std::cell::Cell::new(0),
            checks: 0,
        };
        run.write("site.toml", &config(0));
        for spec in papers {
            run.add(spec);
        }
        run
    }

    /// Writes a file dated in the past, a second after the last one: the
    /// parse cache trusts only time stamps older than itself, so this is
    /// what makes builds here take unchanged papers from it.
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.root.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        self.writes.set(self.writes.get() + 1);
        let when = std::time::UNIX_EPOCH
            + std::time::Duration::from_secs(1_600_000_000 + self.writes.get());
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(when).unwrap();
        path
    }

    fn paper_path(&self, n: usize) -> String {
        format!("content/papers/p{n}.md")
    }

    fn add(&mut self, spec: Spec) -> PathBuf {
        let n = self.papers.len();
        let path = self.write(&self.paper_path(n), &spec.text());
        self.papers.push(Some(spec));
        path
    }

    /// The `i`-th paper still there (modulo their number).
    fn pick(&self, i: usize) -> Option<usize> {
        let live: Vec<usize> = (0..self.papers.len())
            .filter(|&n| self.papers[n].is_some())
            .collect();
        (!live.is_empty()).then(|| live[i % live.len()])
    }

    /// Applies `edit` to the files; returns the paths it touched.
    fn apply(&mut self, edit: &Edit) -> Vec<PathBuf> {
        let change = |run: &mut Run, i: usize, f: &dyn Fn(&mut Spec)| -> Vec<PathBuf> {
            let Some(n) = run.pick(i) else {
                return Vec::new();
            };
            let spec = run.papers[n].as_mut().unwrap();
            f(spec);
            let text = spec.text();
            vec![run.write(&run.paper_path(n), &text)]
        };
        match edit.clone() {
            Edit::Abstract(i, s) => change(self, i, &|p| p.body = s.clone()),
            Edit::Title(i, s) => change(self, i, &|p| p.title = s.clone()),
            Edit::Tags(i, t) => change(self, i, &|p| p.tags = t.clone()),
            Edit::Authors(i, a) => change(self, i, &|p| p.authors = a.clone()),
            Edit::Date(i, d) => change(self, i, &|p| p.day = d),
            Edit::Upvotes(i, u) => change(self, i, &|p| p.upvotes = u),
            Edit::Draft(i) => change(self, i, &|p| p.draft = !p.draft),
            Edit::Delete(i) => {
                let Some(n) = self.pick(i) else {
                    return Vec::new();
                };
                self.papers[n] = None;
                let path = self.root.path().join(self.paper_path(n));
                std::fs::remove_file(&path).unwrap();
                vec![path]
            }
            Edit::Add(spec) => vec![self.add(spec)],
            Edit::Template(t, s) => {
                let name = TEMPLATES[t];
                let original = std::fs::read_to_string(
                    repo_root().join("themes/default/templates").join(name),
                )
                .unwrap();
                // A child template may hold text only inside its blocks.
                let edited = match original.find("{% block") {
                    Some(block) if original.contains("{% extends") => {
                        let at = block + original[block..].find("%}").unwrap() + 2;
                        format!("{}<!-- {s} -->{}", &original[..at], &original[at..])
                    }
                    _ => format!("<!-- {s} -->{original}"),
                };
                vec![self.write(&format!("templates/{name}"), &edited)]
            }
            Edit::Config(v) => vec![self.write("site.toml", &config(v))],
        }
    }

    /// Builds incrementally into `incremental`, and fresh into a new
    /// folder; `serve` takes the same change. Returns what differs.
    fn check(&mut self, touched: &[PathBuf]) -> Result<(), String> {
        let root = self.root.path().to_path_buf();
        let incremental = build(&root, "incremental")?;
        let _ = std::fs::remove_dir_all(root.join("fresh"));
        let _ = std::fs::remove_file(root.join(".fresh.manifest"));
        let _ = std::fs::remove_file(root.join(".fresh.parsed"));
        let fresh = build(&root, "fresh")?;
        compare("incremental build", &incremental, &fresh)?;

        // serve: one change per kind, as its watcher would send them.
        let mut kinds: Vec<(Change, Vec<PathBuf>)> = Vec::new();
        for path in touched {
            let kind = classify(&root, "default", path);
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, paths)) => paths.push(path.clone()),
                None => kinds.push((kind, vec![path.clone()])),
            }
        }
        for (kind, paths) in kinds {
            self.serve
                .rebuild(kind, &paths, &root)
                .map_err(|e| format!("serve: {:?}", e.diagnostics))?;
        }
        while self
            .serve
            .catch_up(&|| false)
            .map_err(|e| format!("serve catch-up: {:?}", e.diagnostics))?
            .is_none()
        {}
        // A third of the files, a different third each time, and paths no
        // unit makes.
        self.checks += 1;
        let asked: Vec<String> = fresh
            .keys()
            .filter(|path| share(path, self.checks))
            .cloned()
            .collect();
        let missing = ["papers/no-such-paper/index.html", "no-such.css", "tags/"];
        for path in asked.iter().map(|p| p.as_str()).chain(missing) {
            let found = self
                .serve
                .file(path)
                .map_err(|e| format!("serve: rendering {path}: {:?}", e.diagnostics))?;
            if found.is_some() != fresh.contains_key(path) {
                return Err(format!("serve: {path} found: {}", found.is_some()));
            }
        }
        let served: BTreeMap<String, Vec<u8>> = self
            .served
            .read()
            .unwrap()
            .iter()
            .map(|(path, bytes)| (path.clone(), bytes.to_vec()))
            .collect();
        let expected: BTreeMap<String, Vec<u8>> = fresh
            .into_iter()
            .filter(|(path, _)| served.contains_key(path) || asked.contains(path))
            .collect();
        compare("serve", &served, &expected)
    }
}

/// Whether `path` is in the share of files asked for at check `n`.
fn share(path: &str, n: u64) -> bool {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    (path, n).hash(&mut h);
    h.finish().is_multiple_of(3)
}

fn options(root: &Path, output: &str) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        output: Some(root.join(output)),
        base_url: None,
        drafts: false,
        strict: false,
    }
}

fn build(root: &Path, output: &str) -> Result<BTreeMap<String, Vec<u8>>, String> {
    paperfeed::build(&options(root, output)).map_err(|e| format!("{:?}", e.diagnostics))?;
    Ok(snapshot(&root.join(output)))
}

fn compare(
    what: &str,
    got: &BTreeMap<String, Vec<u8>>,
    fresh: &BTreeMap<String, Vec<u8>>,
) -> Result<(), String> {
    let differ: Vec<&String> = fresh
        .keys()
        .chain(got.keys())
        .filter(|path| got.get(*path) != fresh.get(*path))
        .collect();
    if differ.is_empty() {
        return Ok(());
    }
    let mut differ: Vec<&String> = differ;
    differ.sort();
    differ.dedup();
    Err(format!(
        "{what} differs from a fresh build in {} files: {:?}",
        differ.len(),
        &differ[..differ.len().min(8)]
    ))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn after_any_edits_incremental_output_equals_a_fresh_build(
        papers in prop::collection::vec(spec(), 4..10),
        edits in prop::collection::vec(edit(), 1..7),
    ) {
        let mut run = Run::new(papers);
        run.check(&[run.root.path().join("site.toml")]).map_err(TestCaseError::fail)?;
        for (step, edit) in edits.iter().enumerate() {
            let touched = run.apply(edit);
            run.check(&touched)
                .map_err(|e| TestCaseError::fail(format!("after edit {step} ({edit:?}): {e}")))?;
        }
    }
}

/// A tag edit moves no paper, so `serve` reloads with the related papers it
/// had and recomputes them right after: what it holds once caught up must
/// still equal a fresh build. The bodies share no word, so only tags relate
/// papers, and the edit changes which are related.
#[test]
fn a_tag_edit_brings_related_papers_up_to_date_in_serve() {
    let spec = |day: u8, tags: Vec<usize>, body: &str| Spec {
        title: format!("Paper {day}"),
        day,
        authors: vec![0],
        tags,
        upvotes: 0,
        draft: false,
        body: body.into(),
    };
    let mut run = Run::new(vec![
        spec(4, vec![0], "alpha aardvark"),
        spec(3, vec![0], "bravo badger"),
        spec(2, vec![1], "charlie cheetah"),
        spec(1, vec![1], "delta dolphin"),
    ]);
    run.check(&[run.root.path().join("site.toml")]).unwrap();
    for tags in [vec![0], vec![1, 2], vec![2]] {
        let touched = run.apply(&Edit::Tags(2, tags.clone()));
        run.check(&touched)
            .unwrap_or_else(|e| panic!("after tags {tags:?}: {e}"));
    }
}
