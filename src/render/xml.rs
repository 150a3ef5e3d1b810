//! XML text for feeds, OPML and sitemaps: escaped, and without the
//! characters XML 1.0 forbids. Papers are cleaned when parsed; this is the
//! net for everything else (site.toml values, saved-search names), so no
//! input can make a feed a conforming parser rejects.

use std::borrow::Cow;

use crate::parse::chars;

pub fn escape(text: &str) -> Cow<'_, str> {
    match chars::clean(text) {
        Cow::Borrowed(text) => quick_xml::escape::escape(text),
        Cow::Owned(clean) => Cow::Owned(quick_xml::escape::escape(&clean).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn forbidden_characters_never_reach_xml() {
        assert_eq!(super::escape("a<b\u{B}\u{FFFF}"), "a&lt;b \u{FFFD}");
    }
}
