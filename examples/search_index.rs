//! Writes only the search index of a site, for `benches/search.sh`:
//! `cargo run --release --example search_index -- SITE OUT_DIR`.

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(root), Some(out)) = (args.first(), args.get(1)) else {
        panic!("usage: search_index SITE OUT_DIR");
    };
    let options = paperfeed::BuildOptions {
        root: PathBuf::from(root),
        output: None,
        base_url: None,
        drafts: false,
        strict: false,
    };
    let mut session =
        paperfeed::Session::open(&options).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let files = session
        .search_index()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    for file in files {
        let paperfeed::render::Content::Bytes(text) = file.content else {
            unreachable!("the search index is generated")
        };
        let path = PathBuf::from(out).join(file.path);
        std::fs::create_dir_all(path.parent().expect("files are in folders"))
            .expect("create folder");
        std::fs::write(path, text).expect("write index file");
    }
}
