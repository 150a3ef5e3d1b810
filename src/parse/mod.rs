//! Stage 2: one source file to one [`Paper`]: front matter checked field by
//! field, body rendered to HTML. Pure: takes text, returns values.

mod frontmatter;
pub mod highlight;
pub mod markdown;
pub mod math;

pub use frontmatter::{Paper, is_arxiv_id, parse_paper};
