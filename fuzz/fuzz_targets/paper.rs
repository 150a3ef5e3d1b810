//! Any bytes as a paper file: parse the front matter and Markdown, build
//! the site model and render every page and feed through the default theme
//! with every output on. Errors are fine; a panic is a bug, and so is any
//! rendered file a client would reject (XML a conforming parser refuses,
//! JSON that does not parse, HTML with NULs or with markup the input could
//! not ask for). `tests/fuzz_corpus.rs` replays the corpus with the same
//! checks.
#![no_main]

#[path = "../../tests/common/clients.rs"]
mod clients;

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paperfeed::harness::Harness;

fuzz_target!(|data: &[u8]| {
    // Loading syntect and the theme per input would make the fuzzer far slower.
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    let harness = HARNESS.get_or_init(|| Harness::new(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..")));
    for (path, bytes) in harness.run(data).unwrap_or_default() {
        if let Err(e) = clients::check(&path, &bytes) {
            panic!("a client would reject {e}");
        }
    }
});
