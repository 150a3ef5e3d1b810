//! Paper-native output: authors, days, archive, trending, citations,
//! feeds in three formats, math.

mod common;

use common::{TestSite, parse_feed, snapshot};
use predicates::prelude::*;

/// The papers fixture with every output on: these tests check each kind.
fn built() -> TestSite {
    let site = TestSite::fixture("papers");
    site.all_outputs();
    site.build(&[]).success();
    site
}

/// `(name, content)` of every `<meta name=…>` on a page, in order.
fn meta_tags(html: &str) -> Vec<(String, String)> {
    let re = regex::Regex::new(r#"<meta name="([^"]+)" content="([^"]*)">"#).unwrap();
    re.captures_iter(html)
        .map(|c| (c[1].to_string(), c[2].replace("&amp;", "&")))
        .collect()
}

fn links_in(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"href="([^"]+)""#).unwrap();
    re.captures_iter(html).map(|c| c[1].to_string()).collect()
}

#[test]
fn daily_pages_link_across_gaps_months_and_years() {
    let site = built();
    let jan2 = site.read("daily/2024-01-02/index.html");
    assert!(
        jan2.contains("href=\"/daily/2024-01-31/\""),
        "newer day, skipping the gap"
    );
    assert!(
        jan2.contains("href=\"/daily/2023-12-30/\""),
        "older day, across the year"
    );
    assert!(jan2.contains("Bandits in the Wild"));
    assert!(!jan2.contains("Counting Bandit Arms"));
    let first = site.read("daily/2023-12-30/index.html");
    assert!(first.contains("href=\"/daily/2024-01-02/\""));
    assert!(!first.contains("Older →</a>"), "no day before the first");
    let last = site.read("daily/2024-02-03/index.html");
    assert_eq!(last.matches("class=\"card\"").count(), 2);
    assert!(
        last.contains("href=\"/daily/2024-01-31/\""),
        "across the month"
    );
    assert!(!site.exists("daily/2024-01-01/index.html"));
    // The home page groups by day and links each day.
    let index = site.read("index.html");
    assert!(
        index
            .find("datetime=\"2024-02-03\">Saturday, February 3, 2024")
            .unwrap()
            < index.find("datetime=\"2024-01-31\">").unwrap()
    );
    assert!(index.contains("href=\"/daily/2024-01-31/\""));
}

#[test]
fn archive_by_year_and_month() {
    let site = built();
    let index = site.read("archive/index.html");
    assert!(
        index.contains("href=\"/archive/2024/\">2024</a> <span class=\"count\">4</span>"),
        "{index}"
    );
    assert!(index.contains("href=\"/archive/2023/12/\""));
    assert_eq!(
        site.read("archive/2024/01/index.html")
            .matches("class=\"card\"")
            .count(),
        2
    );
    assert_eq!(
        site.read("archive/2024/index.html")
            .matches("class=\"card\"")
            .count(),
        4
    );
    assert_eq!(
        site.read("archive/2023/index.html")
            .matches("class=\"card\"")
            .count(),
        1
    );
}

#[test]
fn trending_orders_by_upvotes_then_date_then_title() {
    let site = built();
    let order = |page: &str, titles: &[&str]| {
        let at: Vec<usize> = titles
            .iter()
            .map(|t| page.find(t).unwrap_or_else(|| panic!("{t} missing")))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    };
    let all = site.read("trending/all/index.html");
    order(
        &all,
        &[
            "Counting Bandit Arms",
            "Bandits in the Wild",
            "Regret",
            "Another Paper",
            "Dynamics Models",
        ],
    );
    assert!(all.contains("▲</span> 10<"));
    assert!(
        all.contains("<ol class=\"feed ranked\" start=\"1\">"),
        "numbered by rank"
    );
    // This week is the seven days up to the newest paper (Feb 3, 2024).
    let week = site.read("trending/index.html");
    order(
        &week,
        &["Counting Bandit Arms", "Another Paper", "Dynamics Models"],
    );
    assert!(
        !week.contains("Bandits in the Wild"),
        "Jan 2 is older than a week"
    );
    assert!(
        week.contains("aria-current=\"page\">This week<"),
        "the tab says where you are"
    );
    let month = site.read("trending/month/index.html");
    assert!(!month.contains("Bandits in the Wild") && month.contains("Counting Bandit Arms"));
    for page in [&week, &month, &all] {
        assert!(page.contains("<a href=\"/trending/\" aria-current=\"page\">Trending</a>"));
    }
}

#[test]
fn authors_are_one_per_person_and_linked() {
    let site = built();
    // "Zoë" precomposed in a.md and decomposed in b.md: one author.
    let zoe = site.read("authors/zoe-muller/index.html");
    assert_eq!(zoe.matches("class=\"card\"").count(), 2);
    assert!(zoe.contains("<h1>Zoë Müller</h1>"));
    let index = site.read("authors/index.html");
    assert_eq!(index.matches("href=\"/authors/zoe-muller/\"").count(), 1);
    assert!(index.contains("6 authors"), "{index}");
    assert!(
        site.read("index.html")
            .contains("<a href=\"/authors/ada-lovelace/\">Ada Lovelace</a>")
    );
    assert!(site.exists("authors/ada-lovelace/atom.xml"));
    assert_eq!(
        parse_feed(&site.read("authors/alan-turing/feed.json"))
            .entries
            .len(),
        2
    );
}

#[test]
fn scholar_tags_carry_exactly_the_metadata() {
    let site = built();
    let page = site.read("papers/a/index.html");
    let citation: Vec<_> = meta_tags(&page)
        .into_iter()
        .filter(|(n, _)| n.starts_with("citation_"))
        .collect();
    let expected = [
        (
            "citation_title",
            "Bounds on $\\mathcal{O}(\\sqrt{T})$ Regret",
        ),
        ("citation_author", "Zoë Müller"),
        ("citation_author", "Yee Whye Teh"),
        ("citation_publication_date", "2023/12/30"),
        ("citation_pdf_url", "https://arxiv.org/pdf/2312.00001"),
        ("citation_arxiv_id", "2312.00001"),
        (
            "citation_abstract_html_url",
            "https://lab.example/papers/a/",
        ),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    assert_eq!(citation, expected);

    let c = site.read("papers/c/index.html");
    let authors: Vec<_> = meta_tags(&c)
        .into_iter()
        .filter(|(n, _)| n == "citation_author")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(
        authors,
        ["Ada Lovelace", "Charles Babbage"],
        "each author once, in order"
    );
    let b = meta_tags(&site.read("papers/b/index.html"));
    assert!(b.contains(&("citation_doi".into(), "10.5555/abc.123".into())));
    assert!(b.contains(&(
        "citation_journal_title".into(),
        "Journal of Machine Learning Research".into()
    )));
    // Only paper pages carry citation tags.
    assert!(!site.read("index.html").contains("citation_title"));
    assert!(page.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(page.contains("<meta name=\"twitter:card\" content=\"summary\">"));
}

#[test]
fn json_ld_is_a_scholarly_article() {
    let site = built();
    let page = site.read("papers/c/index.html");
    let start = page.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + page[start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    assert_eq!(ld["@type"], "ScholarlyArticle");
    assert_eq!(ld["headline"], "Counting Bandit Arms");
    assert_eq!(ld["datePublished"], "2024-01-31");
    let names: Vec<_> = ld["author"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada Lovelace", "Charles Babbage"]);
}

#[test]
fn three_feed_formats_parse_with_stable_ids_and_pdfs() {
    let site = built();
    for file in [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "tags/bandits/atom.xml",
        "tags/rl/feed.json",
    ] {
        let feed = parse_feed(&site.read(file));
        assert!(!feed.entries.is_empty(), "{file}");
    }
    let atom = parse_feed(&site.read("atom.xml"));
    assert_eq!(atom.entries.len(), 5);
    let ids: Vec<_> = atom.entries.iter().map(|e| e.id.as_str()).collect();
    assert!(
        ids.contains(&"urn:arxiv:2402.00004"),
        "version dropped: {ids:?}"
    );
    assert!(ids.contains(&"urn:arxiv:2312.00001"));
    assert!(ids.contains(&"urn:doi:10.5555/abc.123"));
    let c = atom
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content == "Counting Bandit Arms")
        .unwrap();
    assert!(c.links.iter().any(|l| l.href == "https://example.org/c.pdf" && l.rel.as_deref() == Some("enclosure")));
    assert_eq!(c.authors.len(), 3);
    assert!(c.categories.iter().any(|k| k.term == "bandits"));

    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["title"], "Lab Reading Group");
    for item in json["items"].as_array().unwrap() {
        assert!(
            item["id"].is_string() && item["content_html"].is_string(),
            "{item}"
        );
    }
    let with_pdf = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Counting Bandit Arms")
        .unwrap();
    assert_eq!(
        with_pdf["attachments"][0]["url"],
        "https://example.org/c.pdf"
    );

    // Moving the site keeps the ids of papers that have an arXiv id or DOI.
    let moved = site.root().join("moved");
    site.build(&[
        "--base-url",
        "https://other.example/sub/",
        "--output",
        moved.to_str().unwrap(),
    ])
    .success();
    let moved_ids: Vec<_> = parse_feed(&std::fs::read_to_string(moved.join("atom.xml")).unwrap())
        .entries
        .into_iter()
        .map(|e| e.id)
        .filter(|id| id.starts_with("urn:"))
        .collect();
    let ids: Vec<_> = ids
        .into_iter()
        .filter(|id| id.starts_with("urn:"))
        .collect();
    assert_eq!(moved_ids, ids);
}

#[test]
fn every_page_advertises_feeds_and_the_feeds_page_lists_them_all() {
    let site = built();
    for page in [
        "index.html",
        "papers/a/index.html",
        "archive/index.html",
        "404.html",
    ] {
        let html = site.read(page);
        for mime in [
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json",
        ] {
            assert!(
                html.contains(&format!("<link rel=\"alternate\" type=\"{mime}\"")),
                "{page} {mime}"
            );
        }
    }
    assert!(
        site.read("tags/rl/index.html")
            .contains("href=\"https://lab.example/tags/rl/atom.xml\"")
    );
    let subjects = 1 + 1 + 4 + 6; // site, its daily digest, tags, authors
    let opml = site.read("feeds.opml");
    assert_eq!(opml.matches("xmlUrl=").count(), subjects * 3);
    let feeds_page = site.read("feeds/index.html");
    assert!(feeds_page.contains("href=\"https://lab.example/authors/grace-hopper/feed.json\""));
    // Every feed the OPML names exists.
    let re = regex::Regex::new(r#"xmlUrl="https://lab.example/([^"]+)""#).unwrap();
    for cap in re.captures_iter(&opml) {
        assert!(site.exists(&cap[1]), "{} missing", &cap[1]);
    }
}

#[test]
fn citation_files_are_generated() {
    let site = built();
    let bib = site.read("papers/a/cite.bib");
    assert!(bib.starts_with("@misc{muller2023bounds,"), "{bib}");
    assert!(bib.contains("title = {{Bounds on $\\mathcal{O}(\\sqrt{T})$ Regret}}"));
    assert!(bib.contains("author = {Zoë Müller and Yee Whye Teh}"));
    let csl: serde_json::Value = serde_json::from_str(&site.read("papers/b/cite.json")).unwrap();
    assert_eq!(csl[0]["DOI"], "10.5555/abc.123");
    assert_eq!(csl[0]["type"], "article-journal");
    assert!(site.read("papers/d/cite.ris").starts_with("TY  - UNPB\r\n"));
    let page = site.read("papers/a/index.html");
    assert!(page.contains("href=\"/papers/a/cite.bib\" download"));
    assert!(page.contains("data-copy=\"bibtex\""));
}

#[test]
fn math_renders_in_titles_and_bodies_and_bad_latex_warns() {
    let site = TestSite::fixture("papers");
    site.build(&[]).success().stderr(
        predicate::str::contains("warning: content/papers/c.md:11:")
            .and(predicate::str::contains("invalid LaTeX")),
    );
    let a = site.read("papers/a/index.html");
    let h1 = &a[a.find("<h1>").unwrap()..a.find("</h1>").unwrap()];
    assert!(h1.contains("<math>") && h1.contains("𝒪"), "{h1}");
    assert!(a.contains("<mover"), "\\tilde in the body");
    assert!(
        site.read("index.html").contains("Bounds on <math>"),
        "cards too"
    );
    let c = site.read("papers/c/index.html");
    assert!(c.contains("<code class=\"math-error\">\\frac{a}</code>"));
}

#[test]
fn paper_pages_link_neighbours_and_related_papers() {
    let site = built();
    let b = site.read("papers/b/index.html");
    assert!(
        b.contains("rel=\"next\" href=\"/papers/c/\""),
        "newer neighbour"
    );
    assert!(
        b.contains("rel=\"prev\" href=\"/papers/a/\""),
        "older neighbour"
    );
    for slug in ["a", "b", "c", "d", "e"] {
        let page = site.read(&format!("papers/{slug}/index.html"));
        let Some(start) = page.find("id=\"related-heading\"") else {
            continue;
        };
        let section = &page[start..start + page[start..].find("</section>").unwrap()];
        let links = links_in(section);
        assert!(links.len() <= 5);
        assert!(
            !links.contains(&format!("/papers/{slug}/")),
            "{slug} relates to itself"
        );
    }
    let d = site.read("papers/d/index.html");
    assert!(d.contains("Related papers"));
    assert!(
        d.contains("href=\"/papers/a/\""),
        "shares tag rl and words with a"
    );
}

#[test]
fn new_pages_are_in_the_sitemap_and_reachable_from_home() {
    let site = built();
    let sitemap = site.read("sitemap.xml");
    for path in [
        "trending/",
        "archive/",
        "archive/2024/01/",
        "authors/",
        "authors/ada-lovelace/",
        "daily/2024-01-02/",
        "feeds/",
        "tags/rl/",
        "papers/a/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>https://lab.example/{path}</loc>")),
            "{path}"
        );
    }
    assert!(!sitemap.contains("404"));
    // Breadth-first from the home page over internal links reaches every page.
    let mut seen = std::collections::BTreeSet::from(["".to_string()]);
    let mut queue = vec![String::new()];
    while let Some(path) = queue.pop() {
        let Ok(html) = std::fs::read_to_string(site.public().join(&path).join("index.html")) else {
            continue;
        };
        for link in links_in(&html) {
            if let Some(rest) = link.strip_prefix('/')
                && (rest.is_empty() || rest.ends_with('/'))
                && seen.insert(rest.to_string())
            {
                queue.push(rest.to_string());
            }
        }
    }
    let pages: Vec<String> = snapshot(&site.public())
        .into_keys()
        .filter_map(|p| p.strip_suffix("index.html").map(String::from))
        .collect();
    for page in pages {
        assert!(
            seen.contains(&page),
            "{page} is not reachable from the home page"
        );
    }
}

#[test]
fn thumbnails_show_on_cards_and_in_link_previews() {
    let site = TestSite::fixture("subpath");
    site.write(
        "content/papers/pictured.md",
        "---\ntitle: Pictured\ndate: 2030-01-01\nthumbnail: /img/fig1.png\n---\nA figure.\n",
    );
    site.write(
        "content/papers/remote.md",
        "---\ntitle: Remote\ndate: 2030-01-02\nthumbnail: https://example.org/f.png\n---\nA figure.\n",
    );
    site.write(
        "content/papers/evil.md",
        "---\ntitle: Evil\ndate: 2000-01-03\nthumbnail: \"javascript:alert(1)\"\n---\nNo.\n",
    );
    let out = site.build(&[]).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("`thumbnail` link `javascript:alert(1)` dropped"),
        "{stderr}"
    );
    let home = site.read("index.html");
    let base = regex::Regex::new(r#"<link rel="canonical" href="https?://[^/]+(/[^"]*)">"#)
        .unwrap()
        .captures(&home)
        .unwrap()[1]
        .to_string();
    assert!(
        home.contains(&format!(
            "<img class=\"card-thumb\" src=\"{base}img/fig1.png\""
        )),
        "{home}"
    );
    assert!(home.contains("<img class=\"card-thumb\" src=\"https://example.org/f.png\""));
    assert_eq!(
        home.matches("card-thumb").count(),
        2,
        "none for the dropped one"
    );
    let page = site.read("papers/pictured/index.html");
    assert!(
        page.contains("<meta property=\"og:image\" content=\"http"),
        "absolute for previews"
    );
    assert!(page.contains(&format!("{base}img/fig1.png\">")));
    assert!(!site.read("papers/evil/index.html").contains("og:image"));
}

#[test]
fn the_daily_digest_has_one_entry_per_day_ranked_by_upvotes() {
    let site = built();
    for file in ["rss.xml", "atom.xml"] {
        let feed = common::parse_feed(&site.read(&format!("daily/{file}")));
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(
            titles,
            [
                "2 papers of Saturday, February 3, 2024",
                "1 paper of Wednesday, January 31, 2024",
                "1 paper of Tuesday, January 2, 2024",
                "1 paper of Saturday, December 30, 2023",
            ],
            "{file}"
        );
        let first = &feed.entries[0];
        assert_eq!(first.links[0].href, "https://lab.example/daily/2024-02-03/");
        let html = first
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| first.summary.as_ref().map(|s| s.content.clone()))
            .unwrap();
        let another = html.find("Another Paper").unwrap();
        let dynamics = html.find("Dynamics Models").unwrap();
        assert!(another < dynamics, "1 upvote before 0: {html}");
        assert!(
            html.contains("href=\"https://lab.example/papers/"),
            "{html}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&site.read("daily/feed.json")).unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 4);
    assert!(site.read("feeds/index.html").contains("daily/rss.xml"));
}
