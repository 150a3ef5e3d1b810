//! The one definition of a searchable word, mirrored by the theme's
//! `search.js`: Unicode NFD with combining marks dropped (so `muller` finds
//! `Müller`), lowercase, split on anything that is not a letter or digit,
//! a few very common English words left out.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words nobody searches for; left out of the index and of queries alike.
/// `search.js` has the same list.
pub const STOPWORDS: [&str; 24] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
    "or", "that", "the", "this", "to", "we", "with", "our", "its",
];

/// Accents stripped and lowercased.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        // What the general path gives ASCII, without decomposing each
        // character: most abstracts, and the index folds every one.
        return text.to_ascii_lowercase();
    }
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The searchable words of `text`, in order, stopwords removed.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    each_word(text, |w| words.push(w.to_string()));
    words
}

/// Calls `f` with each of [`words`], borrowed (nothing is allocated per word).
pub fn each_word(text: &str, mut f: impl FnMut(&str)) {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOPWORDS.contains(w))
        .for_each(&mut f);
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
        // The ASCII shortcut folds as the general path does.
        for text in ["MiXeD Case, 123 x-y_z!", "ABC\tdef\n"] {
            let general: String = text
                .nfd()
                .filter(|c| !is_combining_mark(*c))
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(fold(text), general);
        }
    }
}
