//! Replays the fuzzer's corpus (`fuzz/corpus/paper/`): every input that
//! once found new behaviour must still go through the pipeline without a
//! panic. Run the fuzzer itself with `scripts/fuzz`.

use paperfeed::harness::Harness;

#[test]
fn fuzz_corpus_never_panics() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let harness = Harness::new(&root);
    let mut inputs = 0;
    let mut rendered = 0;
    for entry in std::fs::read_dir(root.join("fuzz/corpus/paper")).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        inputs += 1;
        if harness.run(&data) {
            rendered += 1;
        }
    }
    assert!(inputs >= 50, "the corpus is committed");
    assert!(
        rendered > 0 && rendered < inputs,
        "good and bad inputs both exercised"
    );
}
