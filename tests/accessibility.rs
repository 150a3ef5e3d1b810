//! axe-core in headless Chromium on every kind of page of the example
//! site, in light and dark mode: no serious or critical violation.

mod common;

use common::browser::Browser;
use common::{StaticServer, TestSite};

#[test]
#[ignore = "needs chromium, chromedriver and axe-core: run scripts/test"]
fn every_page_type_passes_axe_in_light_and_dark_mode() {
    // Every output on, so author pages exist on the 35-paper example.
    let site = TestSite::example();
    site.all_outputs();
    let served = tempfile::tempdir().unwrap();
    let (_server, base) = StaticServer::start(served.path(), "paperfeed");
    let out = served.path().join("paperfeed");
    site.build(&["--output", out.to_str().unwrap(), "--base-url", &base])
        .success();
    let first = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(out.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| out.join(dir).join(n).join("index.html").is_file() && n != "page")
            .collect();
        names.sort();
        format!("{dir}/{}/", names[0])
    };
    let pages = [
        ("home", String::new()),
        ("home, page 2", "page/2/".into()),
        ("paper", first("papers")),
        ("tag", first("tags")),
        ("tags index", "tags/".into()),
        ("author", first("authors")),
        ("authors index", "authors/".into()),
        ("daily", first("daily")),
        ("archive", "archive/".into()),
        ("trending", "trending/".into()),
        ("trending, all time", "trending/all/".into()),
        ("feeds", "feeds/".into()),
        ("404", "404.html".into()),
    ];
    let browser = Browser::start();
    for scheme in ["light", "dark"] {
        browser.color_scheme(scheme);
        for (kind, path) in &pages {
            browser.goto(&format!("{base}{path}"));
            browser.wait_for("return document.readyState === 'complete';", kind);
            assert_eq!(
                browser.axe(),
                Vec::<String>::new(),
                "{kind} ({path}) in {scheme} mode"
            );
        }
        // Search with results: the cards come from the index, in the browser.
        browser.goto(&format!("{base}search/?q=reinforcement"));
        browser.wait_for(
            "return document.querySelectorAll('#search-results .card').length > 0;",
            "search results",
        );
        assert_eq!(
            browser.axe(),
            Vec::<String>::new(),
            "search with results in {scheme} mode"
        );
    }
}
