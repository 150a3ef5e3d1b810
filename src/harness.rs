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
        let config = Config::parse(
            "base_url = \"https://u.github.io/repo/\"\n",
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

    /// Parses `data` as a paper file and renders a one-paper site from it.
    /// Returns whether it rendered; must never panic.
    pub fn run(&self, data: &[u8]) -> bool {
        let Ok(text) = std::str::from_utf8(data) else {
            return false;
        };
        let renderers = self.tools.renderers(false, &self.config.base_url.path);
        let file = SourceFile {
            path: PathBuf::from("content/papers/fuzz.md"),
            text: text.to_string(),
        };
        let (paper, diagnostics) = parse::parse_paper(&file, &renderers);
        for d in &diagnostics {
            let _ = d.to_string();
        }
        let Some(paper) = paper else { return false };
        let Ok(site) = model::Site::new(vec![paper], true) else {
            return false;
        };
        render::render_site(&site, &self.config, &self.theme, &self.syntax_css).is_ok()
    }
}
