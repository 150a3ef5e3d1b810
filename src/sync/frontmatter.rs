//! Changing one key of a paper file's front matter in place, leaving every
//! other byte (the owner's comments, key order, quoting, the body) as it
//! was: a sync that refreshes upvotes must not rewrite what a person wrote.

/// `text` with the top-level `key` set to `yaml` (a one-line YAML value):
/// its line replaced, or a line added before the closing `---`. `None`
/// when the key's value spans several lines (a block scalar or list),
/// which only a person should edit, or when there is no front matter.
pub fn set(text: &str, key: &str, yaml: &str) -> Option<String> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let body_start = text.strip_prefix('\u{feff}').map_or(0, |_| 3);
    let mut lines: Vec<&str> = text[body_start..].split_inclusive('\n').collect();
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return None;
    }
    let close = lines
        .iter()
        .skip(1)
        .position(|l| matches!(l.trim_end(), "---" | "..."))?
        + 1;
    let prefix = format!("{key}:");
    let line = format!("{key}: {yaml}{newline}");
    let found = (1..close).find(|&i| lines[i].starts_with(&prefix));
    match found {
        Some(i) => {
            let value = lines[i][prefix.len()..].trim();
            let continued = lines
                .get(i + 1)
                .is_some_and(|next| i + 1 < close && next.starts_with([' ', '\t', '-']));
            if continued || value.is_empty() || value.starts_with(['|', '>']) {
                return None;
            }
            lines[i] = &line;
        }
        None => lines.insert(close, &line),
    }
    Some(format!("{}{}", &text[..body_start], lines.concat()))
}

#[cfg(test)]
mod tests {
    use super::set;

    #[test]
    fn one_key_changes_and_nothing_else() {
        let text = "---\ntitle: \"T\"  # mine\nupvotes: 3\ntags: [a]\n---\nBody\nupvotes: 9\n";
        assert_eq!(
            set(text, "upvotes", "12").unwrap(),
            "---\ntitle: \"T\"  # mine\nupvotes: 12\ntags: [a]\n---\nBody\nupvotes: 9\n"
        );
        assert_eq!(
            set(text, "doi", "\"10.1/x\"").unwrap(),
            "---\ntitle: \"T\"  # mine\nupvotes: 3\ntags: [a]\ndoi: \"10.1/x\"\n---\nBody\nupvotes: 9\n"
        );
        let crlf = "---\r\ntitle: T\r\n---\r\nB\r\n";
        assert_eq!(
            set(crlf, "upvotes", "1").unwrap(),
            "---\r\ntitle: T\r\nupvotes: 1\r\n---\r\nB\r\n"
        );
        assert_eq!(set("---\nvenue: >\n  Long\n---\n", "venue", "\"x\""), None);
        assert_eq!(set("---\ncode:\n  - a\n---\n", "code", "\"x\""), None);
        assert_eq!(set("no front matter", "upvotes", "1"), None);
        // `upvotes_note:` is another key.
        assert_eq!(
            set("---\nupvotes_note: x\n---\n", "upvotes", "2").unwrap(),
            "---\nupvotes_note: x\nupvotes: 2\n---\n"
        );
    }
}
