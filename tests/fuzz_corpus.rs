//! Replays the fuzzer's corpus (`fuzz/corpus/paper/`): every input that
//! once found new behaviour must still go through the pipeline without a
//! panic, and every file it renders must be one a client accepts (the
//! checks the fuzz target makes). Run the fuzzer itself with `scripts/fuzz`.

mod common;

use common::clients;
use paperfeed::harness::Harness;

#[test]
fn fuzz_corpus_renders_only_what_clients_accept() {
    let root = common::repo_root();
    let harness = Harness::new(&root);
    let mut inputs = 0;
    let mut rendered = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(root.join("fuzz/corpus/paper")).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        inputs += 1;
        if let Some(files) = harness.run(&data) {
            rendered += 1;
            for (file, bytes) in &files {
                if let Err(e) = clients::check(file, bytes) {
                    failures.push(format!("{}: {e}", path.display()));
                }
            }
        }
    }
    assert!(inputs >= 50, "the corpus is committed");
    assert!(
        rendered > 0 && rendered < inputs,
        "good and bad inputs both exercised"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_client_checks_catch_what_they_are_for() {
    let page = |body: &str| format!("<!doctype html><html><body>{body}</body></html>");
    let html = |body: &str| clients::check("a.html", page(body).as_bytes());
    assert!(html("<p class=\"x\">a &lt;b&gt; <!-- <iframe> --></p>").is_ok());
    assert!(html("<svg onload=alert(1)>").is_err());
    assert!(html("<iframe src=x>").is_err());
    assert!(html("<a href=\" JavaScript:x\">x</a>").is_err());
    assert!(html("<script>alert(1)</script>").is_err());
    assert!(html("<script type=\"application/ld+json\">{\"a\":\"<svg>\"}</script>").is_ok());
    assert!(html("<script type=\"application/ld+json\">{}</script><svg>").is_err());
    assert!(html("a\0b").is_err());
    assert!(clients::check("f.xml", b"<rss>\x0b</rss>").is_err());
    assert!(clients::check("f.xml", b"<rss>&lt;svg&gt;</rss>").is_ok());
    assert!(clients::check("f.json", b"{\"a\":").is_err());
}

#[test]
fn the_example_site_passes_the_client_checks() {
    // The checks know every element the theme writes: a page of the real
    // site with every output on must pass, or the fuzzer reports noise.
    let harness = Harness::new(&common::repo_root());
    let input = "---\ntitle: \"Bounds $\\\\mathcal{O}(n)$ <b>x</b>\"\ndate: 2024-05-01\nauthors: [\"Ada Lovelace\", \"<svg onload=x>\"]\ntags: [\"rl\", \"<i>\"]\narxiv: \"2402.12527\"\nupvotes: 3\n---\nAn abstract with $x^2$, `code`, **bold**, a [link](https://x.org), a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n<script>alert(1)</script>\n";
    let files = harness.run(input.as_bytes()).expect("renders");
    assert!(files.len() > 20, "{} files", files.len());
    for (file, bytes) in &files {
        clients::check(file, bytes).unwrap();
    }
}
