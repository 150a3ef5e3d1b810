//! `paperfeed build` end to end: the real binary on fixture sites.

mod common;

use common::{TestSite, broken_links, paperfeed, parse_feed, repo_root, snapshot};
use predicates::prelude::*;

#[test]
fn empty_site_builds_a_home_page_and_an_empty_feed() {
    let site = TestSite::fixture("empty");
    site.build(&[])
        .success()
        .stderr(predicate::str::contains("0 papers, 0 tags"));
    assert!(site.read("index.html").contains("No papers yet"));
    assert!(!site.exists("page/2/index.html"));
    assert_eq!(parse_feed(&site.read("rss.xml")).entries.len(), 0);
    for f in [
        "404.html",
        "tags/index.html",
        "sitemap.xml",
        "robots.txt",
        ".nojekyll",
        "style.css",
        "syntax.css",
    ] {
        assert!(site.exists(f), "{f} missing");
    }
}

#[test]
fn one_paper_gets_a_full_page() {
    let site = TestSite::fixture("one");
    site.all_outputs();
    site.build(&[]).success();
    let page = site.read("papers/edge-of-reach/index.html");
    assert!(page.contains(
        "<h1>The Edge-of-Reach Problem in Offline Model-Based Reinforcement Learning</h1>"
    ));
    assert!(page.contains("<li><a href=\"/authors/zoe-fifth/\">Zoë Fifth</a></li>"));
    assert!(page.contains("href=\"https://arxiv.org/abs/2402.12527\""));
    assert!(page.contains("href=\"https://arxiv.org/pdf/2402.12527\""));
    assert!(page.contains("href=\"https://github.com/anyasims/edge-of-reach\""));
    assert!(page.contains("NeurIPS 2024"));
    assert!(
        page.contains("<strong>pre-collected</strong>"),
        "Markdown rendered"
    );
    assert!(page.contains("<table>"), "tables on");
    assert!(
        page.contains("class=\"hl-"),
        "code highlighted with classes"
    );
    assert!(page.contains("<math"), "math rendered to MathML");
    assert!(page.contains("footnote-definition"), "footnotes on");
    assert!(
        page.contains(
            "<link rel=\"canonical\" href=\"https://example.org/papers/edge-of-reach/\">"
        )
    );

    let index = site.read("index.html");
    assert!(
        index.contains(">Jakob Foerster</a>, <a href=\"/authors/yee-whye-teh/\">Yee Whye Teh</a> <span class=\"et-al\">et al. (+1)"),
        "first four authors"
    );
    assert!(index.contains("et al."), "then et al.");
    assert!(index.contains("datetime=\"2024-02-19\">Feb 19, 2024</time>"));
    assert!(index.contains("▲</span> 12<"), "upvotes on the card");
    assert!(
        index.contains("<a href=\"https://arxiv.org/pdf/2402.12527\">PDF</a>"),
        "the PDF from the card"
    );
    assert!(index.contains("href=\"/tags/offline-rl/\""));
    assert!(site.read("tags/index.html").contains("Offline RL"));
    assert!(site.exists("tags/offline-rl/index.html"));
    assert!(site.exists("tags/offline-rl/rss.xml"));
    assert!(
        site.read("syntax.css")
            .contains("prefers-color-scheme: dark")
    );
}

#[test]
fn thirty_papers_fit_one_page_and_thirty_one_need_two() {
    let site = TestSite::fixture("many");
    site.add_papers(30);
    site.build(&[]).success();
    assert!(!site.exists("page/2/index.html"));
    assert_eq!(
        site.read("index.html").matches("class=\"card\"").count(),
        30
    );

    site.add_papers(31);
    site.build(&[]).success();
    let first = site.read("index.html");
    let second = site.read("page/2/index.html");
    assert_eq!(first.matches("class=\"card\"").count(), 30);
    assert_eq!(second.matches("class=\"card\"").count(), 1);
    assert!(first.contains("rel=\"next\" href=\"/page/2/\""));
    assert!(second.contains("rel=\"prev\" href=\"/\""));
    assert!(!second.contains("rel=\"next\""));
    // Newest first: paper-30 is the newest, paper-0 the oldest and last.
    assert!(first.find("Paper number 30").unwrap() < first.find("Paper number 29").unwrap());
    assert!(second.contains("Paper number 0"));
    assert!(!site.exists("page/3/index.html"));
    // Tag pages paginate too: tag-0 has papers 0, 3, …, 30 → 11 papers.
    assert!(site.read("tags/tag-0/index.html").contains("11 papers"));
}

#[test]
fn drafts_only_with_the_flag() {
    let site = TestSite::fixture("drafts");
    site.build(&[])
        .success()
        .stderr(predicate::str::contains("1 papers"));
    assert!(!site.exists("papers/unfinished/index.html"));
    assert!(!site.exists("tags/secret-tag/index.html"));
    assert!(!site.read("rss.xml").contains("Unfinished"));
    assert!(!site.read("sitemap.xml").contains("unfinished"));

    site.build(&["--drafts"]).success();
    assert!(site.exists("papers/unfinished/index.html"));
    assert!(site.exists("tags/secret-tag/index.html"));
}

#[test]
fn sub_path_links_all_resolve() {
    let site = TestSite::fixture("subpath");
    site.build(&[]).success();
    let broken = broken_links(&site.public(), "https://user.github.io/repo/");
    assert!(broken.is_empty(), "{broken:#?}");
    let page = site.read("papers/paper-2/index.html");
    assert!(page.contains("href=\"/repo/style.css\""));
    assert!(
        page.contains("href=\"/repo/tags/\""),
        "Markdown root links get the sub-path"
    );
    assert!(site.read("page/2/index.html").contains("href=\"/repo/\""));
    let feed = parse_feed(&site.read("rss.xml"));
    assert!(feed.entries.iter().all(|e| {
        e.links[0]
            .href
            .starts_with("https://user.github.io/repo/papers/")
    }));
    assert!(
        site.read("sitemap.xml")
            .contains("<loc>https://user.github.io/repo/papers/paper-1/</loc>")
    );
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://user.github.io/repo/sitemap.xml")
    );
}

#[test]
fn base_url_flag_overrides_site_toml() {
    let site = TestSite::fixture("one");
    let out = site.root().join("elsewhere");
    site.build(&[
        "--base-url",
        "https://lab.example/papers/",
        "--output",
        out.to_str().unwrap(),
    ])
    .success();
    assert!(!site.public().exists());
    let broken = broken_links(&out, "https://lab.example/papers/");
    assert!(broken.is_empty(), "{broken:#?}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("href=\"/papers/papers/edge-of-reach/\""));
}

#[test]
fn broken_files_are_all_reported_and_the_old_site_survives() {
    let site = TestSite::fixture("broken");
    // First a good build, to have something to lose.
    for bad in ["bad-date", "bad-yaml", "wrong-type"] {
        let path = site.root().join(format!("content/papers/{bad}.md"));
        std::fs::rename(&path, path.with_extension("txt")).unwrap();
    }
    site.build(&[]).success();
    let before = snapshot(&site.public());
    for bad in ["bad-date", "bad-yaml", "wrong-type"] {
        let path = site.root().join(format!("content/papers/{bad}.txt"));
        std::fs::rename(&path, path.with_extension("md")).unwrap();
    }
    let output = site
        .build(&[])
        .failure()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(output).unwrap();
    assert!(
        stderr.contains("content/papers/bad-date.md:3:7: `2024-02-30` is not a real calendar date"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "content/papers/bad-yaml.md:2:8: a quote or bracket opened here is never closed"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/papers/wrong-type.md:4:10:"),
        "{stderr}"
    );
    assert!(stderr.contains("3 errors in 3 files"), "{stderr}");
    // Sorted by path.
    let order: Vec<_> = ["bad-date", "bad-yaml", "wrong-type"]
        .iter()
        .map(|f| stderr.find(f).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{stderr}");
    assert_eq!(
        snapshot(&site.public()),
        before,
        "previous output untouched"
    );
    assert!(!site.root().join("public.staging").exists());
}

#[test]
fn unknown_keys_warn_but_build() {
    let site = TestSite::fixture("one");
    site.write(
        "content/papers/extra.md",
        "---\ntitle: X\ndate: 2024-01-01\nabstract_url: y\n---\n",
    );
    site.build(&[]).success().stderr(predicate::str::contains(
        "warning: content/papers/extra.md:4:1: unknown front-matter key `abstract_url`",
    ));
}

#[test]
fn duplicate_slugs_name_both_files() {
    let site = TestSite::fixture("one");
    site.write(
        "content/papers/other.md",
        "---\ntitle: X\ndate: 2024-01-01\nslug: edge-of-reach\n---\n",
    );
    site.build(&[]).failure().stderr(predicate::str::contains(
        "content/papers/edge-of-reach.md, content/papers/other.md",
    ));
}

#[test]
fn hostile_fields_are_escaped_everywhere() {
    let site = TestSite::fixture("escaping");
    site.build(&[])
        .success()
        .stderr(predicate::str::contains("dropped"));
    for (path, bytes) in snapshot(&site.public()) {
        // BibTeX and RIS are plain-text citation formats that browsers never
        // render as HTML: there the title must stay the title, verbatim.
        if path.ends_with(".bib") || path.ends_with(".ris") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        // The theme's own scripts are `<script src=…>` and the JSON-LD block.
        for needle in [
            "<script>",
            "</script><",
            "<img",
            "<svg onload",
            "<marquee",
            "<b>Bold",
            "<i>tag",
            "javascript:",
        ] {
            assert!(!text.contains(needle), "{path} contains {needle}");
        }
    }
    let page = site.read("papers/hostile/index.html");
    assert!(page.contains("&lt;script&gt;alert("), "title shown as text");
    assert!(
        page.contains("Escaping &lt;Lab&gt; &amp; &quot;Friends&quot;"),
        "{page}"
    );
    // C++ and c++ are one tag.
    assert!(site.exists("tags/c-plus-plus/index.html"));
    assert_eq!(
        site.read("tags/index.html")
            .matches("tags/c-plus-plus/")
            .count(),
        1
    );
    let feed = parse_feed(&site.read("rss.xml"));
    assert!(
        feed.entries[0]
            .title
            .as_ref()
            .unwrap()
            .content
            .contains("<script>alert('t')</script>")
    );
}

#[test]
fn site_templates_and_static_files_override_the_theme() {
    let site = TestSite::fixture("override");
    site.build(&[]).success();
    assert!(
        site.read("papers/p/index.html")
            .contains("<p id=\"custom-paper\">Custom template for Overridden</p>")
    );
    assert!(
        site.read("index.html").contains("class=\"card\""),
        "other templates still the theme's"
    );
    assert_eq!(site.read("style.css"), "/* site css */\n");
    assert_eq!(site.read("extra.txt"), "hello\n");
}

#[test]
fn template_errors_name_the_template_file() {
    let site = TestSite::fixture("one");
    site.write("templates/tag.html", "{% extends \"base.html\" %}\n{% block content %}{{ tag.name | nosuchfilter }}{% endblock content %}\n");
    site.build(&[])
        .failure()
        .stderr(predicate::str::contains("templates/tag.html:2:"));
}

#[test]
fn feeds_parse_and_carry_the_papers() {
    let site = TestSite::fixture("many");
    site.add_papers(25);
    site.build(&[]).success();
    let feed = parse_feed(&site.read("rss.xml"));
    assert_eq!(feed.entries.len(), 20, "feed_limit defaults to 20");
    let first = &feed.entries[0];
    assert_eq!(first.title.as_ref().unwrap().content, "Paper number 24");
    assert_eq!(first.links[0].href, "https://example.org/papers/paper-24/");
    assert!(first.published.is_some());
    assert!(
        first
            .summary
            .as_ref()
            .unwrap()
            .content
            .contains("Abstract of paper 24")
    );
    let tag_feed = parse_feed(&site.read("tags/tag-1/rss.xml"));
    assert_eq!(tag_feed.entries.len(), 8);
    assert!(
        tag_feed
            .entries
            .iter()
            .all(|e| e.categories.iter().any(|c| c.term == "tag-1"))
    );
}

#[test]
fn builds_are_byte_identical() {
    let site = TestSite::fixture("subpath");
    site.build(&[]).success();
    let first = snapshot(&site.public());
    site.build(&[]).success();
    assert_eq!(snapshot(&site.public()), first);
}

#[test]
fn refuses_to_write_over_the_site() {
    let site = TestSite::fixture("one");
    for bad in [".", "content", ".."] {
        site.build(&["--output", site.root().join(bad).to_str().unwrap()])
            .failure()
            .stderr(predicate::str::contains("refusing to write the site"));
    }
    assert!(site.root().join("content/papers/edge-of-reach.md").exists());
}

#[test]
fn example_site_builds_every_paper_with_working_links() {
    let out = tempfile::tempdir().unwrap();
    for base in ["https://example.org/", "https://user.github.io/paperfeed/"] {
        let public = out.path().join(base.len().to_string());
        paperfeed()
            .args(["build", "--root"])
            .arg(repo_root())
            .arg("--output")
            .arg(&public)
            .args(["--base-url", base])
            .assert()
            .success();
        let sources = std::fs::read_dir(repo_root().join("content/papers"))
            .unwrap()
            .count();
        let pages = std::fs::read_dir(public.join("papers")).unwrap().count();
        assert_eq!(pages, sources, "one page per paper");
        assert!(sources >= 35);
        let broken = broken_links(&public, base);
        assert!(broken.is_empty(), "{broken:#?}");
        for (path, bytes) in snapshot(&public) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains("__paperfeed"),
                "{path}: live reload belongs to serve only"
            );
        }
    }
}
