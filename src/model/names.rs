//! How a person's name files in an index: by family name, as a library
//! catalogue or a bibliography would ("Teh, Yee Whye" under T, "Ludwig van
//! Beethoven" under B), not by the first word of the byline.

use crate::slug::slugify;

/// Lower-case words that belong to the family name but are not filed on
/// (Dutch, German, French, Italian, Spanish, Portuguese, Arabic).
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le",
    "ten", "ter", "zu", "bin", "ibn", "al", "el", "y",
];

/// Generational suffixes, which follow the family name.
const SUFFIXES: &[&str] = &["jr", "jr.", "sr", "sr.", "ii", "iii", "iv"];

/// The key a name sorts by: family name, then given names, transliterated
/// to lower-case ASCII so "Émile" files with "Emile".
///
/// - "Family, Given" (BibTeX order) is taken at its word.
/// - A name in Chinese, Japanese or Korean script without spaces is written
///   family name first already, so it sorts as written.
/// - Otherwise the family name is the last word (before any "Jr."), with the
///   lower-case particles in front of it kept with it but not sorted on.
pub fn sort_key(name: &str) -> String {
    let name = name.trim();
    if let Some((family, given)) = name.split_once(',') {
        return key(family, given);
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() < 2 || name.chars().any(is_cjk) {
        return key(name, "");
    }
    let mut end = words.len();
    while end > 1 && SUFFIXES.contains(&words[end - 1].to_lowercase().as_str()) {
        end -= 1;
    }
    let family = words[end - 1];
    let mut start = end - 1;
    while start > 1 && PARTICLES.contains(&words[start - 1]) {
        start -= 1;
    }
    key(family, &words[..start].join(" "))
}

/// The letter a name files under in the A–Z bar: `#` for names that do not
/// start with a letter once transliterated.
pub fn initial(sort_key: &str) -> char {
    match sort_key.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
        _ => '#',
    }
}

fn key(family: &str, given: &str) -> String {
    // Slugs transliterate (Han to pinyin, accents dropped); a name that
    // slugifies to nothing still sorts, by its characters.
    let slug = slugify(family.trim());
    let family = if slug.is_empty() {
        family.trim().to_lowercase()
    } else {
        slug
    };
    format!("{family} {}", slugify(given.trim()))
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF // Hiragana, Katakana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF // Han
        | 0xAC00..=0xD7AF // Hangul
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_under_the_family_name() {
        let k = |n| sort_key(n);
        assert!(k("Yee Whye Teh").starts_with("teh "));
        assert!(k("Teh, Yee Whye").starts_with("teh "));
        assert!(k("Ludwig van Beethoven").starts_with("beethoven "));
        assert!(k("Johannes Diderik van der Waals").starts_with("waals "));
        assert!(k("Martin Luther King Jr.").starts_with("king "));
        assert!(k("Émile Zola").starts_with("zola "));
        assert!(k("Léo Meynent") < k("Konstantin Schürholt"));
        assert_eq!(initial(&k("Konstantin Schürholt")), 'S');
        assert_eq!(initial(&k("Plato")), 'P');
        // Written family name first: files under the family name's
        // romanisation.
        assert_eq!(initial(&k("王小明")), 'W');
        assert_eq!(initial(&k("42 Collective")), 'C');
    }
}
