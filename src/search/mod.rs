//! Search: the index the browser queries (`index.rs`) and what of it one build keeps for the next (`kept.rs`), the query language
//! shared with saved searches (`query.rs`), and the one definition of a
//! searchable word (`text.rs`). The theme's `search.js` mirrors all three.

pub mod index;
pub mod kept;
pub mod query;
pub mod text;

pub use query::{Query, QueryError};
