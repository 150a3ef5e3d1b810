//! Stage 2: one source file to one [`Paper`]: front matter checked field by
//! field, body rendered to HTML. Pure: takes text, returns values.

mod body;
pub mod cache;
pub mod chars;
mod frontmatter;
pub mod highlight;
mod identifiers;
pub mod markdown;
pub mod math;
mod name_list;

pub use body::{Body, Unpacked};
pub use frontmatter::{Paper, fingerprint, parse_paper};
pub use identifiers::{bare_doi, is_arxiv_id, unversioned_arxiv};
pub use name_list::NameList;

/// The Markdown tools a build needs, created once: loading syntect's
/// syntaxes and the LaTeX converter is the slow part of starting up.
#[derive(Default)]
pub struct Tools {
    pub highlighter: highlight::Highlighter,
    pub math: math::Math,
}

impl Tools {
    /// Borrowed renderers for one site's settings.
    pub fn renderers<'a>(
        &'a self,
        unsafe_html: bool,
        base_path: &'a str,
    ) -> markdown::Renderers<'a> {
        markdown::Renderers {
            highlighter: &self.highlighter,
            math: &self.math,
            unsafe_html,
            base_path,
        }
    }
}
