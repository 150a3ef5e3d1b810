//! Bad input, on purpose: every case gets a clear diagnostic naming its
//! file and line, and a failed build leaves the previous site untouched.

mod common;

use std::path::Path;

use common::{TestSite, paperfeed, snapshot};

/// A site with one good paper, built once, plus the bad-input fixture
/// `name` copied into `content/papers/` under the same name.
fn with_bad_input(name: &str) -> (TestSite, std::collections::BTreeMap<String, Vec<u8>>) {
    let site = TestSite::fixture("one");
    site.build(&[]).success();
    let before = snapshot(&site.public());
    let source = common::repo_root()
        .join("tests/fixtures/bad-inputs")
        .join(name);
    std::fs::copy(&source, site.root().join("content/papers").join(name)).unwrap();
    (site, before)
}

/// Builds and expects failure (exit 1) with `expected` in stderr, and the
/// previous output byte for byte.
fn fails_with(name: &str, expected: &str) {
    let (site, before) = with_bad_input(name);
    let out = site.build(&[]).code(1).get_output().stderr.clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(
        stderr.contains(expected),
        "{name}: expected `{expected}` in:\n{stderr}"
    );
    assert!(
        stderr.contains("help:"),
        "{name}: says what to do:\n{stderr}"
    );
    assert_eq!(
        snapshot(&site.public()),
        before,
        "{name}: previous output changed"
    );
}

/// Builds and expects success, with `warning` in stderr when given.
fn builds(name: &str, warning: Option<&str>) -> TestSite {
    let (site, _) = with_bad_input(name);
    let out = site.build(&[]).success().get_output().stderr.clone();
    let stderr = String::from_utf8(out).unwrap();
    if let Some(w) = warning {
        assert!(stderr.contains(w), "{name}: expected `{w}` in:\n{stderr}");
    }
    site
}

#[test]
fn invalid_yaml_points_at_the_unclosed_bracket() {
    fails_with(
        "invalid-yaml.md",
        "content/papers/invalid-yaml.md:4:7: a quote or bracket opened here is never closed",
    );
}

#[test]
fn front_matter_never_closed() {
    fails_with(
        "unclosed.md",
        "content/papers/unclosed.md:1:1: the front matter opened here is never closed",
    );
}

#[test]
fn missing_and_wrong_typed_fields() {
    fails_with(
        "missing-title.md",
        "content/papers/missing-title.md:1:1: missing required field `title`",
    );
    fails_with(
        "wrong-type.md",
        "content/papers/wrong-type.md:4:10: authors: invalid type: integer `42`, expected a list",
    );
}

#[test]
fn impossible_dates_and_non_dates() {
    fails_with(
        "impossible-date.md",
        "content/papers/impossible-date.md:3:7: `2024-02-30` is not a real calendar date",
    );
    fails_with(
        "not-a-date.md",
        "content/papers/not-a-date.md:3:7: `yesterday` is not a date",
    );
}

#[test]
fn empty_file() {
    fails_with("empty.md", "content/papers/empty.md:1:1: the file is empty");
}

#[test]
fn bytes_that_are_not_utf8() {
    fails_with(
        "not-utf8.md",
        "content/papers/not-utf8.md:5:4: the file is not valid UTF-8",
    );
}

#[test]
fn bom_and_crlf_files_build() {
    let site = builds("bom.md", None);
    assert!(
        site.read("papers/bom/index.html")
            .contains("<h1>Starts with a BOM</h1>")
    );
    let site = builds("crlf.md", None);
    let page = site.read("papers/crlf/index.html");
    assert!(page.contains("<h1>Windows line endings</h1>"));
    assert!(!page.contains('\r'));
    assert!(site.exists("tags/crlf/index.html"));
}

#[test]
fn unbalanced_latex_warns_and_shows_the_source() {
    let site = builds(
        "unbalanced-latex.md",
        Some("warning: content/papers/unbalanced-latex.md:5:"),
    );
    assert!(
        site.read("papers/unbalanced-latex/index.html")
            .contains("class=\"math-error\"")
    );
}

#[test]
fn unknown_keys_warn() {
    builds(
        "unknown-key.md",
        Some("warning: content/papers/unknown-key.md:4:1: unknown front-matter key `abstract_url`"),
    );
}

#[test]
fn tags_that_slugify_to_nothing_or_to_one_slug() {
    fails_with(
        "empty-tag.md",
        "content/papers/empty-tag.md:4:7: tag `!!!` has no letters or digits",
    );
    let site = builds("same-tag.md", None);
    let page = site.read("papers/same-tag/index.html");
    assert_eq!(
        page.matches("href=\"/tags/c-plus-plus/\"").count(),
        1,
        "one tag, shown once"
    );
}

#[test]
fn slugs_and_tags_cannot_leave_the_output_folder() {
    let site = builds("escaping-slug.md", None);
    assert!(site.exists("papers/etc-passwd/index.html"));
    assert!(site.exists("tags/outside/index.html"));
    assert!(site.exists("tags/abs-tag/index.html"));
    assert!(site.exists("tags/back-slash/index.html"));
    for entry in std::fs::read_dir(site.root()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            [
                "content",
                "public",
                ".public.manifest",
                ".public.parsed",
                ".public.search",
                ".public.related",
                "site.toml"
            ]
            .contains(&name.as_str()),
            "unexpected {name}"
        );
    }
}

#[test]
fn duplicate_slugs_name_both_files() {
    fails_with(
        "duplicate-slug.md",
        "content/papers/duplicate-slug.md, content/papers/edge-of-reach.md",
    );
}

#[test]
fn odd_file_names() {
    let (site, _) = with_bad_input("My Paper (Final).MD");
    std::fs::copy(
        common::repo_root().join("tests/fixtures/bad-inputs/long-extension.markdown"),
        site.root().join("content/papers/long-extension.markdown"),
    )
    .unwrap();
    std::fs::copy(
        common::repo_root().join("tests/fixtures/bad-inputs/ignored.md.bak"),
        site.root().join("content/papers/ignored.md.bak"),
    )
    .unwrap();
    site.build(&[]).success();
    assert!(site.exists("papers/my-paper-final/index.html"));
    assert!(site.exists("papers/long-extension/index.html"));
    assert!(!site.exists("papers/ignored/index.html"));
}

#[test]
fn enormous_titles_and_names_are_refused_with_their_line() {
    let site = TestSite::fixture("one");
    site.build(&[]).success();
    let before = snapshot(&site.public());
    let title = "Long ".repeat(400_000);
    site.write(
        "content/papers/huge-title.md",
        &format!("---\ntitle: \"{title}\"\ndate: 2024-01-01\n---\n"),
    );
    let name = "A".repeat(2_000_000);
    site.write(
        "content/papers/huge-name.md",
        &format!("---\ntitle: T\ndate: 2024-01-01\nauthors: [\"{name}\"]\n---\n"),
    );
    let out = site.build(&[]).code(1).get_output().stderr.clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(
        stderr.contains("content/papers/huge-title.md:2:8: the title is 1999999 characters long"),
        "{}",
        &stderr[..2000.min(stderr.len())]
    );
    assert!(
        stderr.contains(
            "content/papers/huge-name.md:4:10: an author name is 2000000 characters long"
        )
    );
    assert!(
        stderr.len() < 10_000,
        "snippets are cut, not megabytes long"
    );
    assert_eq!(snapshot(&site.public()), before);
}

#[test]
fn enormous_author_lists_and_abstracts_build() {
    let site = TestSite::fixture("one");
    let authors: Vec<String> = (0..1_000).map(|i| format!("\"Author {i}\"")).collect();
    let body = "An abstract sentence with words. ".repeat(100_000);
    site.write(
        "content/papers/huge.md",
        &format!(
            "---\ntitle: Huge\ndate: 2024-01-01\nauthors: [{}]\n---\n{body}\n",
            authors.join(", ")
        ),
    );
    site.all_outputs();
    site.build(&[]).success();
    let card = site.read("index.html");
    assert!(card.contains("et al. (+996)"));
    assert!(
        card.len() < 100_000,
        "the card shows the abstract's opening only"
    );
    assert!(
        site.read("papers/huge/index.html").len() > 3_000_000,
        "the paper page has it all"
    );
    let feed = site.read("authors/author-999/atom.xml");
    assert!(
        feed.len() < 100_000,
        "feeds carry the opening of huge abstracts"
    );
}

#[test]
fn pathological_markdown_builds() {
    let site = TestSite::fixture("one");
    let body = format!(
        "{}deep quote\n\n{}deep list\n\n{}x{}\n\n{}\n",
        "> ".repeat(5_000),
        (0..2_000)
            .map(|i| format!("{}- item\n", "  ".repeat(i)))
            .collect::<String>(),
        "`".repeat(50_000),
        "`".repeat(49_999),
        "[".repeat(50_000),
    );
    site.write(
        "content/papers/patho.md",
        &format!("---\ntitle: Patho\ndate: 2024-01-01\n---\n{body}"),
    );
    site.build(&[]).success();
    assert!(site.exists("papers/patho/index.html"));
}

#[test]
fn symlinks_are_skipped_with_a_warning() {
    let site = TestSite::fixture("one");
    let papers = site.root().join("content/papers");
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        outside.path(),
        "---\ntitle: Outside\ndate: 2024-01-01\n---\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), papers.join("outside.md")).unwrap();
    std::os::unix::fs::symlink(&papers, papers.join("loop")).unwrap();
    let out = site.build(&[]).success().get_output().stderr.clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(
        stderr.contains("warning: content/papers/outside.md: symbolic link skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: content/papers/loop: symbolic link skipped"),
        "{stderr}"
    );
    assert!(!site.exists("papers/outside/index.html"));
}

#[test]
fn a_folder_that_is_not_a_site_is_refused_and_nothing_is_written() {
    // No site.toml: a wrong working directory in CI.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content/papers")).unwrap();
    for args in [&["build"][..], &["build", "--strict"], &["check"]] {
        let out = common::paperfeed()
            .args(args)
            .current_dir(dir.path())
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains("is not a paperfeed site"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("paperfeed init"), "{stderr}");
        assert!(
            !dir.path().join("public").exists(),
            "{args:?} wrote public/"
        );
    }
    // A typo in --root: refused, and the folder is not created.
    let missing = dir.path().join("no-such-site");
    let out = common::paperfeed()
        .args(["build", "--root"])
        .arg(&missing)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("no such folder"), "{stderr}");
    assert!(!missing.exists());
    // A site without content/.
    let site = TestSite::fixture("empty");
    std::fs::remove_dir_all(site.root().join("content")).unwrap();
    let out = site.build(&[]).code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("no content/ folder"), "{stderr}");
    assert!(!site.public().exists());
}

#[test]
fn an_empty_papers_folder_builds_an_empty_site_with_a_warning_strict_refuses() {
    let site = TestSite::fixture("empty");
    let out = site.build(&[]).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("no papers"), "{stderr}");
    assert!(site.read("index.html").contains("No papers yet"));
    site.build(&["--strict"]).code(1);
}

#[test]
fn hidden_and_scratch_files_under_content_are_not_published() {
    let site = TestSite::fixture("one");
    let paper = "---\ntitle: \"Hidden\"\ndate: 2024-01-01\n---\nSecret.\n";
    for name in [
        ".hidden.md",
        ".#lock.md",
        "draft.md~",
        "#autosave.md#",
        ".x.md.swp",
    ] {
        site.write(&format!("content/papers/{name}"), paper);
    }
    site.write("content/papers/.drafts/inner.md", paper);
    site.build(&["--strict"]).success();
    let files: Vec<String> = common::snapshot(&site.public()).into_keys().collect();
    assert!(
        !files.iter().any(|f| f.contains("hidden")
            || f.contains("lock")
            || f.contains("inner")
            || f.contains("autosave")),
        "{files:?}"
    );
    assert!(!site.read("index.html").contains("Hidden"));
    common::paperfeed()
        .args(["check", "--strict", "--root"])
        .arg(site.root())
        .assert()
        .success();
}

#[test]
fn all_broken_files_are_reported_at_once() {
    let site = TestSite::fixture("one");
    for name in ["invalid-yaml.md", "missing-title.md", "not-a-date.md"] {
        std::fs::copy(
            common::repo_root()
                .join("tests/fixtures/bad-inputs")
                .join(name),
            site.root().join("content/papers").join(name),
        )
        .unwrap();
    }
    let out = site.build(&[]).code(1).get_output().stderr.clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(stderr.contains("3 errors in 3 files"), "{stderr}");
}

#[test]
fn strict_turns_warnings_into_errors_and_json_is_machine_readable() {
    let (site, before) = with_bad_input("unknown-key.md");
    site.build(&["--strict"]).code(1);
    assert_eq!(snapshot(&site.public()), before);
    let out = site
        .build(&["--format", "json"])
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["warnings"], 1);
    let d = &json["diagnostics"][0];
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["path"], "content/papers/unknown-key.md");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(1))
    );

    let (site, _) = with_bad_input("impossible-date.md");
    let out = site
        .build(&["--format", "json"])
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["errors"], 1);
    assert_eq!(json["diagnostics"][0]["line"], 3);
    assert!(
        json["diagnostics"][0]["help"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD")
    );
}

#[test]
fn check_lints_records_and_links_without_writing() {
    let site = TestSite::fixture("one");
    site.write("content/papers/same-arxiv.md", "---\ntitle: Again\ndate: 2024-01-01\narxiv: \"2402.12527v2\"\nauthors: [\"Zoe Fifth\"]\n---\nSee [nowhere](/no/such/page/).\n");
    site.write(
        "content/papers/no-abstract.md",
        "---\ntitle: Bare\ndate: 2024-01-01\n---\n",
    );
    let out = paperfeed()
        .args(["check", "--root"])
        .arg(site.root())
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(
        stderr.contains("arXiv id 2402.12527 appears in 2 files"),
        "{stderr}"
    );
    assert!(stderr.contains("Fifth` is also written `Zo"), "{stderr}");
    assert!(
        stderr.contains("warning: content/papers/no-abstract.md: the paper has no abstract"),
        "{stderr}"
    );
    assert!(stderr.contains("error: public/papers/same-arxiv/index.html: link `/no/such/page/` does not lead to any page of the site"), "{stderr}");
    assert!(!site.public().exists(), "check writes nothing");
}

#[test]
fn check_passes_on_the_example_site_under_a_sub_path() {
    paperfeed()
        .args([
            "check",
            "--strict",
            "--base-url",
            "https://user.github.io/paperfeed/",
            "--root",
        ])
        .arg(common::repo_root())
        .assert()
        .success();
}

#[test]
fn a_broken_file_among_a_thousand() {
    let site = TestSite::fixture("many");
    site.add_papers(1000);
    site.build(&[]).success();
    let before = snapshot(&site.public());
    site.write(
        "content/papers/paper-500.md",
        "---\ntitle: Broken\ndate: 2024-13-01\n---\n",
    );
    let out = site.build(&[]).code(1).get_output().stderr.clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(
        stderr.contains("content/papers/paper-500.md:3:7"),
        "{stderr}"
    );
    assert!(stderr.contains("1 error in 1 file"), "{stderr}");
    assert_eq!(snapshot(&site.public()), before);
    let _ = Path::new("");
}

#[test]
fn control_characters_are_replaced_with_a_warning_and_every_output_stays_valid() {
    let site = TestSite::fixture("one");
    site.all_outputs();
    // Literal controls in the file, and YAML escapes that make more.
    site.write(
        "content/papers/controls.md",
        "---\ntitle: \"Vertical\u{B}tab \\0 and \\v escapes\"\ndate: 2024-01-01\nauthors: [\"Nul\u{0}Author\", \"Esc \\x1b Person\"]\ntags: [\"tag\u{C}one\", \"x\\uFFFFy\"]\nvenue: \"Bell\u{7}Conf\"\n---\nAn abstract with a \u{1} start-of-heading and a \u{FFFE} noncharacter.\n",
    );
    let out = site.build(&[]).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("content/papers/controls.md:2:17") && stderr.contains("U+000B"),
        "the first literal control is located: {stderr}"
    );
    assert!(
        stderr.contains("`authors` contains the control character U+001B"),
        "{stderr}"
    );
    site.build(&["--strict"]).code(1);

    let mut xml = 0;
    for (path, bytes) in common::snapshot(&site.public()) {
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            !text.chars().any(paperfeed::parse::chars::is_forbidden),
            "{path} carries a forbidden character"
        );
        if path.ends_with(".xml") || path.ends_with(".opml") {
            roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{path} is not well-formed XML: {e}"));
            xml += 1;
        } else if path.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
        }
    }
    assert!(xml > 10, "{xml} XML files checked");
    assert!(site.read("rss.xml").contains("Vertical tab"));
}

#[test]
fn markup_in_names_never_becomes_markup_in_any_feed_format() {
    let site = TestSite::fixture("one");
    site.all_outputs();
    let evil = "\\\"><svg onload=alert(2)>";
    site.write(
        "content/papers/evil.md",
        &format!(
            "---\ntitle: \"Title {evil} & more\"\ndate: 2024-01-01\nauthors: [\"Author {evil}\"]\ntags: [\"tag {evil}\"]\n---\nBody.\n"
        ),
    );
    site.build(&[]).success();
    let plain = "\"><svg onload=alert(2)>";
    let slug = |prefix: &str| paperfeed::slug::slugify(&format!("{prefix} {plain}"));
    for dir in [
        format!("authors/{}/", slug("Author")),
        format!("tags/{}/", slug("tag")),
    ] {
        for file in ["rss.xml", "atom.xml"] {
            let feed = common::parse_feed(&site.read(&format!("{dir}{file}")));
            // What a reader shows as HTML holds no element the input did
            // not: RSS descriptions are HTML by convention, Atom says.
            if let Some(description) = &feed.description {
                let html = file == "rss.xml"
                    || description.content_type.essence().to_string() == "text/html";
                assert!(
                    !(html && description.content.contains("<svg")),
                    "{dir}{file}: {}",
                    description.content
                );
                assert!(
                    description.content.contains("svg"),
                    "{dir}{file}: the name is there"
                );
            }
            let title = feed.title.as_ref().unwrap().content.clone();
            assert!(
                title.ends_with(plain),
                "{dir}{file}: channel title {title:?}"
            );
            let entry = &feed.entries[0];
            assert_eq!(
                entry.title.as_ref().unwrap().content,
                format!("Title {plain} & more"),
                "{dir}{file}"
            );
            assert_eq!(
                entry.authors[0].name,
                format!("Author {plain}"),
                "{dir}{file}"
            );
        }
        let json: serde_json::Value =
            serde_json::from_str(&site.read(&format!("{dir}feed.json"))).unwrap();
        assert!(json["title"].as_str().unwrap().ends_with(plain));
        assert_eq!(json["items"][0]["title"], format!("Title {plain} & more"));
    }
}

/// A tmpfs of `size` mounted on a temp folder for one test, unmounted on
/// drop; `None` where this machine cannot mount one (not root, a container
/// without the capability).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(SmallDisk { dir })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_full_disk_leaves_the_previous_output_and_no_temporaries() {
    // The writer's unit tests cover every byte count on a simulated disk;
    // this is the real thing, end to end, where the machine allows it.
    let Some(disk) = SmallDisk::mount("3m") else {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    };
    let site = TestSite::fixture("one");
    site.add_papers(20);
    let output = disk.dir.path().join("public");
    let output_arg = output.to_str().unwrap();
    site.build(&["--output", output_arg]).success();
    let before = snapshot(disk.dir.path());
    // A few hundred more papers do not fit: first the incremental path
    // (a manifest is there), then a full rebuild in staging (none is).
    site.add_papers(420);
    for path in ["patch", "staging"] {
        if path == "staging" {
            std::fs::remove_file(disk.dir.path().join(".public.manifest")).unwrap();
        }
        let expected = snapshot(disk.dir.path());
        let out = site.build(&["--output", output_arg]).code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains("No space left on device"),
            "{path}: {stderr}"
        );
        assert!(stderr.contains("help: free space"), "{path}: {stderr}");
        assert!(stderr.contains("left untouched"), "{path}: {stderr}");
        assert_eq!(
            snapshot(disk.dir.path()),
            expected,
            "{path}: output changed"
        );
        let leftovers: Vec<_> = walkdir::WalkDir::new(disk.dir.path())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy();
                name.ends_with(".paperfeed-tmp") || name.ends_with(".staging")
            })
            .map(|e| e.path().display().to_string())
            .collect();
        assert!(leftovers.is_empty(), "{path}: {leftovers:?}");
    }
    assert_eq!(
        before.len() - 1,
        snapshot(disk.dir.path()).len(),
        "only the manifest went"
    );
}

/// What a reader shows of `html`: elements dropped, entities decoded, white
/// space collapsed. `Err` names an element or handler a reader would run
/// or draw, beyond the paragraphs the theme wraps an abstract in.
fn reader_text(html: &str) -> Result<String, String> {
    let page = format!("<!doctype html><html><body>{html}</body></html>");
    common::clients::check("feed-field.html", page.as_bytes())?;
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => in_tag = false,
            (false, c) => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    Ok(visible(&decoded))
}

/// Text as a reader lays it out: runs of white space are one space.
fn visible(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 128,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Class 4 as a property: whatever a title, author, tag or venue holds,
    /// every feed (site, tag, author; RSS, Atom, JSON Feed) read by
    /// feed-rs shows exactly that text, and nothing in a field readers
    /// render as HTML becomes an element.
    #[test]
    fn every_feed_shows_plain_text_fields_as_written(
        title in "[a-zA-Z0-9 <>&\"'/=;#*_`!?()\\[\\]{}|~$\\\\éü中😀\u{A0}\t-]{1,40}",
        author in "[a-zA-Z0-9 <>&\"'/=;#*_`!?()\\[\\]$\\\\éü中-]{0,24}",
        tag in "[a-zA-Z0-9 <>&\"'/=;#*_!?()$éü中-]{0,16}",
        venue in "[a-zA-Z0-9 <>&\"'/=;#*_`!?()$\\\\éü中-]{1,24}",
    ) {
        // A leading letter: empty titles and names that slugify to nothing
        // are refused, which other tests cover.
        let (title, author, tag) = (format!("T{title}"), format!("A{author}"), format!("t{tag}"));
        let input = format!(
            "---\ntitle: {}\ndate: 2024-05-01\nauthors: [{}, \"Second Person\"]\ntags: [{}]\nvenue: {}\n---\nBody.\n",
            yaml_quoted(&title), yaml_quoted(&author), yaml_quoted(&tag), yaml_quoted(&venue),
        );
        let harness = harness();
        let files = harness.run(input.as_bytes()).expect("a valid paper renders");
        let (title, author, tag) = (visible(&title), visible(&author), visible(&tag));
        // Pages and channel titles show the tag's name as the model words it.
        let tag_title = visible(&paperfeed::model::tag_name(&tag));
        let mut feeds = 0;
        for (path, bytes) in &files {
            let text = std::str::from_utf8(bytes).unwrap();
            if path.starts_with("daily/") {
                // The digest's entries are days; the paper is in their HTML.
                if path.ends_with(".xml") {
                    let feed = common::parse_feed(text);
                    let html = feed.entries[0].content.as_ref().and_then(|c| c.body.clone())
                        .or_else(|| feed.entries[0].summary.as_ref().map(|s| s.content.clone()))
                        .unwrap_or_default();
                    reader_text(&html).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{path}: {e}")))?;
                }
                continue;
            }
            let subject = if path.starts_with("tags/") {
                Some(&tag_title)
            } else if path.starts_with("authors/") && !path.starts_with("authors/second-person/") {
                Some(&author)
            } else {
                None
            };
            if path.ends_with("rss.xml") || path.ends_with("atom.xml") {
                feeds += 1;
                let feed = common::parse_feed(text);
                let channel = visible(&feed.title.as_ref().unwrap().content);
                if let Some(name) = subject {
                    proptest::prop_assert!(channel.ends_with(name.as_str()), "{path}: {channel:?}");
                }
                if let Some(d) = &feed.description {
                    // RSS descriptions are HTML by convention; Atom says.
                    let shown = if path.ends_with("rss.xml") || d.content_type.essence().to_string() == "text/html" {
                        reader_text(&d.content).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{path}: {e}")))?
                    } else {
                        visible(&d.content)
                    };
                    if let Some(name) = subject {
                        proptest::prop_assert!(shown.ends_with(name.as_str()), "{path}: {shown:?}");
                    }
                }
                let entry = &feed.entries[0];
                proptest::prop_assert_eq!(visible(&entry.title.as_ref().unwrap().content), title.clone(), "{}", path);
                let names: Vec<String> = entry.authors.iter().map(|a| visible(&a.name)).collect();
                let joined = names.join(", ");
                proptest::prop_assert!(
                    names.contains(&author) || joined.starts_with(&format!("{author}, ")),
                    "{path}: {names:?}"
                );
                let terms: Vec<String> = entry
                    .categories
                    .iter()
                    .map(|c| visible(c.label.as_deref().unwrap_or(&c.term)))
                    .collect();
                proptest::prop_assert!(terms.contains(&tag), "{path}: {terms:?}");
                for html in entry.content.iter().filter_map(|c| c.body.as_deref()).chain(entry.summary.iter().map(|s| s.content.as_str())) {
                    reader_text(html).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{path}: {e}")))?;
                }
            } else if path.ends_with("feed.json") {
                feeds += 1;
                let json: serde_json::Value = serde_json::from_str(text).unwrap();
                let channel = visible(json["title"].as_str().unwrap());
                if let Some(name) = subject {
                    proptest::prop_assert!(channel.ends_with(name.as_str()), "{path}: {channel:?}");
                }
                let item = &json["items"][0];
                proptest::prop_assert_eq!(visible(item["title"].as_str().unwrap()), title.clone(), "{}", path);
                proptest::prop_assert_eq!(visible(item["authors"][0]["name"].as_str().unwrap()), author.clone(), "{}", path);
                proptest::prop_assert_eq!(visible(item["tags"][0].as_str().unwrap()), tag.clone(), "{}", path);
                reader_text(item["content_html"].as_str().unwrap()).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{path}: {e}")))?;
            }
        }
        proptest::prop_assert!(feeds >= 9, "site, tag and author feeds in three formats: {}", feeds);
    }
}

/// The default theme and highlighter, loaded once for the property tests.
fn harness() -> &'static paperfeed::harness::Harness {
    static HARNESS: std::sync::OnceLock<paperfeed::harness::Harness> = std::sync::OnceLock::new();
    HARNESS.get_or_init(|| paperfeed::harness::Harness::new(&common::repo_root()))
}
