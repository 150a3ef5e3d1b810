//! Any bytes as a paper file: parse the front matter and Markdown, build
//! the site model and render every page through the default theme. Must
//! never panic; errors are fine. `tests/fuzz_corpus.rs` replays the corpus.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paperfeed::harness::Harness;

fuzz_target!(|data: &[u8]| {
    // Loading syntect and the theme per input would make the fuzzer far slower.
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    let harness = HARNESS.get_or_init(|| Harness::new(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..")));
    harness.run(data);
});
