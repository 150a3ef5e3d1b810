//! The one definition of a searchable word, mirrored by the theme's
//! `search.js`: Unicode NFD with combining marks dropped (so `muller` finds
//! `Müller`), lowercase, split on anything that is not a letter or digit,
//! a few very common English words left out.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Words nobody searches for; left out of the index and of queries alike.
/// `search.js` has the same list.
pub const STOPWORDS: [&str; 24] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
    "or", "that", "the", "this", "to", "we", "with", "our", "its",
];

/// Accents stripped and lowercased.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    fold_into(text, &mut folded);
    folded
}

/// [`fold`], appended to `out` (the index folds every field of every paper
/// into one buffer per paper).
pub fn fold_into(text: &str, out: &mut String) {
    let start = out.len();
    if text.is_ascii() {
        // What the general path gives ASCII, without decomposing each
        // character: most abstracts.
        out.push_str(text);
        out[start..].make_ascii_lowercase();
        return;
    }
    // NFD decomposes each character, then reorders runs of characters with
    // a nonzero combining class, which are all combining marks (a test
    // checks every character): dropped here, so decomposing character by
    // character gives what NFD of the whole text gives, with ASCII skipped.
    out.reserve(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.extend(d.to_lowercase());
                }
            });
        }
    }
}

/// The searchable words of `text`, in order, stopwords removed.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    each_word(&fold(text), |w| words.push(w.to_string()));
    words
}

/// The longest of [`STOPWORDS`]: a longer word is kept without comparing.
const LONGEST_STOPWORD: usize = 4;

/// Calls `f` with each of [`words`] of `folded` (a [`fold`]ed text),
/// borrowed from it.
pub fn each_word<'t>(folded: &'t str, mut f: impl FnMut(&'t str)) {
    let mut keep = |w: &'t str| {
        if !w.is_empty() && (w.len() > LONGEST_STOPWORD || !STOPWORDS.contains(&w)) {
            f(w);
        }
    };
    if folded.is_ascii() {
        // Bytes are characters here: splitting on bytes gives the words the
        // general path gives, without decoding each character.
        let mut start = 0;
        for (at, b) in folded.bytes().enumerate() {
            if !b.is_ascii_alphanumeric() {
                keep(&folded[start..at]);
                start = at + 1;
            }
        }
        keep(&folded[start..]);
    } else {
        folded.split(|c: char| !c.is_alphanumeric()).for_each(keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Jürgen SCHMIDHUBER"), "jurgen schmidhuber");
        assert_eq!(fold("Stańczak Léo Niccolò"), "stanczak leo niccolo");
        assert_eq!(
            words("The Edge-of-Reach Problem"),
            ["edge", "reach", "problem"]
        );
        assert_eq!(
            words("arXiv 2402.12527, $O(n)$"),
            ["arxiv", "2402", "12527", "o", "n"]
        );
        assert_eq!(words("李明 and Zoë"), ["李明", "zoe"]);
        assert!(STOPWORDS.iter().all(|w| w.len() <= LONGEST_STOPWORD));
        // The ASCII path splits as the general one does.
        let ascii = " a-b  with_the x9,y ";
        let general: Vec<&str> = ascii
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
            .collect();
        assert_eq!(words(&ascii.to_uppercase()), general);
        // Folding character by character is NFD of the whole text, marks
        // dropped, lowercased.
        use unicode_normalization::UnicodeNormalization;
        for text in [
            "MiXeD Case, 123 x-y_z!",
            "ABC\tdef\n",
            "Ångström e\u{301}\u{323}x \u{1e0b}\u{323} Nguyễn ǅ İ ẞ ᾏ 한국어",
        ] {
            let general: String = text
                .nfd()
                .filter(|c| !is_combining_mark(*c))
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(fold(text), general);
        }
    }

    #[test]
    fn only_combining_marks_have_a_combining_class() {
        use unicode_normalization::char::canonical_combining_class;
        let odd: Vec<char> = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|&c| canonical_combining_class(c) != 0 && !is_combining_mark(c))
            .collect();
        assert!(odd.is_empty(), "{odd:?}");
    }
}
