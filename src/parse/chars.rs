//! Characters no output may carry. XML 1.0 forbids the C0 controls other
//! than tab, line feed and carriage return, and U+FFFE and U+FFFF; one of
//! them in a title makes every feed listing the paper unreadable, and a
//! NUL in HTML is a parse error. (Lone surrogates cannot reach here: a
//! file that is not valid UTF-8 is refused when it is read.)

use std::borrow::Cow;

pub fn is_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// What a forbidden character becomes: the vertical tab and form feed
/// (which text copied from PDFs carries) a space, the rest U+FFFD.
fn replacement(c: char) -> char {
    if matches!(c, '\u{B}' | '\u{C}') {
        ' '
    } else {
        '\u{FFFD}'
    }
}

/// `text` with forbidden characters replaced; borrowed when there are none.
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_forbidden) {
        Cow::Owned(
            text.chars()
                .map(|c| if is_forbidden(c) { replacement(c) } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// The first forbidden character of `text` and its 1-based line and column.
pub fn first_forbidden(text: &str) -> Option<(char, usize, usize)> {
    let (at, c) = text.char_indices().find(|&(_, c)| is_forbidden(c))?;
    let (line, column) = crate::config::line_col(text, at);
    Some((c, line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_xml_forbids_is_replaced() {
        assert_eq!(clean("a\tb\nc\r"), "a\tb\nc\r");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(clean("a\u{B}b\u{0}c\u{FFFF}"), "a b\u{FFFD}c\u{FFFD}");
        assert_eq!(first_forbidden("ok\nx\u{1}"), Some(('\u{1}', 2, 2)));
        assert_eq!(first_forbidden("é\u{7F}"), None);
    }
}
