//! URL slugs for papers, tags and authors: lowercase ASCII, dashes, never
//! `/` or `..`, stable across runs and machines.

/// Longest slug kept; long titles make unwieldy URLs and file names.
const MAX_LEN: usize = 80;

/// Transliterates (`Zoë` → `zoe`, `李明` → `li-ming`) and keeps `+` and `#`
/// meaningful so `C++`, `C#` and `C` stay three different tags. May return
/// an empty string when nothing printable is left: callers report that.
pub fn slugify(text: &str) -> String {
    let mut spelled = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '+' => spelled.push_str(" plus "),
            '#' => spelled.push_str(" sharp "),
            '&' => spelled.push_str(" and "),
            _ => spelled.push(c),
        }
    }
    let slug = slug::slugify(spelled);
    if slug.len() <= MAX_LEN {
        return slug;
    }
    let cut = &slug[..MAX_LEN];
    cut.rsplit_once('-')
        .map_or(cut, |(head, _)| head)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_and_keeps_symbols_distinct() {
        assert_eq!(slugify("Zoë Müller"), "zoe-muller");
        assert_eq!(slugify("李明"), "li-ming");
        assert_eq!(slugify("C++"), "c-plus-plus");
        assert_eq!(slugify("c++"), slugify("C++"));
        assert_ne!(slugify("C#"), slugify("C"));
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("a\\b"), "a-b");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn long_slugs_are_cut_at_a_word() {
        let s = slugify(&"word ".repeat(40));
        assert!(s.len() <= MAX_LEN);
        assert!(s.ends_with("word"));
    }

    proptest::proptest! {
        /// Whatever the input: no separators, no `..`, ASCII only, stable
        /// length, and slugifying a slug changes nothing.
        #[test]
        fn slugs_are_safe_stable_and_idempotent(text in "\\PC{0,120}") {
            let slug = slugify(&text);
            proptest::prop_assert!(!slug.contains('/') && !slug.contains('\\') && !slug.contains(".."));
            proptest::prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            proptest::prop_assert!(!slug.starts_with('-') && !slug.ends_with('-'));
            proptest::prop_assert!(slug.len() <= MAX_LEN);
            proptest::prop_assert_eq!(slugify(&slug), slug.clone());
            proptest::prop_assert_eq!(slugify(&text), slug);
        }

        /// Text with a letter or digit in it never gives an empty slug.
        #[test]
        fn slugs_of_words_are_never_empty(text in "[ -~]{0,40}[a-zA-Z0-9][ -~]{0,40}") {
            proptest::prop_assert!(!slugify(&text).is_empty());
        }
    }

    #[test]
    fn idempotent() {
        for t in ["Hello, World!", "Zoë", "a--b", "  x  ", "C++ & Rust"] {
            let once = slugify(t);
            assert_eq!(slugify(&once), once);
        }
    }
}
