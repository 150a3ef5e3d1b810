//! One paper file through the whole pipeline in memory, for the fuzzer and
//! for the regression test that replays its corpus. Not part of the CLI.

use std::path::{Path, PathBuf};

use crate::load::SourceFile;
use crate::render::theme::Theme;
use crate::{Config, model, parse, render};

/// Tools loaded once and reused for every input.
pub struct Harness {
    tools: parse::Tools,
    theme: Theme,
    config: Config,
    syntax_css: String,
}

impl Harness {
    /// Loads the theme of the site at `root` (the repository, for the default theme).
    pub fn new(root: &Path) -> Harness {
        // Every output on, so every feed format and page kind sees the input.
        let config = Config::parse(
            "base_url = \"https://u.github.io/repo/\"\n\
             [outputs]\n\
             site_feeds = [\"rss\", \"atom\", \"json\"]\n\
             tag_feeds = [\"rss\", \"atom\", \"json\"]\n\
             author_feeds = [\"rss\", \"atom\", \"json\"]\n\
             collection_feeds = [\"rss\", \"atom\", \"json\"]\n\
             digest_feeds = [\"rss\", \"atom\", \"json\"]\n\
             author_page_min_papers = 1\n\
             citation_files = true\n\
             feeds_page_authors = true\n\
             author_abstracts = true\n",
            Path::new("site.toml"),
        )
        .expect("a valid config");
        Harness {
            tools: parse::Tools::default(),
            theme: Theme::load(root, "default").expect("the default theme loads"),
            syntax_css: render::syntax_css(&config).expect("the default highlight themes exist"),
            config,
        }
    }

    /// Parses `data` as a paper file and renders a one-paper site from it:
    /// every file as (path, bytes), or `None` when the input is refused with
    /// an error. Must never panic.
    pub fn run(&self, data: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
        let text = std::str::from_utf8(data).ok()?;
        let renderers = self.tools.renderers(false, &self.config.base_url.path);
        let file = SourceFile {
            path: PathBuf::from("content/papers/fuzz.md"),
            text: text.to_string(),
        };
        let (paper, diagnostics) = parse::parse_paper(&file, &renderers);
        for d in &diagnostics {
            let _ = d.to_string();
        }
        let site = model::Site::new(vec![paper?], true).ok()?;
        let outputs =
            render::render_site(&site, &self.config, &self.theme, &self.syntax_css).ok()?;
        let files = outputs
            .iter()
            .filter_map(|o| Some((o.path.clone(), o.bytes().ok()?.into_owned())))
            .collect();
        Some(files)
    }
}
