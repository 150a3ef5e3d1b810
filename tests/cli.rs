//! The commands beyond `build`: init, new, import, theme eject, completions,
//! and the conventions every command follows.

mod common;

use common::{TestSite, paperfeed, repo_root};
use predicates::prelude::*;

#[test]
fn init_creates_a_site_that_builds_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-papers");
    paperfeed()
        .arg("init")
        .arg(&site)
        .assert()
        .success()
        .stderr(predicate::str::contains("new site"));
    for file in [
        "site.toml",
        "content/papers/attention-is-all-you-need.md",
        ".gitignore",
        ".github/workflows/pages.yml",
    ] {
        assert!(site.join(file).is_file(), "{file}");
    }
    assert!(!site.join("themes").exists(), "the theme is built in");
    paperfeed()
        .args(["build", "--strict", "--root"])
        .arg(&site)
        .assert()
        .success();
    let page =
        std::fs::read_to_string(site.join("public/papers/attention-is-all-you-need/index.html"))
            .unwrap();
    assert!(page.contains("Attention Is All You Need"));
    assert!(page.contains("<math"), "the example's formula renders");
}

#[test]
fn init_refuses_a_non_empty_folder_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"Mine\"\n").unwrap();
    paperfeed()
        .arg("init")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not empty; pass --force"));
    assert!(!dir.path().join("content").exists());
    paperfeed()
        .args(["init", "--force"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("kept existing"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("site.toml")).unwrap(),
        "title = \"Mine\"\n"
    );
    assert!(
        dir.path()
            .join("content/papers/attention-is-all-you-need.md")
            .exists()
    );
}

#[test]
fn the_workflow_has_the_pages_permissions_and_runs_the_documented_command() {
    let dir = tempfile::tempdir().unwrap();
    paperfeed().arg("init").arg(dir.path()).assert().success();
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    for (workflow, command) in [
        (
            dir.path().join(".github/workflows/pages.yml"),
            "paperfeed build --base-url \"$BASE_URL/\"",
        ),
        (
            repo_root().join(".github/workflows/pages.yml"),
            "cargo run --release --locked -- build --base-url \"$BASE_URL/\"",
        ),
    ] {
        let text = std::fs::read_to_string(&workflow).unwrap();
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(yaml["permissions"]["pages"], "write");
        assert_eq!(yaml["permissions"]["id-token"], "write");
        let steps = yaml["jobs"]["build"]["steps"].as_sequence().unwrap();
        let uses: Vec<_> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
        assert!(
            uses.iter()
                .any(|u| u.starts_with("actions/configure-pages@"))
        );
        assert!(
            uses.iter()
                .any(|u| u.starts_with("actions/upload-pages-artifact@"))
        );
        let deploy = yaml["jobs"]["deploy"]["steps"][0]["uses"].as_str().unwrap();
        assert_eq!(deploy, "actions/deploy-pages@v5");
        // The current majors of the official actions (December 2026).
        for current in [
            "actions/checkout@v6",
            "actions/configure-pages@v6",
            "actions/upload-pages-artifact@v5",
        ] {
            assert!(uses.contains(&current), "{workflow:?} uses {uses:?}");
        }
        let runs: Vec<_> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
        assert!(runs.contains(&command), "{workflow:?} runs {runs:?}");
        assert!(readme.contains(command), "README documents `{command}`");
    }
}

#[test]
fn new_writes_a_paper_that_builds_and_refuses_a_second_time() {
    let site = TestSite::fixture("empty");
    let out = paperfeed()
        .args([
            "new",
            "Attention Is All You Need",
            "--arxiv",
            "1706.03762",
            "--tags",
            "transformers, attention",
            "--authors",
            "Ashish Vaswani,Noam Shazeer",
            "--date",
            "2017-06-12",
            "--root",
        ])
        .arg(site.root())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let path = String::from_utf8(out).unwrap();
    assert!(
        path.trim()
            .ends_with("content/papers/attention-is-all-you-need.md"),
        "{path}"
    );
    site.build(&["--strict"]).success();
    let page = site.read("papers/attention-is-all-you-need/index.html");
    assert!(page.contains("arxiv.org/abs/1706.03762"));
    assert!(page.contains("Noam Shazeer"));
    assert!(site.exists("tags/transformers/index.html"));
    let before = std::fs::read(path.trim()).unwrap();
    paperfeed()
        .args(["new", "Attention Is All You Need", "--root"])
        .arg(site.root())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(path.trim()).unwrap(), before);
    paperfeed()
        .args(["new", "X", "--arxiv", "nonsense", "--root"])
        .arg(site.root())
        .assert()
        .code(1);
}

/// Imports `file` in `format` into an empty site and returns the site and stderr.
fn import(format: &str, file: &str) -> (TestSite, String) {
    let site = TestSite::fixture("empty");
    let out = paperfeed()
        .args(["import", format])
        .arg(repo_root().join("tests/fixtures/import").join(file))
        .arg("--root")
        .arg(site.root())
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    site.build(&["--strict"]).success();
    (site, String::from_utf8(out).unwrap())
}

fn reimport_creates_nothing(site: &TestSite, format: &str, file: &str) {
    paperfeed()
        .args(["import", format])
        .arg(repo_root().join("tests/fixtures/import").join(file))
        .arg("--root")
        .arg(site.root())
        .assert()
        .success()
        .stderr(predicate::str::contains("imported 0 created"));
}

#[test]
fn imports_arxiv_atom() {
    let (site, stderr) = import("arxiv", "arxiv.xml");
    assert!(
        stderr.contains("imported 2 created, 0 updated, 0 skipped, 0 invalid"),
        "{stderr}"
    );
    let page = site.read(
        "papers/the-edge-of-reach-problem-in-offline-model-based-reinforcement-learning/index.html",
    );
    assert!(page.contains("<meta name=\"citation_author\" content=\"Yee Whye Teh\">"));
    assert!(page.contains("<meta name=\"citation_publication_date\" content=\"2024/02/19\">"));
    assert!(page.contains("<meta name=\"citation_arxiv_id\" content=\"2402.12527v2\">"));
    assert!(page.contains("NeurIPS 2024"));
    let other =
        site.read("papers/value-gradient-weighted-model-based-reinforcement-learning/index.html");
    assert!(other.contains("<meta name=\"citation_doi\" content=\"10.48550/arXiv.2204.01464\">"));
    reimport_creates_nothing(&site, "arxiv", "arxiv.xml");
}

#[test]
fn imports_bibtex_with_accents_decoded() {
    let (site, stderr) = import("bibtex", "papers.bib");
    assert!(
        stderr.contains("invalid \"An Entry Without Any Date\": no publication date"),
        "{stderr}"
    );
    assert!(
        stderr.contains("imported 2 created, 0 updated, 0 skipped, 1 invalid"),
        "{stderr}"
    );
    let zoo = site.read("papers/a-model-zoo-on-phase-transitions-in-neural-networks/index.html");
    assert!(zoo.contains(">Konstantin Schürholt<"), "{{\\\"u}} decoded");
    assert!(zoo.contains(">Léo Meynent<"));
    assert!(!zoo.contains(">others<"), "`and others` is not an author");
    assert!(zoo.contains("citation_journal_title"));
    let stationary = std::fs::read_to_string(site.root().join(
        "content/papers/stationary-representations-optimally-approximating-compatibility-and.md",
    ))
    .unwrap();
    assert!(
        stationary.contains("date: 2024-06-01"),
        "month jun, no day: {stationary}"
    );
    assert!(stationary.contains("\"Niccolò Biondi\""));
    assert!(stationary.contains("arxiv: \"2405.02581\""));
    reimport_creates_nothing(&site, "bibtex", "papers.bib");
}

#[test]
fn imports_csl_json_from_zotero() {
    let (site, stderr) = import("csl-json", "zotero.json");
    assert!(stderr.contains("imported 2 created"), "{stderr}");
    let llambo = std::fs::read_to_string(
        site.root()
            .join("content/papers/large-language-models-to-enhance-bayesian-optimization.md"),
    )
    .unwrap();
    assert!(llambo.contains("date: 2024-02-06"));
    assert!(llambo.contains("\"Nicolás Astorga\""));
    assert!(llambo.contains("\"Mihaela van der Schaar\""));
    assert!(llambo.contains("arxiv: \"2402.03921\""));
    assert!(llambo.contains("doi: \"10.48550/arXiv.2402.03921\""));
    let yi = std::fs::read_to_string(
        site.root()
            .join("content/papers/yi-open-foundation-models-by-01-ai.md"),
    )
    .unwrap();
    assert!(yi.contains("authors: [\"01. AI\", \"Alex Young\"]"), "{yi}");
    assert!(yi.contains("arxiv: \"2403.04652v1\""));
    reimport_creates_nothing(&site, "csl-json", "zotero.json");
}

#[test]
fn imports_hugging_face_daily_papers_and_dedupes_against_the_site() {
    let (site, stderr) = import("hf", "hf-daily.json");
    assert!(
        stderr.contains("imported 2 created, 0 updated, 0 skipped, 1 invalid"),
        "{stderr}"
    );
    let edge = std::fs::read_to_string(site.root().join(
        "content/papers/the-edge-of-reach-problem-in-offline-model-based-reinforcement-learning.md",
    ))
    .unwrap();
    assert!(edge.contains("upvotes: 12"));
    assert!(edge.contains("code: \"https://github.com/anyasims/edge-of-reach\""));
    assert!(
        edge.contains("date: 2024-02-19"),
        "the arXiv date is the date"
    );
    assert!(
        edge.contains("listed: 2024-02-20"),
        "the listing's date is kept"
    );
    assert!(!edge.contains("offline RL"), "keywords only when asked for");
    site.build(&["--strict"]).success();
    assert!(site.read("papers/the-edge-of-reach-problem-in-offline-model-based-reinforcement-learning/index.html").contains("<time datetime=\"2024-02-20\">Feb 20, 2024</time> in the daily papers"));
    reimport_creates_nothing(&site, "hf", "hf-daily.json");
    // The same paper from another source is recognised by its arXiv id.
    paperfeed()
        .args(["import", "arxiv"])
        .arg(repo_root().join("tests/fixtures/import/arxiv.xml"))
        .arg("--root")
        .arg(site.root())
        .assert()
        .success()
        .stderr(
            predicate::str::contains("(venue)").and(predicate::str::contains(
                "imported 1 created, 1 updated, 0 skipped",
            )),
        );
    let edge_path = site.root().join(
        "content/papers/the-edge-of-reach-problem-in-offline-model-based-reinforcement-learning.md",
    );
    let edited = std::fs::read_to_string(&edge_path).unwrap();
    assert!(edited.contains("venue: \"NeurIPS 2024\""), "{edited}");
    assert_eq!(
        edited.replace("venue: \"NeurIPS 2024\"\n", ""),
        edge,
        "nothing else changed"
    );
    // Upvotes moved on Hugging Face: a re-import refreshes them.
    let moved = std::fs::read_to_string(repo_root().join("tests/fixtures/import/hf-daily.json"))
        .unwrap()
        .replace("\"upvotes\": 12", "\"upvotes\": 30");
    paperfeed()
        .args(["import", "hf", "-", "--root"])
        .arg(site.root())
        .write_stdin(moved)
        .assert()
        .success()
        .stderr(predicate::str::contains("(upvotes)").and(predicate::str::contains("1 updated")));
    assert!(
        std::fs::read_to_string(&edge_path)
            .unwrap()
            .contains("upvotes: 30")
    );
}

#[test]
fn theme_eject_writes_the_built_in_theme_once() {
    let site = TestSite::fixture("one");
    site.build(&[]).success();
    let built_in = site.read("index.html");
    paperfeed()
        .args(["theme", "eject", "--root"])
        .arg(site.root())
        .assert()
        .success();
    assert!(
        site.root()
            .join("themes/default/templates/base.html")
            .is_file()
    );
    assert!(
        site.root()
            .join("themes/default/static/style.css")
            .is_file()
    );
    site.build(&[]).success();
    assert_eq!(
        site.read("index.html"),
        built_in,
        "the ejected theme is the same theme"
    );
    std::fs::write(
        site.root().join("themes/default/templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<p>ejected</p>{% endblock content %}",
    )
    .unwrap();
    site.build(&[]).success();
    assert!(
        site.read("404.html").contains("<p>ejected</p>"),
        "a theme folder wins over the built-in one"
    );
    paperfeed()
        .args(["theme", "eject", "--root"])
        .arg(site.root())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exists"));
}

#[test]
fn every_command_has_help_with_examples_and_a_version() {
    for command in ["build", "check", "init", "new", "import", "completions"] {
        paperfeed()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
    paperfeed()
        .args(["theme", "eject", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
    paperfeed()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
    paperfeed()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("paperfeed "));
    paperfeed().arg("no-such-command").assert().code(2);
}

#[test]
fn completions_for_three_shells() {
    for shell in ["bash", "zsh", "fish"] {
        paperfeed()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("import"));
    }
}

#[test]
fn quiet_verbose_and_no_colour_off_a_terminal() {
    let site = TestSite::fixture("escaping");
    let quiet = site.build(&["-q"]).success().get_output().stderr.clone();
    assert!(quiet.is_empty(), "{}", String::from_utf8_lossy(&quiet));
    let verbose =
        String::from_utf8(site.build(&["-v"]).success().get_output().stderr.clone()).unwrap();
    assert!(
        verbose.contains("render") && verbose.contains(" ms"),
        "{verbose}"
    );
    assert!(verbose.contains("warning:"));
    assert!(
        !verbose.contains('\u{1b}'),
        "no colour codes when stderr is not a terminal"
    );
    let forced = paperfeed()
        .env("CLICOLOR_FORCE", "1")
        .args(["build", "--root"])
        .arg(site.root())
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8_lossy(&forced).contains('\u{1b}'),
        "colour when forced"
    );
    let no_color = paperfeed()
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .args(["build", "--root"])
        .arg(site.root())
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    assert!(
        !String::from_utf8_lossy(&no_color).contains('\u{1b}'),
        "NO_COLOR wins"
    );
}

#[test]
fn cname_is_written_for_a_custom_domain() {
    let site = TestSite::fixture("one");
    std::fs::write(
        site.root().join("site.toml"),
        "base_url = \"https://papers.example.org/\"\ncname = \"papers.example.org\"\n",
    )
    .unwrap();
    site.build(&[]).success();
    assert_eq!(site.read("CNAME"), "papers.example.org\n");
}

#[test]
fn check_refuses_an_output_folder_it_would_not_write() {
    let site = TestSite::fixture("one");
    let out = paperfeed()
        .args(["check", "--output", "elsewhere", "--root"])
        .arg(site.root())
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("--output"), "{stderr}");
    assert!(!site.root().join("elsewhere").exists());
}

#[test]
fn hugging_face_keywords_become_tags_when_asked_for() {
    let site = TestSite::fixture("empty");
    paperfeed()
        .args(["import", "hf", "--keywords", "--root"])
        .arg(site.root())
        .arg(repo_root().join("tests/fixtures/import/hf-daily.json"))
        .assert()
        .success();
    let edge = std::fs::read_to_string(site.root().join(
        "content/papers/the-edge-of-reach-problem-in-offline-model-based-reinforcement-learning.md",
    ))
    .unwrap();
    assert!(
        edge.contains("tags: [\"offline RL\", \"model-based RL\"]"),
        "{edge}"
    );
}

#[test]
fn import_reads_one_hugging_face_paper_from_stdin_and_refuses_the_wrong_format() {
    let site = TestSite::fixture("empty");
    let one = r#"{"id": "2402.12527", "title": "The Edge-of-Reach Problem", "summary": "A.", "publishedAt": "2024-02-19T00:00:00.000Z", "authors": [{"name": "Anya Sims"}], "upvotes": 3}"#;
    paperfeed()
        .args(["import", "hf", "-", "--root"])
        .arg(site.root())
        .write_stdin(one)
        .assert()
        .success()
        .stderr(predicates::str::contains("imported 1 created"));
    assert_eq!(site.paper_files().len(), 1);
    // An RSS listing given as arXiv results: an error, not "0 created".
    let rss = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>x</title></item></channel></rss>";
    paperfeed()
        .args(["import", "arxiv", "-", "--root"])
        .arg(site.root())
        .write_stdin(rss)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "not an arXiv API Atom feed: the document is <rss>",
        ));
}
