//! A paper's body, rendered twice, as HTML for its page and feeds and as
//! plain text for cards, citations, search and related papers, and held
//! packed ([`crate::packed`]) from parsing to the last page: the two
//! renderings were 40% of a build's heap. The text is one block, the HTML
//! a second that takes its words from the text; both together are about a
//! third of their size.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::packed;

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// The text as one LZ4 block, then the HTML as another that refers
    /// back into the text (its dictionary): most readers want only the
    /// text, and the HTML costs little more than its markup.
    #[serde(with = "serde_bytes")]
    packed: Box<[u8]>,
    /// Where the HTML's block starts.
    split: usize,
    /// Lengths in bytes of the text and the HTML.
    text_len: usize,
    html_len: usize,
}

/// A body as its readers use it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Unpacked {
    pub html: String,
    /// Whitespace collapsed.
    pub text: String,
}

impl Body {
    pub fn new(html: &str, text: &str) -> Body {
        let mut packed = packed::pack(text, b"").into_vec();
        let split = packed.len();
        packed.extend(packed::pack(html, text.as_bytes()));
        Body {
            packed: packed.into_boxed_slice(),
            split,
            text_len: text.len(),
            html_len: html.len(),
        }
    }

    pub fn unpack(&self) -> Unpacked {
        let text = self.text();
        let html = packed::unpack(self.html_block(), self.html_len, text.as_bytes());
        Unpacked { html, text }
    }

    pub fn text(&self) -> String {
        packed::unpack(self.text_block(), self.text_len, b"")
    }

    /// Whether the text is empty or only spaces (it is collapsed, so a
    /// body of spaces has none left).
    pub fn has_no_text(&self) -> bool {
        self.text_len == 0
    }

    /// Bytes held.
    #[cfg(test)]
    fn packed_len(&self) -> usize {
        self.packed.len()
    }

    fn text_block(&self) -> &[u8] {
        self.packed.get(..self.split).unwrap_or_default()
    }

    fn html_block(&self) -> &[u8] {
        self.packed.get(self.split..).unwrap_or_default()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("text", &self.text())
            .field("html", &self.unpack().html)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_renderings_come_back_as_given() {
        let html = "<p>Offline <em>RL</em> with <math><mi>x</mi></math> — naïve.</p>\n";
        let text = "Offline RL with x — naïve.";
        let body = Body::new(html, text);
        assert_eq!(
            body.unpack(),
            Unpacked {
                html: html.into(),
                text: text.into()
            }
        );
        assert_eq!(body.text(), text);
        assert!(!body.has_no_text());
        assert_eq!(Body::new("", ""), Body::default());
        assert_eq!(Body::default().unpack(), Unpacked::default());
        assert!(Body::new("<p></p>", "").has_no_text());
    }

    #[test]
    fn an_abstract_is_held_in_well_under_its_size() {
        let text = "We study offline reinforcement learning from human feedback and show \
                    that a learned reward model generalises to unseen tasks. "
            .repeat(8);
        let html = format!("<p>{}</p>\n", text.trim_end());
        let body = Body::new(&html, text.trim_end());
        assert!(
            body.packed_len() * 2 < html.len(),
            "{} bytes packed for {} of HTML",
            body.packed_len(),
            html.len()
        );
    }

    #[test]
    fn a_damaged_block_unpacks_to_an_empty_body_not_a_crash() {
        let mut body = Body::new("<p>abc abc abc</p>", "abc abc abc");
        body.packed = vec![0xff; 3].into_boxed_slice();
        assert_eq!(body.unpack(), Unpacked::default());
        body.text_len = usize::MAX;
        assert_eq!(body.text(), "");
        body.split = usize::MAX;
        assert_eq!(body.unpack(), Unpacked::default());
    }
}
