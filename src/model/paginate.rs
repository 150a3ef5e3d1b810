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

/// Pages for `count` items, `per_page` at a time. An empty listing still
/// has one (empty) page so its URL exists.
pub fn paginate(base: &str, count: usize, per_page: usize) -> Vec<Pager> {
    let per_page = per_page.max(1);
    let total = count.div_ceil(per_page).max(1);
    (1..=total)
        .map(|n| Pager {
            number: n,
            total,
            items: (n - 1) * per_page..(n * per_page).min(count),
            path: page_path(base, n),
            prev: (n > 1).then(|| page_path(base, n - 1)),
            next: (n < total).then(|| page_path(base, n + 1)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        assert_eq!(paginate("", 0, 30).len(), 1);
        assert_eq!(paginate("", 30, 30).len(), 1);
        let pages = paginate("tags/x/", 31, 30);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].items, 0..30);
        assert_eq!(pages[1].items, 30..31);
        assert_eq!(pages[0].path, "tags/x/");
        assert_eq!(pages[0].next.as_deref(), Some("tags/x/page/2/"));
        assert_eq!(pages[1].path, "tags/x/page/2/");
        assert_eq!(pages[1].prev.as_deref(), Some("tags/x/"));
        assert_eq!(pages[1].next, None);
    }
}
