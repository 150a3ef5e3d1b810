//! Helpers shared by the integration tests: fixture sites in temp folders,
//! running the real binary, and reading back what it wrote.
#![allow(dead_code)]

pub mod browser;
pub mod clients;
pub mod http;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// An `[outputs]` table with everything on.
pub const ALL_OUTPUTS: &str = "
[outputs]
site_feeds = [\"rss\", \"atom\", \"json\"]
tag_feeds = [\"rss\", \"atom\", \"json\"]
author_feeds = [\"rss\", \"atom\", \"json\"]
collection_feeds = [\"rss\", \"atom\", \"json\"]
digest_feeds = [\"rss\", \"atom\", \"json\"]
author_page_min_papers = 1
citation_files = true
feeds_page_authors = true
author_abstracts = true
";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of `tests/fixtures/<name>` in a fresh temp folder. Fixture sites
/// have no `themes/` folder: they use the theme built into the binary.
pub struct TestSite {
    pub dir: tempfile::TempDir,
}

impl TestSite {
    pub fn fixture(name: &str) -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo_root().join("tests/fixtures").join(name), dir.path());
        TestSite { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Adds `n` papers dated one day apart, newest `paper-0`.
    pub fn add_papers(&self, n: usize) {
        for i in 0..n {
            let day = jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(i as i64))
                .unwrap();
            self.write(
                &format!("content/papers/paper-{i}.md"),
                &format!(
                    "---\ntitle: \"Paper number {i}\"\ndate: {day}\nauthors: [\"Author {i}\"]\ntags: [\"tag-{}\"]\n---\nAbstract of paper {i}.\n",
                    i % 3
                ),
            );
        }
    }

    /// A copy of the repository's example site (its papers and site.toml).
    pub fn example() -> TestSite {
        let site = TestSite::fixture("empty");
        copy_dir(&repo_root().join("content"), &site.root().join("content"));
        std::fs::copy(repo_root().join("site.toml"), site.root().join("site.toml")).unwrap();
        site
    }

    /// Turns every output on (each feed format for every subject, a page
    /// for every author, citation files, author feeds on the feeds page,
    /// abstracts on author pages), for tests that check each kind.
    pub fn all_outputs(&self) -> &Self {
        let path = self.root().join("site.toml");
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(ALL_OUTPUTS);
        std::fs::write(path, text).unwrap();
        self
    }

    /// The paper files' names in `content/papers`, sorted.
    pub fn paper_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root().join("content/papers"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".md"))
            .collect();
        names.sort();
        names
    }

    pub fn build(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        paperfeed()
            .arg("build")
            .arg("--root")
            .arg(self.root())
            .args(args)
            .assert()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.public().join(rel))
            .unwrap_or_else(|e| panic!("cannot read public/{rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.public().join(rel).exists()
    }
}

/// The binary, with an environment that cannot leak into results.
pub fn paperfeed() -> Command {
    let mut cmd = Command::cargo_bin("paperfeed").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, by `/`-separated relative path, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Checks that every `href`/`src` in every HTML file of `public` that points
/// into the site resolves to a file, and that none ignores the sub-path.
/// Links are resolved as a browser would, against the page's own URL.
/// Returns the broken links as `file: link` strings.
pub fn broken_links(public: &Path, base_url: &str) -> Vec<String> {
    let base = url::Url::parse(base_url).unwrap();
    let attr = regex::Regex::new(r#"\s(?:href|src)="([^"]*)""#).unwrap();
    let mut broken = Vec::new();
    let mut checked = 0;
    for (rel, bytes) in snapshot(public) {
        if !rel.ends_with(".html") {
            continue;
        }
        let page_url = base.join(rel.trim_end_matches("index.html")).unwrap();
        let html = String::from_utf8(bytes).unwrap();
        for cap in attr.captures_iter(&html) {
            let link = cap[1].replace("&amp;", "&");
            let Ok(target) = page_url.join(&link) else {
                broken.push(format!("{rel}: {link} (not a URL)"));
                continue;
            };
            if target.origin() != base.origin() {
                continue;
            }
            let Some(site_path) = target.path().strip_prefix(base.path()) else {
                broken.push(format!("{rel}: {link} (outside {})", base.path()));
                continue;
            };
            let mut file = public.join(site_path);
            if site_path.is_empty() || site_path.ends_with('/') {
                file = file.join("index.html");
            }
            checked += 1;
            if !file.is_file() {
                broken.push(format!("{rel}: {link}"));
            }
        }
    }
    assert!(
        checked > 0,
        "no internal links found at all in {}",
        public.display()
    );
    broken
}

/// Parses a feed file with feed-rs, as a feed reader would.
pub fn parse_feed(text: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("feed does not parse: {e}\n{text}"))
}

/// A plain static file server (Python's) over `dir`, as GitHub Pages
/// serves a site; killed on drop.
pub struct StaticServer(std::process::Child);

impl StaticServer {
    /// Serves `dir`; returns the server and the base URL of its `sub`
    /// folder (`http://127.0.0.1:PORT/sub/`). Returns once it answers.
    pub fn start(dir: &Path, sub: &str) -> (StaticServer, String) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the static server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        (
            StaticServer(child),
            format!("http://127.0.0.1:{port}/{sub}/"),
        )
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
