//! Search: the index files the build writes, saved searches from
//! site.toml, and the search page in headless Chromium.

mod common;

use std::process::Command;

use common::browser::Browser;
use common::{StaticServer, TestSite, paperfeed, parse_feed, repo_root};
use predicates::prelude::*;

#[test]
fn the_index_is_small_and_every_page_has_a_search_box() {
    let site = TestSite::fixture("papers");
    site.build(&[]).success();
    let meta: serde_json::Value = serde_json::from_str(&site.read("search/meta.json")).unwrap();
    assert_eq!(meta["docs"], 5);
    let fragments: usize = std::fs::read_dir(site.public().join("search/f"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len() as usize)
        .sum();
    assert!(
        fragments < 20_000,
        "{fragments} bytes of index for five papers"
    );
    assert!(site.read("index.html").contains("action=\"/search/\""));
    assert!(site.read("search/index.html").contains("<noscript>"));
}

#[test]
fn saved_searches_become_pages_with_feeds() {
    let site = TestSite::fixture("papers");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    std::fs::write(
        site.root().join("site.toml"),
        format!("{toml}\n[[collections]]\nname = \"bandits-not-2024\"\ntitle = \"Bandits, old and new\"\nquery = 'tag:bandits -year:2024 OR author:\"Zoë Müller\"'\n"),
    )
    .unwrap();
    site.build(&[]).success();
    let page = site.read("c/bandits-not-2024/index.html");
    assert!(page.contains("<h1>Bandits, old and new</h1>"));
    // tag:bandits -year:2024 matches nothing (both bandit papers are from 2024);
    // author:"Zoë Müller" matches a (2023) and b (2024, decomposed ë).
    assert!(
        page.contains("Bandits in the Wild") && page.contains("Regret"),
        "{page}"
    );
    assert!(!page.contains("Counting Bandit Arms"));
    for feed in ["rss.xml", "atom.xml", "feed.json"] {
        assert_eq!(
            parse_feed(&site.read(&format!("c/bandits-not-2024/{feed}")))
                .entries
                .len(),
            2
        );
    }
    assert!(
        site.read("feeds/index.html")
            .contains("Bandits, old and new")
    );
}

#[test]
fn a_query_syntax_error_names_its_line_in_site_toml() {
    let site = TestSite::fixture("one");
    std::fs::write(
        site.root().join("site.toml"),
        "title = \"x\"\n\n[[collections]]\nname = \"broken\"\nquery = 'tag:rl OR (author:teh'\n",
    )
    .unwrap();
    site.build(&[]).code(1).stderr(predicate::str::contains(
        "site.toml:5:20: collection `broken`: this parenthesis is never closed",
    ));
}

/// The same queries through `search.js` (in node, over the built index) and
/// through the Rust query code saved searches use must find the same papers.
fn agree(site: &TestSite, queries: &[&str]) {
    site.build(&[]).success();
    let output = Command::new("node")
        .arg(repo_root().join("tests/search_agree.mjs"))
        .arg(site.public())
        .args(queries)
        .output()
        .expect("node is installed (scripts/test installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let js: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_slice(&output.stdout).unwrap();
    let options = paperfeed::BuildOptions {
        root: site.root().to_path_buf(),
        output: None,
        base_url: None,
        drafts: false,
        strict: false,
    };
    let rendered = paperfeed::Session::open(&options)
        .unwrap_or_else(|_| panic!("opens"))
        .render()
        .unwrap_or_else(|_| panic!("renders"));
    for query in queries {
        let parsed = paperfeed::search::Query::parse(query).unwrap();
        let mut rust: Vec<String> = rendered
            .site
            .papers
            .iter()
            .filter(|p| parsed.matches(p))
            .map(|p| format!("/papers/{}/", p.slug))
            .collect();
        rust.sort();
        assert_eq!(js[*query], rust, "`{query}`");
    }
    // The queries are not vacuous: some match nothing, some several papers.
    assert!(js.values().any(|v| v.is_empty()) && js.values().any(|v| v.len() > 1));
}

#[test]
#[ignore = "needs node: run scripts/test"]
fn javascript_and_rust_agree_on_every_query() {
    agree(
        &TestSite::fixture("papers"),
        &[
            "reinf",
            "bandit",
            "muller",
            "zoe",
            "\"offline rl\"",
            "tag:rl",
            "tag:bandits -year:2024",
            "author:\"Zoë Müller\"",
            "author:lovelace OR author:turing",
            "year:2024 -tag:rl",
            "(rl OR bandits) exploration",
            "-tag:rl",
            "regret",
            "2312.00001",
            "2312",
            "compilers OR zzz",
            "the",
            "dynamics models offline",
        ],
    );
}

/// With 600 papers, words in every abstract are stored as bitmaps.
#[test]
#[ignore = "needs node: run scripts/test"]
fn javascript_and_rust_agree_on_a_larger_site() {
    let site = TestSite::fixture("many");
    site.add_papers(600);
    agree(
        &site,
        &[
            "abstract",
            "paper 12",
            "tag:tag-1",
            "-tag:tag-2 number",
            "author:\"author 599\"",
            "year:2025",
            "zzz",
            "numb OR abs",
        ],
    );
    let fragments: String = std::fs::read_dir(site.public().join("search/f"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(fragments.contains("{\"b\":{"), "bitmaps were exercised");
}

/// The example site built for `/paperfeed/` and served by a plain static
/// file server from the folder above it, as GitHub Pages would.
fn example_site_under_a_sub_path() -> (tempfile::TempDir, StaticServer, String) {
    let dir = tempfile::tempdir().unwrap();
    let (server, base) = StaticServer::start(dir.path(), "paperfeed");
    paperfeed()
        .args(["build", "--root"])
        .arg(repo_root())
        .arg("--output")
        .arg(dir.path().join("paperfeed"))
        .args(["--base-url", &base])
        .assert()
        .success();
    (dir, server, base)
}

const RESULTS: &str = "return Array.prototype.map.call(document.querySelectorAll('#search-results .card-title'), function (t) { return t.textContent; }).join('\\n');";

#[test]
#[ignore = "needs chromium and chromedriver: run scripts/test"]
fn searching_the_example_site_in_a_browser() {
    let (_dir, _server, base) = example_site_under_a_sub_path();
    let browser = Browser::start();

    // A query in the URL is restored on load; a title word finds its paper, highlighted.
    browser.goto(&format!("{base}search/?q=edge-of-reach"));
    browser.wait_for(
        "return document.querySelectorAll('#search-results .card').length > 0;",
        "results for ?q=",
    );
    let titles = browser.eval(RESULTS);
    assert!(
        titles
            .as_str()
            .unwrap()
            .starts_with("The Edge-of-Reach Problem"),
        "{titles}"
    );
    assert_eq!(
        browser.eval("return document.getElementById('search-input').value;"),
        "edge-of-reach"
    );
    assert!(
        browser.eval("return document.querySelector('#search-results .card-title mark') !== null;")
            == true
    );

    // Prefix while typing, and an author's surname without its accent.
    browser.clear("#search-input");
    browser.type_into("#search-input", "schurholt");
    let titles = browser.wait_for("var t = document.querySelector('#search-results .card-title'); return t && t.textContent.indexOf('Model Zoo') >= 0 ? t.textContent : '';", "Schürholt's paper");
    assert!(
        titles
            .as_str()
            .unwrap()
            .contains("A Model Zoo on Phase Transitions")
    );
    assert!(
        browser.url().ends_with("/paperfeed/search/?q=schurholt"),
        "{}",
        browser.url()
    );

    browser.clear("#search-input");
    browser.type_into("#search-input", "reinf");
    browser.wait_for(
        "return document.getElementById('search-status').textContent.indexOf('reinf') >= 0;",
        "results for reinf",
    );
    let reinf = browser.eval(RESULTS);
    assert!(reinf.as_str().unwrap().contains("Reinforcement"), "{reinf}");

    // A tag filter: every result carries the tag.
    browser.eval("var s = document.getElementById('search-tag'); s.value = 'reward-modeling'; s.dispatchEvent(new Event('change')); return true;");
    browser.wait_for("return document.getElementById('search-status').textContent.indexOf('tag:reward-modeling') >= 0;", "the tag filter");
    let all_tagged = browser.eval("var cards = document.querySelectorAll('#search-results .card'); return cards.length > 0 && Array.prototype.every.call(cards, function (c) { return c.querySelector('a[href=\"/paperfeed/tags/reward-modeling/\"]') !== null; });");
    assert_eq!(all_tagged, true);
    browser.eval("var s = document.getElementById('search-tag'); s.value = ''; s.dispatchEvent(new Event('change')); return true;");

    // Nothing found says so.
    browser.clear("#search-input");
    browser.type_into("#search-input", "zzqxj");
    let status = browser.wait_for("var s = document.getElementById('search-status').textContent; return s.indexOf('zzqxj') >= 0 ? s : '';", "the empty result");
    assert!(
        status.as_str().unwrap().starts_with("No papers match"),
        "{status}"
    );
    assert_eq!(
        browser.eval("return document.querySelectorAll('#search-results .card').length;"),
        0
    );

    // Arrows move through the results and Enter opens one.
    browser.clear("#search-input");
    browser.type_into("#search-input", "reward");
    browser.wait_for("return document.getElementById('search-status').textContent.indexOf('reward') >= 0 && document.querySelectorAll('#search-results .card').length > 1;", "results for reward");
    browser.type_into("#search-input", "\u{E015}\u{E015}");
    let second = browser.eval("var c = document.querySelector('#search-results .card.is-selected .card-title a'); return c ? c.getAttribute('href') : '';");
    assert!(
        second.as_str().unwrap().starts_with("/paperfeed/papers/"),
        "{second}"
    );
    browser.type_into("#search-input", "\u{E007}");
    browser.wait_for(
        &format!(
            "return window.location.pathname === '{}';",
            second.as_str().unwrap()
        ),
        "Enter to open the result",
    );

    // "/" focuses the header search box on any page.
    browser.eval("document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true})); return true;");
    assert_eq!(
        browser.eval("return document.activeElement && document.activeElement.id;"),
        "site-search-q"
    );
}
