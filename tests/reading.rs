//! The reading experience of the default theme, measured in headless
//! Chromium: how many papers a reader sees before scrolling, on a laptop
//! and on a phone; links on every card; formulas as text where markup
//! cannot go; controls that are hidden staying hidden; jump links clear
//! of the sticky header. Plus the page-weight budget, which needs no
//! browser.

mod common;

use common::browser::Browser;
use common::{StaticServer, TestSite};

/// A paper whose title and abstract are full of TeX, as arXiv's are.
const MATH_PAPER: &str = r#"---
title: 'Bounds on $V^\pi(s)$ for $\mathcal{O}(\sqrt{T})$ regret'
date: 2099-01-01
authors: ["Ada Lovelace"]
arxiv: "2402.99999"
upvotes: 0
---
We bound $V^\pi(s) = \mathbb{E}_\pi[\sum_t \gamma^t r_t]$ and show $\frac{a}{b} \le \sqrt{T}$. Code at \url{https://github.com/x/y}.

$$\sum_{i=1}^{N} \frac{\partial \mathcal{L}(\theta_i, x_1, x_2, x_3, x_4, x_5, x_6, x_7, x_8, x_9)}{\partial \theta_i} = \mathbb{E}_{x \sim p_{\mathrm{data}}}\left[\log p_\theta(x_1, x_2, x_3, x_4, x_5, x_6)\right]$$
"#;

/// The example site plus [`MATH_PAPER`] (dated first, so it leads the
/// home page), served under a sub-path as GitHub Pages would.
fn served() -> (TestSite, tempfile::TempDir, StaticServer, String) {
    let site = TestSite::example();
    site.write("content/papers/math-heavy.md", MATH_PAPER);
    let served = tempfile::tempdir().unwrap();
    let (server, base) = StaticServer::start(served.path(), "paperfeed");
    let out = served.path().join("paperfeed");
    site.build(&["--output", out.to_str().unwrap(), "--base-url", &base])
        .success();
    (site, served, server, base)
}

/// Cards whose title, byline and links all show without scrolling.
const CARDS_ABOVE_THE_FOLD: &str = "
    var fold = window.innerHeight, n = 0;
    document.querySelectorAll('main .card').forEach(function (card) {
      var parts = [card.querySelector('.card-title'), card.querySelector('.card-authors'), card.querySelector('.card-meta')];
      if (parts.every(function (p) { return !p || p.getBoundingClientRect().bottom <= fold; })) { n += 1; }
    });
    return n;";

#[test]
#[ignore = "needs chromium and chromedriver: run scripts/test"]
fn a_days_papers_scan_in_a_screen_or_two() {
    let (_site, _dir, _server, base) = served();
    let browser = Browser::start();
    let load = |path: &str| {
        browser.goto(&format!("{base}{path}"));
        browser.wait_for("return document.readyState === 'complete';", path);
    };

    browser.viewport(1280, 800, false);
    load("");
    let desktop = browser.eval(&format!("window.scrollTo(0, 0); {CARDS_ABOVE_THE_FOLD}"));
    assert!(
        desktop.as_u64().unwrap() >= 4,
        "1280×800: {desktop} cards above the fold"
    );
    let height = browser.eval("return document.documentElement.scrollHeight;");
    eprintln!("home page 1 at 1280×800: {height} px, {desktop} cards above the fold");

    browser.viewport(390, 844, true);
    load("");
    let phone = browser.eval(&format!("window.scrollTo(0, 0); {CARDS_ABOVE_THE_FOLD}"));
    let header = browser
        .eval("return document.querySelector('.site-header').getBoundingClientRect().height;");
    let height = browser.eval("return document.documentElement.scrollHeight;");
    eprintln!(
        "home page 1 at 390×844: {height} px, {phone} cards above the fold, header {header} px"
    );
    assert!(
        phone.as_u64().unwrap() >= 2,
        "390×844: {phone} cards above the fold"
    );
    assert!(
        header.as_f64().unwrap() <= 110.0,
        "phone header {header} px"
    );
    let overflow = browser.eval("return document.documentElement.scrollWidth;");
    assert!(
        overflow.as_f64().unwrap() <= 390.0,
        "the page never scrolls sideways: {overflow}"
    );

    // A wide formula scrolls inside its own box, and the page does not.
    load("papers/math-heavy/");
    let wide = browser.eval(
        "var m = document.querySelector('.math-display');
         return [m.scrollWidth > m.clientWidth, getComputedStyle(m).overflowX, document.documentElement.scrollWidth];",
    );
    assert_eq!(wide[0], true, "the formula is wider than a phone: {wide}");
    assert_eq!(wide[1], "auto", "{wide}");
    assert!(wide[2].as_f64().unwrap() <= 390.0, "{wide}");
    assert_eq!(
        browser.axe(),
        Vec::<String>::new(),
        "a scrolling formula is reachable by keyboard"
    );
    load("");
    assert_eq!(
        browser.axe(),
        Vec::<String>::new(),
        "the home page on a phone"
    );
}

#[test]
#[ignore = "needs chromium and chromedriver: run scripts/test"]
fn cards_link_papers_and_read_formulas_as_text() {
    let (_site, _dir, _server, base) = served();
    let browser = Browser::start();
    browser.viewport(1280, 800, false);
    browser.goto(&base);
    browser.wait_for("return document.readyState === 'complete';", "home");
    let links = browser.eval(
        "return Array.prototype.map.call(document.querySelectorAll('main .card'), function (c) {
           return Array.prototype.map.call(c.querySelectorAll('.card-links a'), function (a) { return a.textContent; }).join(' ');
         });",
    );
    let links: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(links.len() >= 20, "{links:?}");
    assert!(
        links
            .iter()
            .all(|l| l.contains("PDF") && l.contains("arXiv")),
        "{links:?}"
    );
    assert!(
        links.iter().any(|l| l.contains("Code")),
        "code links where known"
    );

    let card = browser.eval(
        "var c = document.querySelector('main .card');
         return [c.querySelector('.card-title').textContent, c.querySelector('.card-summary').textContent,
                 c.querySelectorAll('.votes').length];",
    );
    let summary = card[1].as_str().unwrap();
    assert!(
        summary.contains("V^π(s)") && summary.contains("𝔼"),
        "{summary}"
    );
    assert!(
        !summary.contains('$') && !regex::Regex::new(r"\\[a-zA-Z]").unwrap().is_match(summary),
        "{summary}"
    );
    assert!(!summary.contains("\\url"), "{summary}");
    assert_eq!(card[2], 0, "no upvote count at 0");
    let votes = browser.eval("return document.querySelector('main .votes').textContent;");
    assert!(
        regex::Regex::new(r"^▲ \d+ upvotes?$")
            .unwrap()
            .is_match(votes.as_str().unwrap()),
        "{votes}"
    );

    browser.goto(&format!("{base}papers/math-heavy/"));
    browser.wait_for("return document.readyState === 'complete';", "paper");
    let head = browser.eval(
        "return [document.title, document.querySelector('meta[property=\"og:title\"]').content,
                 document.querySelector('meta[name=description]').content,
                 document.querySelector('.prose a[href=\"https://github.com/x/y\"]') !== null,
                 document.querySelectorAll('link[href$=\"syntax.css\"]').length];",
    );
    for text in [&head[0], &head[1], &head[2]] {
        let text = text.as_str().unwrap();
        assert!(!text.contains('$') && !text.contains("\\mathcal"), "{text}");
    }
    assert!(
        head[0]
            .as_str()
            .unwrap()
            .starts_with("Bounds on V^π(s) for 𝒪(√T) regret"),
        "{head}"
    );
    assert_eq!(head[3], true, "\\url{{}} is a link: {head}");
    assert_eq!(head[4], 0, "no syntax.css on a page without code");
}

#[test]
#[ignore = "needs chromium and chromedriver: run scripts/test"]
fn hidden_controls_stay_hidden_and_jump_links_clear_the_header() {
    let (_site, _dir, _server, base) = served();
    let browser = Browser::start();
    browser.viewport(1280, 800, false);
    // One result: no "Show more results".
    browser.goto(&format!("{base}search/?q=math-heavy"));
    browser.goto(&format!("{base}search/?q=%22Ada%20Lovelace%22"));
    browser.wait_for(
        "return document.querySelectorAll('#search-results .card').length === 1;",
        "one result",
    );
    let more =
        browser.eval("return getComputedStyle(document.getElementById('search-more')).display;");
    assert_eq!(more, "none");
    // Whatever a theme rule says, `hidden` hides (the no-JavaScript case).
    let rule = browser.eval(
        "var b = document.createElement('button'); b.className = 'button'; b.hidden = true;
         document.body.appendChild(b); return getComputedStyle(b).display;",
    );
    assert_eq!(rule, "none");
    // The arrow keys announce the picked result.
    browser.eval("document.getElementById('search-input').dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown', bubbles: true}));");
    let said = browser.eval("return document.getElementById('search-selection').textContent;");
    assert!(
        said.as_str()
            .unwrap()
            .starts_with("Result 1 of 1: Bounds on"),
        "{said}"
    );

    browser.goto(&format!("{base}papers/math-heavy/#cite"));
    browser.wait_for("return document.readyState === 'complete';", "paper");
    let clear = browser.eval(
        "return [document.getElementById('cite').getBoundingClientRect().top,
                 document.querySelector('.site-header').getBoundingClientRect().bottom];",
    );
    assert!(
        clear[0].as_f64().unwrap() >= clear[1].as_f64().unwrap(),
        "#cite under the header: {clear}"
    );
}

#[test]
fn pages_stay_within_the_weight_budget_and_days_read_like_a_calendar() {
    let site = TestSite::example();
    site.build(&[]).success();
    let public = site.public();
    let size = |rel: &str| {
        std::fs::metadata(public.join(rel))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    let mut heaviest = (0, String::new());
    for (path, bytes) in common::snapshot(&public) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let mut total = html.len() as u64;
        for asset in ["style.css", "paperfeed.js", "search.js", "syntax.css"] {
            if html.contains(&format!("/{asset}\"")) {
                total += size(asset);
            }
        }
        if total > heaviest.0 {
            heaviest = (total, path);
        }
    }
    eprintln!(
        "heaviest page: {} ({} bytes with its CSS and JS)",
        heaviest.1, heaviest.0
    );
    assert!(
        heaviest.0 <= 100_000,
        "{} weighs {} bytes",
        heaviest.1,
        heaviest.0
    );

    // The daily pages' left arrow goes back in time.
    let mut days: Vec<String> = std::fs::read_dir(public.join("daily"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    days.sort();
    let middle = &days[days.len() / 2];
    let page = site.read(&format!("daily/{middle}/index.html"));
    let re = regex::Regex::new(r#"rel="prev" href="/daily/([0-9-]+)/">← "#).unwrap();
    let earlier = &re.captures(&page).expect("an earlier day on the left")[1];
    assert!(earlier < middle.as_str(), "{earlier} is before {middle}");
}
