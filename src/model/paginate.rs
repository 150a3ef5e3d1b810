//! Splitting a listing into pages: `base/`, `base/page/2/`, …

use std::ops::Range;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based.
    pub number: usize,
    pub total: usize,
    /// Which items of the listing this page shows.
    pub items: Range<usize>,
    /// Site path of this page, e.g. `tags/rl/page/2/`.
    pub path: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

// The page layout belongs to the route table.
pub use crate::routes::page_path;

/// How many pages a listing of `count` items has, `per_page` at a time.
/// An empty listing still has one (empty) page so its URL exists.
pub fn page_count(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page.max(1)).max(1)
}

/// Page `n` (1-based, at most [`page_count`]) of a listing of `count`
/// items. Made alone: a listing renders each of its pages on its own, and
/// making all of its pages for each would be quadratic.
pub fn pager(base: &str, count: usize, per_page: usize, n: usize) -> Pager {
    let total = page_count(count, per_page);
    let per_page = per_page.max(1);
    Pager {
        number: n,
        total,
        items: ((n - 1) * per_page).min(count)..(n * per_page).min(count),
        path: page_path(base, n),
        prev: (n > 1).then(|| page_path(base, n - 1)),
        next: (n < total).then(|| page_path(base, n + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        assert_eq!(page_count(0, 30), 1);
        assert_eq!(page_count(30, 30), 1);
        assert_eq!(page_count(31, 30), 2);
        let pages: Vec<Pager> = (1..=2).map(|n| pager("tags/x/", 31, 30, n)).collect();
        assert_eq!(pages[0].items, 0..30);
        assert_eq!(pages[1].items, 30..31);
        assert_eq!(pages[0].path, "tags/x/");
        assert_eq!(pages[0].next.as_deref(), Some("tags/x/page/2/"));
        assert_eq!(pages[1].path, "tags/x/page/2/");
        assert_eq!(pages[1].prev.as_deref(), Some("tags/x/"));
        assert_eq!(pages[1].next, None);
        assert_eq!(pager("", 0, 30, 1).items, 0..0);
    }
}
