//! Reads rendered files the way clients do and says what a client would
//! reject: XML a conforming parser refuses, JSON that does not parse, HTML
//! with NULs or with markup the theme and Markdown cannot have produced.
//! Shared by the tests and the fuzz target (`fuzz/fuzz_targets/paper.rs`
//! includes this file by path), so the fuzzer checks what the tests check.

/// Elements the default theme writes, Markdown can produce, or math-core
/// writes for TeX. Anything else in a page came from input that escaped.
const ELEMENTS: &[&str] = &[
    // the theme
    "html",
    "head",
    "meta",
    "title",
    "link",
    "body",
    "header",
    "nav",
    "main",
    "footer",
    "section",
    "article",
    "div",
    "span",
    "a",
    "p",
    "h1",
    "h2",
    "h3",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "time",
    "kbd",
    "code",
    "pre",
    "label",
    "select",
    "option",
    "input",
    "button",
    "form",
    "noscript",
    "script",
    "details",
    "summary",
    "svg",
    "path",
    "mark",
    "small",
    "img",
    // Markdown
    "em",
    "strong",
    "del",
    "blockquote",
    "h4",
    "h5",
    "h6",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
    "input", // task lists
    // MathML
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mlabeledtr",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
    "mmultiscripts",
    "mprescripts",
    "none",
];

/// Checks one rendered file by its extension; `Err` says what a client
/// would choke on.
pub fn check(path: &str, bytes: &[u8]) -> Result<(), String> {
    let text_file = [
        ".html", ".xml", ".opml", ".json", ".txt", ".bib", ".ris", ".css", ".js",
    ]
    .iter()
    .any(|ext| path.ends_with(ext));
    if !text_file {
        return Ok(());
    }
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{path}: not UTF-8: {e}"))?;
    if text.contains('\0') {
        return Err(format!("{path}: contains NUL"));
    }
    if path.ends_with(".xml") || path.ends_with(".opml") {
        roxmltree::Document::parse(text)
            .map_err(|e| format!("{path}: not well-formed XML: {e}"))?;
    } else if path.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| format!("{path}: not JSON: {e}"))?;
    } else if path.ends_with(".html") {
        check_html(text).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

/// A tag scanner, not a parser: rendered pages escape every `<` in text
/// and attributes, so each `<` starts a tag, a comment or the doctype, and
/// script contents end at the first `</script`.
fn check_html(html: &str) -> Result<(), String> {
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = lower[at..].find('<') {
        let start = at + found;
        let rest = &lower[start + 1..];
        if rest.starts_with("!--") {
            let end = rest.find("-->").ok_or("a comment that never ends")?;
            at = start + 1 + end + 3;
            continue;
        }
        if rest.starts_with("!doctype") || rest.starts_with('/') {
            at = start + 1 + rest.find('>').ok_or("a tag that never ends")? + 1;
            continue;
        }
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        if name.is_empty() {
            return Err(format!("a bare `<` at byte {start}"));
        }
        if !ELEMENTS.contains(&name) {
            return Err(format!("unexpected element <{name}> at byte {start}"));
        }
        let tag_end = tag_end(rest).ok_or_else(|| format!("<{name}> never ends"))?;
        let tag = &html[start + 1..start + 1 + tag_end];
        check_attributes(name, tag)?;
        at = start + 1 + tag_end + 1;
        if name == "script" {
            let close = lower[at..]
                .find("</script")
                .ok_or("a script that never ends")?;
            at += close;
        }
    }
    Ok(())
}

/// The offset of the `>` closing a tag, skipping quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// No event handlers, no `javascript:` URLs, and scripts and SVGs only as
/// the theme writes them (its own files or JSON-LD; hidden icons).
fn check_attributes(name: &str, tag: &str) -> Result<(), String> {
    let attributes = attributes(&tag[name.len()..]);
    for (key, value) in &attributes {
        if key.starts_with("on") {
            return Err(format!("<{name}> has an event handler `{key}`"));
        }
        let url = value.trim().to_ascii_lowercase();
        if matches!(key.as_str(), "href" | "src" | "action" | "formaction")
            && (url.starts_with("javascript:") || url.starts_with("vbscript:"))
        {
            return Err(format!("<{name} {key}> runs script: {value}"));
        }
    }
    // The theme's icons are decorative; an SVG a reader could perceive
    // came from input.
    if name == "svg"
        && !attributes
            .iter()
            .any(|(k, v)| k == "aria-hidden" && v == "true")
    {
        return Err(format!("an SVG the theme does not write: <{tag}>"));
    }
    if name == "script" {
        let ok = attributes.iter().any(|(k, v)| {
            (k == "src" && v.ends_with(".js")) || (k == "type" && v == "application/ld+json")
        });
        if !ok {
            return Err(format!("a script the theme does not write: <{tag}>"));
        }
    }
    Ok(())
}

/// `key="value"` pairs of a tag, lower-cased keys.
fn attributes(mut s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if s.is_empty() {
            return out;
        }
        let key_len = s
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(s.len());
        let key = s[..key_len].to_ascii_lowercase();
        s = s[key_len..].trim_start();
        let mut value = String::new();
        if let Some(after) = s.strip_prefix('=') {
            let after = after.trim_start();
            let (v, rest) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = v.to_string();
            s = rest;
        }
        out.push((key, value));
    }
}
