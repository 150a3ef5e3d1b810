//! Incremental builds: the manifest beside the output lets a rebuild render
//! only units whose inputs changed and write only files whose bytes changed.
//! Every test compares against a fresh build, so a cache key that misses an
//! input shows up as a difference.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::{TestSite, paperfeed, repo_root, snapshot};

/// Builds `site` into `out` and returns the summary line.
fn build_into(site: &TestSite, out: &Path, threads: Option<&str>) -> String {
    let mut cmd = paperfeed();
    cmd.arg("build")
        .arg("--root")
        .arg(site.root())
        .arg("--output")
        .arg(out);
    if let Some(n) = threads {
        cmd.env("RAYON_NUM_THREADS", n);
    }
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

/// Each file's identity on disk: replaced files get a new inode, rewritten
/// ones a new modification time.
fn identities(dir: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, (meta.ino(), meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}

/// Paths whose value differs between `a` and `b`, or that only one has.
fn differing<V: PartialEq>(a: &BTreeMap<String, V>, b: &BTreeMap<String, V>) -> Vec<String> {
    let mut paths: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(b.keys().filter(|k| !a.contains_key(*k)).cloned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// The number in "(N written" of the summary line.
fn written(summary: &str) -> usize {
    let at = summary.find(" written").expect("summary line");
    let start = summary[..at].rfind('(').unwrap() + 1;
    summary[start..at].parse().unwrap()
}

#[test]
fn output_is_identical_with_one_thread_and_with_many() {
    let site = TestSite::example();
    site.all_outputs();
    let one = site.root().join("one");
    let many = site.root().join("many");
    build_into(&site, &one, Some("1"));
    build_into(&site, &many, Some("8"));
    let (a, b) = (snapshot(&one), snapshot(&many));
    assert!(a.len() > 1000, "the example site has over a thousand files");
    assert_eq!(differing(&a, &b), Vec::<String>::new());
}

#[test]
fn a_warm_rebuild_writes_no_file_when_nothing_changed() {
    let site = TestSite::example();
    site.all_outputs();
    let out = site.public();
    let first = build_into(&site, &out, None);
    assert!(written(&first) > 1000, "{first}");
    let before = identities(&out);
    let again = build_into(&site, &out, None);
    assert_eq!(written(&again), 0, "{again}");
    assert!(again.contains(" unchanged"), "{again}");
    assert_eq!(differing(&before, &identities(&out)), Vec::<String>::new());
}

#[test]
fn editing_one_paper_writes_exactly_the_files_whose_bytes_changed() {
    let site = TestSite::example();
    let out = site.public();
    build_into(&site, &out, None);
    let (bytes_before, ids_before) = (snapshot(&out), identities(&out));

    let paper = "content/papers/a-survey-on-mixture-of-experts.md";
    let text = std::fs::read_to_string(site.root().join(paper)).unwrap();
    let (front, body) = text.rsplit_once("\n---\n").unwrap();
    site.write(
        paper,
        &format!("{front}\n---\nA new first sentence. {body}"),
    );
    let summary = build_into(&site, &out, None);

    let changed = differing(&bytes_before, &snapshot(&out));
    let touched = differing(&ids_before, &identities(&out));
    assert_eq!(
        touched, changed,
        "written files are exactly the changed ones"
    );
    assert_eq!(written(&summary), changed.len(), "{summary}");
    let page = "papers/a-survey-on-mixture-of-experts/index.html".to_string();
    assert!(changed.contains(&page), "{changed:?}");
    assert!(
        changed.len() < 100,
        "only pages showing the paper: {changed:?}"
    );

    // And the result is what a fresh build gives.
    let fresh = site.root().join("fresh");
    build_into(&site, &fresh, None);
    assert_eq!(
        differing(&snapshot(&out), &snapshot(&fresh)),
        Vec::<String>::new()
    );
}

#[test]
fn after_adds_deletes_and_theme_edits_the_output_equals_a_fresh_build() {
    let site = TestSite::example();
    let out = site.public();
    build_into(&site, &out, None);
    let papers = site.root().join("content/papers");
    let names = site.paper_files();
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step> = vec![
        (
            "delete a paper",
            Box::new(|| std::fs::remove_file(papers.join(&names[0])).unwrap()),
        ),
        (
            "add a paper with a new tag and author",
            Box::new(|| {
                site.write(
                    "content/papers/zz-new.md",
                    "---\ntitle: \"A brand new paper\"\ndate: 2031-05-06\nauthors: [\"Nova Newcomer\"]\ntags: [\"brand-new-tag\"]\n---\nFresh abstract.\n",
                )
            }),
        ),
        (
            "retitle a paper (its neighbours and related papers show the title)",
            Box::new(|| {
                let path = papers.join(&names[5]);
                let text = std::fs::read_to_string(&path).unwrap();
                let retitled = text.replacen("title: \"", "title: \"Retitled ", 1);
                assert_ne!(text, retitled, "{} has a quoted title", names[5]);
                std::fs::write(&path, retitled).unwrap();
            }),
        ),
        (
            "retag a paper",
            Box::new(|| {
                let path = papers.join(&names[1]);
                let text = std::fs::read_to_string(&path).unwrap();
                let retagged = text.replacen("tags: [", "tags: [\"brand-new-tag\", ", 1);
                assert_ne!(text, retagged, "{} has a tags list", names[1]);
                std::fs::write(&path, retagged).unwrap();
            }),
        ),
        (
            "edit the card template",
            Box::new(|| {
                let card = repo_root().join("themes/default/templates/partials/card.html");
                let text = std::fs::read_to_string(card).unwrap();
                site.write(
                    "templates/partials/card.html",
                    &format!("{text}<!-- v2 -->\n"),
                );
            }),
        ),
        (
            "edit site.toml",
            Box::new(|| {
                let toml = site.root().join("site.toml");
                let text = std::fs::read_to_string(&toml).unwrap();
                let edited = text.replace("paginate_by = 30", "paginate_by = 7");
                assert_ne!(text, edited);
                std::fs::write(&toml, edited).unwrap();
            }),
        ),
    ];
    for (i, (step, change)) in steps.iter().enumerate() {
        change();
        build_into(&site, &out, None);
        let fresh = site.root().join(format!("fresh-{i}"));
        build_into(&site, &fresh, None);
        assert_eq!(
            differing(&snapshot(&out), &snapshot(&fresh)),
            Vec::<String>::new(),
            "after: {step}"
        );
    }
}

#[test]
fn warnings_are_shown_on_every_build_not_only_the_first() {
    let site = TestSite::example();
    let out = site.public();
    site.write(
        "content/papers/odd.md",
        "---\ntitle: \"Odd\"\ndate: 2024-01-01\nauthors: [\"A B\"]\nauthr: x\n---\nText.\n",
    );
    for _ in 0..2 {
        let summary = build_into(&site, &out, None);
        assert!(
            summary.contains("unknown front-matter key `authr`"),
            "{summary}"
        );
    }
}

/// Gives every paper file of `site` a modification time well in the past
/// that follows from its text, as files edited a while ago have: the parse
/// cache trusts only time stamps older than the cache itself, and an edit
/// gives a file a new one.
fn age_papers(site: &TestSite) {
    for name in site.paper_files() {
        let path = site.root().join("content/papers").join(name);
        let text = std::fs::read(&path).unwrap();
        let hash = text.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let when = std::time::UNIX_EPOCH
            + std::time::Duration::from_secs(1_500_000_000 + hash % 100_000_000);
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(when).unwrap();
    }
}

/// The "parsed N of M" line of a verbose build.
fn parsed(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("parsed "))
        .unwrap_or_else(|| panic!("no parse line: {stderr}"));
    let mut words = line.split(' ');
    let n = words.next().unwrap().parse().unwrap();
    let of = words.nth(1).unwrap().parse().unwrap();
    (n, of)
}

fn build_verbose(site: &TestSite, args: &[&str]) -> String {
    let out = site.build(&[&["-v"], args].concat()).success();
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

/// The search postings and the related papers' scores, kept beside the
/// output: used and updated by each build, and a damaged one costs work
/// from scratch and a note, never a wrong page.
#[test]
fn kept_search_postings_and_related_scores_follow_edits_and_a_damaged_file_is_redone() {
    let site = TestSite::fixture("empty");
    site.add_papers(12);
    age_papers(&site);
    build_verbose(&site, &[]);
    let fresh = site.root().join("fresh");
    let matches_fresh = || {
        let _ = std::fs::remove_dir_all(&fresh);
        for what in ["manifest", "parsed", "search", "related"] {
            let _ = std::fs::remove_file(site.root().join(format!(".fresh.{what}")));
        }
        build_into(&site, &fresh, None);
        assert_eq!(
            differing(&snapshot(&site.public()), &snapshot(&fresh)),
            Vec::<String>::new()
        );
    };
    let edit = |n: usize, words: &str| {
        site.write(
            &format!("content/papers/paper-{n}.md"),
            &format!("---\ntitle: \"Paper {n}\"\ndate: 2024-01-0{}\nauthors: [\"Author {n}\"]\ntags: [\"tag-{}\"]\n---\n{words}\n", n % 9 + 1, n % 3),
        );
        age_papers(&site);
    };
    for (kind, name) in [
        ("search", "the search cache"),
        ("related", "the related papers' cache"),
    ] {
        let cache = site.root().join(format!(".public.{kind}"));
        assert!(cache.is_file(), "{kind}");
        // Used and updated: an edit's words are found, the words it
        // dropped are not; its related papers follow its new words.
        edit(3, &format!("Abstract of zymurgy, {kind}."));
        let before = std::fs::read(&cache).unwrap();
        build_verbose(&site, &["--strict"]);
        if kind == "search" {
            // The file's postings serve the next build as well: one
            // edit's worth is redone then, not written now.
            assert_eq!(std::fs::read(&cache).unwrap(), before, "{kind} kept");
        } else {
            assert_ne!(std::fs::read(&cache).unwrap(), before, "{kind} saved anew");
        }
        matches_fresh();
        edit(3, "Quokka attention.");
        build_verbose(&site, &["--strict"]);
        matches_fresh();

        let bytes = std::fs::read(&cache).unwrap();
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 2] ^= 0x01;
        for (round, (damage, why)) in [
            (flipped, "damaged".to_string()),
            (
                format!("paperfeed {kind}\nfrom some later paperfeed").into_bytes(),
                "another version".to_string(),
            ),
            (b"hello".to_vec(), format!("not a paperfeed {kind} cache")),
        ]
        .into_iter()
        .enumerate()
        {
            std::fs::write(&cache, damage).unwrap();
            edit(5, &format!("Round {round} of wombats and {kind}."));
            let again = build_verbose(&site, &["--strict"]);
            assert!(again.contains(&format!("note: {name}")), "{again}");
            assert!(again.contains(&why), "{why}: {again}");
            matches_fresh();
            // What was redone is saved for the next build.
            edit(7, &format!("Round {round} of numbats."));
            let next = build_verbose(&site, &["--strict"]);
            assert!(!next.contains("note:"), "{next}");
        }
    }
}

#[test]
fn the_parse_cache_spares_unchanged_files_and_a_damaged_one_costs_a_full_parse() {
    let site = TestSite::fixture("empty");
    site.add_papers(12);
    age_papers(&site);
    let first = build_verbose(&site, &[]);
    assert_eq!(parsed(&first), (12, 12), "{first}");
    let cache = site.root().join(".public.parsed");
    assert!(cache.is_file());

    site.write(
        "content/papers/paper-3.md",
        "---\ntitle: \"Edited\"\ndate: 2024-01-04\nauthors: [\"Author 3\"]\n---\nNew abstract.\n",
    );
    age_papers(&site);
    let edited = build_verbose(&site, &[]);
    assert_eq!(parsed(&edited), (1, 12), "only the changed file: {edited}");
    assert!(
        site.read("papers/paper-3/index.html")
            .contains("New abstract.")
    );
    let fresh = site.root().join("fresh");
    build_into(&site, &fresh, None);
    assert_eq!(
        differing(&snapshot(&site.public()), &snapshot(&fresh)),
        Vec::<String>::new()
    );

    // A fresh checkout (CI) dates every file now: each is read, but only
    // a changed text is parsed.
    site.write(
        "content/papers/paper-5.md",
        "---\ntitle: \"Five\"\ndate: 2024-01-06\nauthors: [\"Author 5\"]\n---\nFive.\n",
    );
    for name in site.paper_files() {
        let path = site.root().join("content/papers").join(name);
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(std::time::SystemTime::now()).unwrap();
    }
    let checkout = build_verbose(&site, &[]);
    assert_eq!(parsed(&checkout), (1, 12), "{checkout}");
    age_papers(&site);

    // Damaged (one flipped byte) or not a cache at all: every file is
    // parsed again, the build says why and still passes --strict, and the
    // output is still right.
    let bytes = std::fs::read(&cache).unwrap();
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x01;
    for (round, (damage, why)) in [
        (flipped, "damaged"),
        (b"hello".to_vec(), "damaged"),
        (
            b"paperfeed parsed\nsomething else entirely, from a later paperfeed".to_vec(),
            "another version",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        std::fs::write(&cache, damage).unwrap();
        site.write(
            "content/papers/paper-0.md",
            &format!("---\ntitle: \"Paper number 0\"\ndate: 2024-01-01\nauthors: [\"Author 0\"]\n---\nRound {round}.\n"),
        );
        age_papers(&site);
        let again = build_verbose(&site, &["--strict"]);
        assert_eq!(parsed(&again), (12, 12), "{again}");
        assert!(again.contains("note: the parse cache"), "{again}");
        assert!(again.contains(why), "{why}: {again}");
        let _ = std::fs::remove_dir_all(&fresh);
        let _ = std::fs::remove_file(site.root().join(".fresh.manifest"));
        let _ = std::fs::remove_file(site.root().join(".fresh.parsed"));
        build_into(&site, &fresh, None);
        assert_eq!(
            differing(&snapshot(&site.public()), &snapshot(&fresh)),
            Vec::<String>::new()
        );
    }
}
