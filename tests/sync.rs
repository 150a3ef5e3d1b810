//! `paperfeed sync` against a local server that answers in the shapes of
//! the arXiv API (Atom) and Hugging Face's daily papers (JSON): paging, one
//! paper from both sources, a 503 with Retry-After, garbage, and an
//! owner's edits surviving a refresh. Nothing here reaches the internet.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::{TestSite, paperfeed, snapshot};

/// What the fake APIs answer, and what they were asked.
#[derive(Default)]
struct Script {
    /// HF JSON per `date=` value.
    hf: HashMap<String, String>,
    /// Number of arXiv results in all (entries are generated).
    arxiv_total: usize,
    /// How many 503s HF answers before its first success.
    hf_unavailable: usize,
    /// Answer garbage from HF.
    hf_garbage: bool,
    log: Vec<(String, String)>,
}

struct FakeApis {
    url: String,
    script: Arc<Mutex<Script>>,
    _thread: std::thread::JoinHandle<()>,
}

/// One arXiv API entry, as export.arxiv.org writes them (title wrapped
/// over lines, version in the id).
fn arxiv_entry(n: usize) -> String {
    let id = if n == 0 {
        "2402.12527v2".to_string()
    } else {
        format!("2401.{:05}v1", n)
    };
    let title = if n == 0 {
        "The Edge-of-Reach Problem in Offline\n  Model-Based Reinforcement Learning".to_string()
    } else {
        format!("Generated paper\n  number {n}")
    };
    let journal = if n == 0 {
        "<arxiv:journal_ref>NeurIPS 2024</arxiv:journal_ref>"
    } else {
        ""
    };
    format!(
        "<entry><id>http://arxiv.org/abs/{id}</id><updated>2024-02-20T00:00:00Z</updated><published>2024-02-19T20:38:00Z</published><title>{title}</title><summary>  Abstract {n}\n  wrapped.</summary><author><name>Anya Sims</name></author><author><name>Léo García</name></author>{journal}<category term=\"cs.LG\" scheme=\"http://arxiv.org/schemas/atom\"/></entry>"
    )
}

impl FakeApis {
    fn start(script: Script) -> FakeApis {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let script = Arc::new(Mutex::new(script));
        let shared = script.clone();
        let thread = std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let agent = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("User-Agent"))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default();
                let target = request.url().to_string();
                let mut s = shared.lock().unwrap();
                s.log.push((target.clone(), agent));
                let query: HashMap<String, String> = url::Url::parse(&format!("http://x{target}"))
                    .unwrap()
                    .query_pairs()
                    .into_owned()
                    .collect();
                let reply = if target.starts_with("/arxiv") {
                    let start: usize = query["start"].parse().unwrap();
                    let max: usize = query["max_results"].parse().unwrap();
                    let entries: String = (start..(start + max).min(s.arxiv_total))
                        .map(arxiv_entry)
                        .collect();
                    tiny_http::Response::from_string(format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\"><title>ArXiv Query</title>{entries}</feed>"
                    ))
                } else if s.hf_garbage {
                    tiny_http::Response::from_string("<html>Service moved</html>")
                } else if s.hf_unavailable > 0 {
                    s.hf_unavailable -= 1;
                    tiny_http::Response::from_string("busy")
                        .with_status_code(503)
                        .with_header("Retry-After: 1".parse::<tiny_http::Header>().unwrap())
                } else {
                    let date = query.get("date").cloned().unwrap_or_default();
                    tiny_http::Response::from_string(
                        s.hf.get(&date).cloned().unwrap_or_else(|| "[]".into()),
                    )
                };
                drop(s);
                let _ = request.respond(reply);
            }
        });
        FakeApis {
            url,
            script,
            _thread: thread,
        }
    }

    fn sync(&self, site: &TestSite) -> assert_cmd::assert::Assert {
        paperfeed()
            .args(["sync", "-v", "--root"])
            .arg(site.root())
            .env("PAPERFEED_ARXIV_API", format!("{}/arxiv", self.url))
            .env("PAPERFEED_HF_API", format!("{}/hf", self.url))
            .env("PAPERFEED_ARXIV_INTERVAL_MS", "20")
            .assert()
    }
}

/// A Hugging Face daily-papers answer listing the edge-of-reach paper.
fn hf_day(upvotes: u64) -> String {
    format!(
        r#"[{{"paper": {{"id": "2402.12527", "title": "The Edge-of-Reach Problem in Offline Model-Based Reinforcement Learning", "summary": "Abstract 0 wrapped.", "publishedAt": "2024-02-19T20:38:00.000Z", "authors": [{{"name": "Anya Sims"}}], "upvotes": {upvotes}, "githubRepo": "https://github.com/anyasims/edge-of-reach"}}, "publishedAt": "2024-02-21T00:00:00.000Z", "title": "The Edge-of-Reach Problem in Offline Model-Based Reinforcement Learning"}}]"#
    )
}

fn site_with_sources() -> TestSite {
    let site = TestSite::fixture("empty");
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        &format!(
            "{toml}\n[[sources]]\nkind = \"arxiv\"\nquery = 'cat:cs.LG AND abs:\"reward model\"'\nmax = 120\n\n[[sources]]\nkind = \"huggingface\"\ndays = 2\n"
        ),
    );
    site
}

#[test]
fn sync_pages_arxiv_merges_sources_and_refreshes_only_what_sources_own() {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let mut hf = HashMap::new();
    hf.insert(today.to_string(), hf_day(7));
    let apis = FakeApis::start(Script {
        hf,
        arxiv_total: 120,
        hf_unavailable: 1,
        ..Script::default()
    });
    let site = site_with_sources();

    let out = apis.sync(&site).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("paperfeed: synced 120 created, 0 updated, 0 unchanged, 0 failed"),
        "{stderr}"
    );
    {
        let s = apis.script.lock().unwrap();
        let arxiv: Vec<&String> = s
            .log
            .iter()
            .map(|(u, _)| u)
            .filter(|u| u.starts_with("/arxiv"))
            .collect();
        assert_eq!(arxiv.len(), 2, "paged: {arxiv:?}");
        assert!(
            arxiv[0].contains("start=0") && arxiv[0].contains("max_results=100"),
            "{arxiv:?}"
        );
        assert!(
            arxiv[1].contains("start=100") && arxiv[1].contains("max_results=20"),
            "{arxiv:?}"
        );
        assert!(
            arxiv[0].contains("search_query=cat%3Acs.LG+AND+abs%3A%22reward+model%22"),
            "{arxiv:?}"
        );
        let hf: Vec<&String> = s
            .log
            .iter()
            .map(|(u, _)| u)
            .filter(|u| u.starts_with("/hf"))
            .collect();
        assert_eq!(hf.len(), 3, "two days, one retried after its 503: {hf:?}");
        assert!(
            s.log
                .iter()
                .all(|(_, agent)| agent.starts_with("paperfeed/")),
            "{:?}",
            s.log
        );
    }
    let files = site.paper_files();
    assert_eq!(files.len(), 120);
    let edge = site.root().join(
        "content/papers/the-edge-of-reach-problem-in-offline-model-based-reinforcement-learning.md",
    );
    let text = std::fs::read_to_string(&edge).unwrap();
    assert!(
        text.contains(
            "title: \"The Edge-of-Reach Problem in Offline Model-Based Reinforcement Learning\""
        ),
        "one line: {text}"
    );
    assert!(
        text.contains("arxiv: \"2402.12527\"\n"),
        "no version: {text}"
    );
    assert!(
        text.contains("venue: \"NeurIPS 2024\""),
        "from arXiv: {text}"
    );
    assert!(
        text.contains("upvotes: 7")
            && text.contains("code: \"https://github.com/anyasims/edge-of-reach\""),
        "from HF: {text}"
    );
    assert!(text.contains("Léo García"), "accents survive: {text}");
    site.build(&["--strict"]).success();

    // The owner edits the paper; upvotes move on Hugging Face.
    let edited = text
        .replace("Abstract 0 wrapped.", "My notes on this paper.")
        .replace("tags: [\"cs.LG\"]", "tags: [\"cs.LG\", \"must-read\"]")
        .replace("---\nMy notes", "slug: edge-of-reach\n---\nMy notes");
    assert!(
        edited.contains("\"must-read\"") && edited.contains("slug: edge-of-reach\n---\nMy notes"),
        "the edits applied: {edited}"
    );
    std::fs::write(&edge, &edited).unwrap();
    apis.script
        .lock()
        .unwrap()
        .hf
        .insert(today.to_string(), hf_day(42));
    let out = apis.sync(&site).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("synced 0 created, 1 updated, 119 unchanged, 0 failed"),
        "{stderr}"
    );
    assert!(stderr.contains("(upvotes)"), "{stderr}");
    let after = std::fs::read_to_string(&edge).unwrap();
    assert_eq!(
        after,
        edited.replace("upvotes: 7", "upvotes: 42"),
        "only the upvotes line changed"
    );
}

#[test]
fn a_source_answering_garbage_writes_nothing() {
    let apis = FakeApis::start(Script {
        arxiv_total: 3,
        hf_garbage: true,
        ..Script::default()
    });
    let site = site_with_sources();
    site.add_papers(2);
    let before = snapshot(&site.root().join("content"));
    let out = apis.sync(&site).code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("not a Hugging Face daily-papers JSON list"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        snapshot(&site.root().join("content")),
        before,
        "content/ byte-identical"
    );
}

#[test]
fn a_site_without_sources_is_told_how_to_add_one() {
    let site = TestSite::fixture("empty");
    let out = paperfeed()
        .args(["sync", "--root"])
        .arg(site.root())
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("declares no [[sources]]") && stderr.contains("kind = \"huggingface\""),
        "{stderr}"
    );
}
