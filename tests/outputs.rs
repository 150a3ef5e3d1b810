//! The `[outputs]` switches of `site.toml`: each does what it says, and an
//! output that is off leaves no file and no link to one anywhere (the link
//! checker, the sitemap and the OPML list are all checked against the
//! files written).

mod common;

use common::{TestSite, broken_links, snapshot};

const BASE: &str = "https://lab.example/";

/// The papers fixture with `outputs` appended to its site.toml, built.
fn built_with(outputs: &str) -> TestSite {
    let site = TestSite::fixture("papers");
    let path = site.root().join("site.toml");
    let mut toml = std::fs::read_to_string(&path).unwrap();
    toml.push_str(outputs);
    std::fs::write(&path, toml).unwrap();
    site.build(&[]).success();
    site
}

fn files(site: &TestSite) -> Vec<String> {
    snapshot(&site.public()).into_keys().collect()
}

/// Every URL a sitemap or the OPML list names must be a written file.
fn listed_urls_exist(site: &TestSite) {
    let public = site.public();
    let loc = regex::Regex::new(r#"(?:<loc>|xmlUrl=")https://lab\.example/([^<"]*)"#).unwrap();
    for file in files(site) {
        if !(file.starts_with("sitemap") || file == "feeds.opml") {
            continue;
        }
        for cap in loc.captures_iter(&site.read(&file)) {
            let rel = &cap[1];
            let target = if rel.is_empty() || rel.ends_with('/') {
                public.join(rel).join("index.html")
            } else {
                public.join(rel)
            };
            assert!(
                target.is_file(),
                "{file} lists {rel}, which was not written"
            );
        }
    }
}

fn assert_consistent(site: &TestSite) {
    assert_eq!(broken_links(&site.public(), BASE), Vec::<String>::new());
    listed_urls_exist(site);
}

#[test]
fn by_default_terms_get_rss_only_and_rare_authors_link_to_a_search() {
    let site = built_with("");
    let all = files(&site);
    // The site keeps all three formats; a tag gets RSS only.
    for f in ["rss.xml", "atom.xml", "feed.json", "tags/rl/rss.xml"] {
        assert!(all.contains(&f.to_string()), "{f} missing");
    }
    assert!(!site.exists("tags/rl/atom.xml") && !site.exists("tags/rl/feed.json"));
    // No author has five papers here: no author pages or feeds, no
    // citation files.
    assert!(
        !all.iter()
            .any(|f| f.starts_with("authors/") && f != "authors/index.html")
    );
    assert!(!all.iter().any(|f| f.contains("/cite.")));
    let card = site.read("index.html");
    assert!(
        card.contains("href=\"/search/?q=author:%22Alan%20Turing%22\">Alan Turing</a>"),
        "{card}"
    );
    // The authors index still lists everyone, linking to the searches.
    let index = site.read("authors/index.html");
    assert!(
        index.contains("/search/?q=author:%22Grace%20Hopper%22"),
        "{index}"
    );
    // The feeds page and OPML name no author.
    assert!(!site.read("feeds/index.html").contains("Alan Turing"));
    assert!(!site.read("feeds.opml").contains("Alan Turing"));
    assert!(!site.read("sitemap.xml").contains("/authors/alan-turing/"));
    assert_consistent(&site);
}

#[test]
fn every_output_can_be_turned_back_on() {
    let site = built_with(common::ALL_OUTPUTS);
    for f in [
        "tags/rl/atom.xml",
        "tags/rl/feed.json",
        "authors/alan-turing/index.html",
        "authors/alan-turing/rss.xml",
        "authors/alan-turing/atom.xml",
        "authors/alan-turing/feed.json",
        "papers/a/cite.bib",
        "papers/a/cite.ris",
        "papers/a/cite.json",
    ] {
        assert!(site.exists(f), "{f} missing");
    }
    assert!(
        site.read("index.html")
            .contains("href=\"/authors/alan-turing/\">Alan Turing</a>")
    );
    assert!(site.read("feeds/index.html").contains("Alan Turing"));
    assert!(
        site.read("feeds.opml")
            .contains("/authors/alan-turing/atom.xml")
    );
    // With abstracts on, an author page shows cards.
    assert!(
        site.read("authors/alan-turing/index.html")
            .contains("class=\"card\"")
    );
    assert_consistent(&site);
}

#[test]
fn feeds_can_be_turned_off_entirely() {
    let site = built_with(
        "[outputs]\nsite_feeds = []\ntag_feeds = []\nauthor_feeds = []\ncollection_feeds = []\ndigest_feeds = []\nauthor_page_min_papers = 1\n",
    );
    let feeds: Vec<String> = files(&site)
        .into_iter()
        .filter(|f| f.ends_with("rss.xml") || f.ends_with("atom.xml") || f.ends_with("feed.json"))
        .collect();
    assert_eq!(feeds, Vec::<String>::new());
    for page in [
        "index.html",
        "tags/rl/index.html",
        "authors/alan-turing/index.html",
    ] {
        let html = site.read(page);
        assert!(
            !html.contains("rel=\"alternate\""),
            "{page} still advertises a feed"
        );
        assert!(!html.contains("Subscribe:"), "{page}");
    }
    assert!(!site.read("feeds.opml").contains("xmlUrl"));
    assert_consistent(&site);
}

#[test]
fn the_author_threshold_decides_pages_and_a_second_paper_creates_one() {
    let site = built_with("[outputs]\nauthor_page_min_papers = 2\n");
    // Alan Turing has two papers, Grace Hopper one.
    assert!(site.exists("authors/alan-turing/index.html"));
    assert!(site.exists("authors/alan-turing/rss.xml"));
    assert!(!site.exists("authors/grace-hopper/index.html"));
    // Titles only by default, no cards.
    let page = site.read("authors/alan-turing/index.html");
    assert!(page.contains("class=\"paper-rows\"") && !page.contains("class=\"card\""));
    assert_consistent(&site);

    // A second paper by Grace Hopper gives her a page; the warm rebuild
    // must also re-render the first paper's card and page, whose links to
    // her change, exactly as a fresh build does.
    site.write(
        "content/papers/f.md",
        "---\ntitle: \"Compilers\"\ndate: 2024-03-01\nauthors: [\"Grace Hopper\"]\n---\nA-0.\n",
    );
    site.build(&[]).success();
    assert!(site.exists("authors/grace-hopper/index.html"));
    let warm = snapshot(&site.public());
    let fresh = site.root().join("fresh");
    site.build(&["--output", fresh.to_str().unwrap()]).success();
    let fresh = snapshot(&fresh);
    let differing: Vec<&String> = fresh
        .iter()
        .filter(|(path, bytes)| warm.get(*path) != Some(bytes))
        .map(|(path, _)| path)
        .chain(warm.keys().filter(|p| !fresh.contains_key(*p)))
        .collect();
    assert_eq!(differing, Vec::<&String>::new());
    assert!(
        site.read("papers/e/index.html")
            .contains("href=\"/authors/grace-hopper/\""),
        "the older paper links to the new page"
    );
    assert_consistent(&site);
}

#[test]
fn the_authors_index_is_split_into_pages_with_a_jump_bar() {
    let site = built_with("[outputs]\nauthors_per_page = 2\n");
    let first = site.read("authors/index.html");
    assert!(site.exists("authors/page/2/index.html"));
    assert!(site.exists("authors/page/3/index.html"));
    assert!(!site.exists("authors/page/4/index.html"));
    // Every initial's link points at the page and anchor where it starts.
    let jump = regex::Regex::new(r##"href="/(authors/(?:page/\d+/)?)#(letter-[a-z])">"##).unwrap();
    let jumps: Vec<_> = jump.captures_iter(&first).collect();
    assert!(jumps.len() >= 4, "{first}");
    for cap in jumps {
        let page = site.read(&format!("{}index.html", &cap[1]));
        assert!(
            page.contains(&format!("id=\"{}\"", &cap[2])),
            "{} has no #{}",
            &cap[1],
            &cap[2]
        );
    }
    assert!(site.read("sitemap.xml").contains("/authors/page/3/</loc>"));
    assert_consistent(&site);
}

#[test]
fn an_unknown_switch_or_format_is_an_error_at_its_line() {
    let site = TestSite::fixture("papers");
    let path = site.root().join("site.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("{toml}[outputs]\ntag_feeds = [\"rss\", \"mp3\"]\n"),
    )
    .unwrap();
    let out = site.build(&[]).failure().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("site.toml:5"), "{stderr}");
    assert!(stderr.contains("mp3"), "{stderr}");
    std::fs::write(&path, format!("{toml}[outputs]\nauthor_pages = 2\n")).unwrap();
    let out = site.build(&[]).failure().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("author_pages"), "{stderr}");
}

#[test]
#[ignore = "needs chromium, chromedriver and axe-core: run scripts/test"]
fn author_links_lead_to_their_papers_and_the_pages_pass_axe_in_a_browser() {
    use common::StaticServer;
    use common::browser::Browser;

    let site = TestSite::fixture("papers");
    let path = site.root().join("site.toml");
    let toml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        format!("{toml}[outputs]\nauthor_page_min_papers = 2\nauthors_per_page = 3\n"),
    )
    .unwrap();
    let served = tempfile::tempdir().unwrap();
    let (_server, base) = StaticServer::start(served.path(), "lab");
    let out = served.path().join("lab");
    site.build(&["--output", out.to_str().unwrap(), "--base-url", &base])
        .success();
    let browser = Browser::start();

    // A name without a page goes to a search that lists that author's papers.
    browser.goto(&base);
    let href = browser.eval(
        "var a = Array.prototype.find.call(document.querySelectorAll('.card-authors a'), function (a) { return a.textContent === 'Grace Hopper'; }); return a ? a.getAttribute('href') : '';",
    );
    let href = href.as_str().unwrap().to_string();
    assert!(href.starts_with("/lab/search/?q=author:"), "{href}");
    browser.eval("Array.prototype.find.call(document.querySelectorAll('.card-authors a'), function (a) { return a.textContent === 'Grace Hopper'; }).click(); return true;");
    let titles = browser.wait_for(
        "var t = document.querySelectorAll('#search-results .card-title'); return t.length ? Array.prototype.map.call(t, function (e) { return e.textContent; }).join('|') : '';",
        "Grace Hopper's papers",
    );
    assert_eq!(titles.as_str().unwrap().split('|').count(), 1, "{titles}");
    // One with a page goes to it.
    browser.goto(&base);
    let turing = browser.eval(
        "var a = Array.prototype.find.call(document.querySelectorAll('.card-authors a'), function (a) { return a.textContent === 'Alan Turing'; }); return a.getAttribute('href');",
    );
    assert_eq!(turing, "/lab/authors/alan-turing/");

    // The pages this change touched, in light and dark mode.
    for scheme in ["light", "dark"] {
        browser.color_scheme(scheme);
        for page in [
            "",
            "authors/",
            "authors/page/2/",
            "authors/alan-turing/",
            "feeds/",
        ] {
            browser.goto(&format!("{base}{page}"));
            browser.wait_for("return document.readyState === 'complete';", "the page");
            assert_eq!(
                browser.axe(),
                Vec::<String>::new(),
                "{page} in {scheme} mode"
            );
        }
    }
}
