//! Front matter: split it from the body, deserialize it, and check each
//! field, locating every problem at its line and column in the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::chars;
use super::identifiers::{bare_doi, is_arxiv_id};
use super::markdown::{self, Renderers, is_safe_url};
use super::{Body, NameList};
use crate::diagnostic::Diagnostic;
use crate::load::SourceFile;
use crate::slug::slugify;

/// A paper as the rest of the pipeline sees it: validated, body rendered.
/// Serializable for the parse cache ([`super::cache`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Paper {
    pub source: PathBuf,
    pub slug: String,
    pub title: String,
    /// The title as HTML: escaped, with `$…$` as MathML.
    pub title_html: String,
    /// Plain text with formulas as readable text, for `<title>` and meta tags.
    pub title_text: String,
    pub date: Date,
    pub authors: NameList,
    pub tags: NameList,
    pub arxiv: Option<String>,
    pub doi: Option<String>,
    pub url: Option<String>,
    pub pdf: Option<String>,
    pub code: Option<String>,
    /// An image for cards and link previews: a full URL, or a root-relative
    /// path into the site's static files.
    pub thumbnail: Option<String>,
    pub venue: Option<String>,
    pub upvotes: u64,
    /// When Hugging Face's daily papers listed it (`listed:`), kept beside
    /// `date`, the arXiv publication date.
    pub listed: Option<Date>,
    pub draft: bool,
    /// As HTML and as plain text (cards show its opening).
    pub body: Body,
    /// Hash of the source path and text: every field above derives from
    /// them (and the site config), so pages key their caches on it.
    pub fingerprint: u64,
}

/// The front matter as written. Every field is optional here so that a
/// missing field can be reported with a useful location instead of serde's.
#[derive(Debug, Deserialize)]
struct RawFrontMatter {
    title: Option<String>,
    date: Option<serde_yaml::Value>,
    authors: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    arxiv: Option<serde_yaml::Value>,
    doi: Option<String>,
    url: Option<String>,
    pdf: Option<String>,
    code: Option<String>,
    thumbnail: Option<String>,
    venue: Option<String>,
    upvotes: Option<u64>,
    listed: Option<serde_yaml::Value>,
    slug: Option<String>,
    draft: Option<bool>,
}

/// Longest values accepted. Anything longer is a mistake (a missing closing
/// quote swallowing the file, a paste gone wrong), and since a title or name
/// is repeated on every listing and feed that shows the paper, one such value
/// would multiply into gigabytes of output.
const MAX_TITLE_CHARS: usize = 1_000;
const MAX_NAME_CHARS: usize = 300;

const KNOWN_KEYS: [&str; 15] = [
    "title",
    "date",
    "authors",
    "tags",
    "arxiv",
    "doi",
    "url",
    "pdf",
    "code",
    "thumbnail",
    "venue",
    "upvotes",
    "listed",
    "slug",
    "draft",
];

/// Front matter and body of a file, with the file line each starts on.
struct Split<'a> {
    yaml: &'a str,
    /// 1-based file line of the first YAML line.
    yaml_line: usize,
    body: &'a str,
    body_line: usize,
}

/// Parses one file. Returns the paper (unless an error stopped it) and every
/// problem found, so a run can report all broken files at once.
pub fn parse_paper(file: &SourceFile, tools: &Renderers) -> (Option<Paper>, Vec<Diagnostic>) {
    // Characters no output may carry are replaced before anything else
    // reads the text, with a warning where the first one is.
    let text = chars::clean(&file.text);
    let mut ctx = FileContext {
        path: &file.path,
        text: &text,
        problems: Vec::new(),
    };
    if let Some((c, line, column)) = chars::first_forbidden(&file.text) {
        let count = file
            .text
            .chars()
            .filter(|&c| chars::is_forbidden(c))
            .count();
        ctx.warning(
            line,
            column,
            format!(
                "{} control character{} ({}) replaced: feeds and pages cannot carry {}",
                count,
                if count == 1 { "" } else { "s" },
                code_point(c),
                if count == 1 { "it" } else { "them" },
            ),
        );
    }
    let paper = parse_with(&mut ctx, tools);
    (paper, ctx.problems)
}

fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Replaces forbidden characters that a YAML escape (`"\0"`, `"\v"`)
/// put into a field's value, with a warning at the field.
fn clean_field(
    ctx: &mut FileContext,
    locate: &dyn Fn(&str) -> (usize, usize),
    key: &str,
    value: &mut String,
) {
    if let Some((c, _, _)) = chars::first_forbidden(value) {
        let (line, column) = locate(key);
        ctx.warning(
            line,
            column,
            format!(
                "`{key}` contains the control character {} (from a YAML escape); it was replaced",
                code_point(c)
            ),
        );
        *value = chars::clean(value).into_owned();
    }
}

struct FileContext<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<Diagnostic>,
}

impl FileContext<'_> {
    fn error(&mut self, line: usize, column: usize, message: String, help: &str) {
        let mut d = Diagnostic::error(self.path, message).at(self.text, line, column);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.problems.push(d);
    }

    fn warning(&mut self, line: usize, column: usize, message: String) {
        self.problems
            .push(Diagnostic::warning(self.path, message).at(self.text, line, column));
    }
}

fn parse_with(ctx: &mut FileContext, tools: &Renderers) -> Option<Paper> {
    let split = match split(ctx.text) {
        Ok(split) => split,
        Err((line, message, help)) => {
            ctx.error(line, 1, message, help);
            return None;
        }
    };
    let raw: RawFrontMatter = match serde_yaml::from_str(split.yaml) {
        Ok(raw) => raw,
        Err(e) => {
            let (line, column) = e.location().map_or((split.yaml_line, 1), |l| {
                (split.yaml_line + l.line() - 1, l.column())
            });
            let mut message = yaml_message(&e.to_string());
            let (mut line, mut column) = (line, column);
            // An unclosed quote or bracket is noticed lines later, where the
            // parser gives up; point at where it was opened instead.
            if (message.contains("end of stream") || message.contains("did not find expected"))
                && let Some((l, c)) = unclosed_opening(split.yaml)
                && split.yaml_line + l - 1 <= line
            {
                message = "a quote or bracket opened here is never closed".into();
                (line, column) = (split.yaml_line + l - 1, c);
            }
            let help = if message.contains("escape") {
                "LaTeX backslashes inside double quotes are YAML escapes: use 'single quotes' or a block scalar (title: >-)"
            } else if message.contains("invalid type") || message.contains("invalid value") {
                "text goes in quotes, numbers are written bare, lists in [ ]; see the front-matter reference in the README"
            } else if split.yaml.trim().is_empty() {
                "the front matter is empty: add at least title: and date:"
            } else {
                "check the YAML syntax on this line (quotes, colons, indentation)"
            };
            ctx.error(line, column, message, help);
            return None;
        }
    };
    let keys = top_level_keys(split.yaml);
    let locate = |key: &str| -> (usize, usize) {
        keys.iter()
            .find(|k| k.name == key)
            .map_or((split.yaml_line.saturating_sub(1), 1), |k| {
                (split.yaml_line + k.line - 1, k.value_column)
            })
    };
    warn_unknown_keys(ctx, split.yaml, &keys, split.yaml_line);
    check_fields(ctx, raw, &split, &locate, tools)
}

fn check_fields(
    ctx: &mut FileContext,
    raw: RawFrontMatter,
    split: &Split,
    locate: &dyn Fn(&str) -> (usize, usize),
    tools: &Renderers,
) -> Option<Paper> {
    let RawFrontMatter {
        mut title,
        date,
        mut authors,
        mut tags,
        arxiv,
        mut doi,
        mut url,
        mut pdf,
        mut code,
        mut thumbnail,
        mut venue,
        upvotes,
        listed,
        mut slug,
        draft,
    } = raw;
    for (key, value) in [
        ("title", title.as_mut()),
        ("doi", doi.as_mut()),
        ("url", url.as_mut()),
        ("pdf", pdf.as_mut()),
        ("code", code.as_mut()),
        ("thumbnail", thumbnail.as_mut()),
        ("venue", venue.as_mut()),
        ("slug", slug.as_mut()),
    ] {
        if let Some(value) = value {
            clean_field(ctx, locate, key, value);
        }
    }
    for (key, list) in [("authors", authors.as_mut()), ("tags", tags.as_mut())] {
        for value in list.into_iter().flatten() {
            clean_field(ctx, locate, key, value);
        }
    }
    let opening = split.yaml_line.saturating_sub(1);

    let title = collapse_whitespace(title.as_deref().unwrap_or(""));
    if title.is_empty() {
        let (line, col) = locate("title");
        ctx.error(
            line.max(opening),
            col,
            "missing required field `title`".into(),
            "add a line such as: title: \"Attention Is All You Need\"",
        );
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        let (line, col) = locate("title");
        ctx.error(
            line,
            col,
            format!(
                "the title is {} characters long; at most {MAX_TITLE_CHARS} are allowed",
                title.chars().count()
            ),
            "check for a missing closing quote, or shorten the title",
        );
    }
    let date = check_date(ctx, "date", date, locate, Some(opening));
    let listed = check_date(ctx, "listed", listed, locate, None);

    let authors: Vec<String> = authors
        .unwrap_or_default()
        .iter()
        .map(|a| collapse_whitespace(a))
        .filter(|a| !a.is_empty())
        .collect();
    if let Some(long) = authors.iter().find(|a| a.chars().count() > MAX_NAME_CHARS) {
        let (line, col) = locate("authors");
        ctx.error(
            line,
            col,
            format!(
                "an author name is {} characters long; at most {MAX_NAME_CHARS} are allowed",
                long.chars().count()
            ),
            "separate authors as a list: authors: [\"A. Author\", \"B. Author\"]",
        );
    }
    let tags = check_tags(ctx, tags.unwrap_or_default(), locate);
    let arxiv = check_arxiv(ctx, arxiv, locate);
    let doi = check_doi(ctx, doi, locate);
    let url = check_link(ctx, "url", url, locate);
    let pdf = check_link(ctx, "pdf", pdf, locate);
    let code = check_link(ctx, "code", code, locate);
    // An image on the web, or one in the site's static files (`/img/x.png`).
    let thumbnail = match thumbnail {
        Some(t)
            if t.trim().starts_with('/')
                && !t.trim().starts_with("//")
                && is_safe_url(t.trim()) =>
        {
            Some(t.trim().to_string())
        }
        other => check_link(ctx, "thumbnail", other, locate),
    };
    let venue = venue
        .map(|v| collapse_whitespace(&v))
        .filter(|v| !v.is_empty());

    let slug = match slug {
        Some(s) => {
            let cleaned = slugify(&s);
            if cleaned.is_empty() {
                let (line, col) = locate("slug");
                ctx.error(
                    line,
                    col,
                    format!("slug `{s}` has no letters or digits"),
                    "use letters, digits and dashes, e.g. slug: attention-is-all-you-need",
                );
            }
            cleaned
        }
        None => {
            let stem = ctx.path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let cleaned = slugify(stem);
            if cleaned.is_empty() {
                ctx.error(
                    0,
                    0,
                    format!("cannot make a URL slug from the file name `{stem}`"),
                    "rename the file, or set slug: in the front matter",
                );
            }
            cleaned
        }
    };

    if ctx.problems.iter().any(Diagnostic::is_error) {
        return None;
    }
    let (title_html, title_text, title_problems) = markdown::title_html(&title, tools.math);
    for message in title_problems {
        let (line, col) = locate("title");
        ctx.warning(line, col, message);
    }
    let body = markdown::render(split.body, tools);
    for (offset, message) in body.warnings {
        let (line, column) = crate::config::line_col(split.body, offset);
        ctx.warning(split.body_line + line - 1, column, message);
    }
    Some(Paper {
        source: ctx.path.to_path_buf(),
        slug,
        title,
        title_html,
        title_text,
        date: date?,
        authors: authors.into(),
        tags: tags.into(),
        arxiv,
        doi,
        url,
        pdf,
        code,
        thumbnail,
        venue,
        upvotes: upvotes.unwrap_or(0),
        listed,
        draft: draft.unwrap_or(false),
        body: Body::new(&body.html, &collapse_whitespace(&body.text)),
        fingerprint: fingerprint(ctx.path, ctx.text),
    })
}

pub fn fingerprint(path: &Path, text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    (path, text).hash(&mut h);
    h.finish()
}

/// A `YYYY-MM-DD` field: `date` (required) or `listed` (optional).
fn check_date(
    ctx: &mut FileContext,
    key: &str,
    date: Option<serde_yaml::Value>,
    locate: &dyn Fn(&str) -> (usize, usize),
    opening: Option<usize>,
) -> Option<Date> {
    let (line, col) = locate(key);
    let help = format!("write the date as YYYY-MM-DD, e.g. {key}: 2024-02-19");
    let help = help.as_str();
    let text = match date {
        None if opening.is_none() => return None,
        None => {
            let opening = opening.unwrap_or(line);
            ctx.error(
                line.max(opening),
                col,
                "missing required field `date`".into(),
                help,
            );
            return None;
        }
        Some(serde_yaml::Value::String(s)) => s,
        Some(other) => {
            ctx.error(
                line,
                col,
                format!("`{key}` must be a date, found {}", yaml_kind(&other)),
                help,
            );
            return None;
        }
    };
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match text.parse::<Date>() {
        Ok(d) if shaped => Some(d),
        Ok(_) => {
            ctx.error(line, col, format!("`{text}` is not a plain date"), help);
            None
        }
        Err(e) => {
            let reason = e.to_string();
            let message = if shaped {
                format!("`{text}` is not a real calendar date ({reason})")
            } else {
                format!("`{text}` is not a date")
            };
            ctx.error(line, col, message, help);
            None
        }
    }
}

fn check_tags(
    ctx: &mut FileContext,
    tags: Vec<String>,
    locate: &dyn Fn(&str) -> (usize, usize),
) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    let mut seen = std::collections::HashSet::new();
    for tag in tags {
        let tag = collapse_whitespace(&tag);
        let slug = slugify(&tag);
        if tag.chars().count() > MAX_NAME_CHARS {
            let (line, col) = locate("tags");
            ctx.error(
                line,
                col,
                format!(
                    "a tag is {} characters long; at most {MAX_NAME_CHARS} are allowed",
                    tag.chars().count()
                ),
                "use short tags such as reinforcement-learning",
            );
            continue;
        }
        if slug.is_empty() {
            let (line, col) = locate("tags");
            ctx.error(
                line,
                col,
                format!("tag `{tag}` has no letters or digits to name its page by"),
                "remove the tag or add a word to it",
            );
            continue;
        }
        // "C++" and "c++" are one tag: keep the first spelling only.
        if seen.insert(slug) {
            out.push(tag);
        }
    }
    out
}

fn check_arxiv(
    ctx: &mut FileContext,
    arxiv: Option<serde_yaml::Value>,
    locate: &dyn Fn(&str) -> (usize, usize),
) -> Option<String> {
    let (line, col) = locate("arxiv");
    let id = match arxiv? {
        serde_yaml::Value::String(s) => s,
        serde_yaml::Value::Number(n) => {
            // Unquoted 2401.10010 is the float 2401.1001: the id is already lost.
            ctx.error(
                line,
                col,
                format!("arXiv id {n} is written as a number, which drops trailing zeros"),
                "put the id in quotes, e.g. arxiv: \"2402.12527\"",
            );
            return None;
        }
        other => {
            ctx.error(
                line,
                col,
                format!("`arxiv` must be a string, found {}", yaml_kind(&other)),
                "write arxiv: \"2402.12527\"",
            );
            return None;
        }
    };
    let id = id.trim();
    let id = id
        .strip_prefix("arXiv:")
        .or_else(|| id.strip_prefix("arxiv:"))
        .unwrap_or(id)
        .trim();
    if !is_arxiv_id(id) {
        ctx.error(
            line,
            col,
            format!("`{id}` is not an arXiv identifier"),
            "use the form 2402.12527 (optionally with a version, 2402.12527v2) or hep-th/9901001",
        );
        return None;
    }
    Some(id.to_string())
}

fn check_doi(
    ctx: &mut FileContext,
    doi: Option<String>,
    locate: &dyn Fn(&str) -> (usize, usize),
) -> Option<String> {
    let doi = doi?;
    let bare = bare_doi(&doi);
    if bare.starts_with("10.") && bare.contains('/') && !bare.contains(char::is_whitespace) {
        Some(bare.to_string())
    } else {
        let (line, col) = locate("doi");
        ctx.error(
            line,
            col,
            format!("`{doi}` is not a DOI"),
            "a DOI looks like 10.1234/abcd.5678",
        );
        None
    }
}

fn check_link(
    ctx: &mut FileContext,
    key: &str,
    value: Option<String>,
    locate: &dyn Fn(&str) -> (usize, usize),
) -> Option<String> {
    let value = value?.trim().to_string();
    let is_web = value.starts_with("https://") || value.starts_with("http://");
    if is_web && is_safe_url(&value) && !value.contains(char::is_whitespace) {
        return Some(value);
    }
    let (line, col) = locate(key);
    ctx.warning(
        line,
        col,
        format!("`{key}` link `{value}` dropped: only full http:// or https:// URLs are linked"),
    );
    None
}

fn warn_unknown_keys(ctx: &mut FileContext, yaml: &str, keys: &[Key], yaml_line: usize) {
    // The typed parse already succeeded, so the YAML is a mapping.
    let all: BTreeMap<String, IgnoredAny> = serde_yaml::from_str(yaml).unwrap_or_default();
    for name in all.keys().filter(|k| !KNOWN_KEYS.contains(&k.as_str())) {
        let (line, col) = keys
            .iter()
            .find(|k| &k.name == name)
            .map_or((0, 0), |k| (yaml_line + k.line - 1, 1));
        let close = KNOWN_KEYS
            .iter()
            .find(|k| strsim_close(k, name))
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        ctx.warning(
            line,
            col,
            format!("unknown front-matter key `{name}` ignored{close}"),
        );
    }
}

/// A typo of a known key: one or two edits away, depending on its length.
fn strsim_close(known: &str, typed: &str) -> bool {
    let distance = strsim::damerau_levenshtein(known, &typed.to_lowercase());
    distance <= if known.len() <= 4 { 1 } else { 2 }
}

/// A top-level key of the YAML block, found by scanning lines: enough to
/// point messages at the right line without a location-tracking YAML parser.
struct Key {
    name: String,
    /// 1-based line within the YAML block.
    line: usize,
    /// 1-based column where the value starts.
    value_column: usize,
}

fn top_level_keys(yaml: &str) -> Vec<Key> {
    let mut keys = Vec::new();
    for (i, line) in yaml.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let Some(colon) = line.find(':') else {
            continue;
        };
        let name = line[..colon].trim().trim_matches(['"', '\'']);
        if name.is_empty() {
            continue;
        }
        let after = &line[colon + 1..];
        let spaces = after.len() - after.trim_start().len();
        keys.push(Key {
            name: name.to_string(),
            line: i + 1,
            value_column: line[..colon + 1 + spaces].chars().count() + 1,
        });
    }
    keys
}

/// Splits `---` front matter from the body. Errors carry the line to blame.
fn split(text: &str) -> Result<Split<'_>, (usize, String, &'static str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err((
            1,
            "the file is empty".into(),
            "a paper starts with front matter between two lines of ---; see the README",
        ));
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err((
            1,
            "expected the file to start with a line `---` opening the front matter".into(),
            "put title:, date: and the other fields between two lines of ---",
        ));
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (i, line) in lines.enumerate() {
        if line.trim_end() == "---" {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[offset + line.len()..],
                body_line: i + 3,
            });
        }
        offset += line.len();
    }
    Err((
        1,
        "the front matter opened here is never closed".into(),
        "add a line `---` after the last front-matter field",
    ))
}

/// serde_yaml appends "at line L column C" (the diagnostic shows that
/// itself) and names Rust types; say it in the user's terms.
fn yaml_message(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    message
        .replace("expected u64", "expected a whole number, 0 or more")
        .replace("expected a sequence", "expected a list such as [a, b]")
        .replace("expected a boolean", "expected true or false")
}

/// Line and column (1-based, within the YAML) of the first double quote or
/// bracket that is not closed on its own line: where a YAML parser that
/// ran off the end of the block most likely went wrong.
fn unclosed_opening(yaml: &str) -> Option<(usize, usize)> {
    for (i, line) in yaml.lines().enumerate() {
        let mut quote_at = None;
        let mut depth: Vec<usize> = Vec::new();
        let mut escaped = false;
        for (col, c) in line.chars().enumerate() {
            match c {
                _ if escaped => escaped = false,
                '\\' if quote_at.is_some() => escaped = true,
                '"' => quote_at = if quote_at.is_some() { None } else { Some(col) },
                '[' | '{' if quote_at.is_none() => depth.push(col),
                ']' | '}' if quote_at.is_none() => {
                    depth.pop();
                }
                _ => {}
            }
        }
        if let Some(col) = quote_at.or(depth.first().copied()) {
            return Some((i + 1, col + 1));
        }
    }
    None
}

fn yaml_kind(value: &serde_yaml::Value) -> &'static str {
    match value {
        serde_yaml::Value::Null => "nothing",
        serde_yaml::Value::Bool(_) => "a boolean",
        serde_yaml::Value::Number(_) => "a number",
        serde_yaml::Value::String(_) => "a string",
        serde_yaml::Value::Sequence(_) => "a list",
        serde_yaml::Value::Mapping(_) => "a mapping",
        serde_yaml::Value::Tagged(_) => "a tagged value",
    }
}

/// Single spaces and Unicode NFC, so the same name typed on two keyboards
/// (precomposed `ë` or `e` + combining diaeresis) is one string.
fn collapse_whitespace(s: &str) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    let mut joined = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    // Almost all text is already NFC; the quick check skips the rebuild.
    if is_nfc_quick(joined.chars()) == IsNormalized::Yes {
        joined
    } else {
        joined.nfc().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Paper>, Vec<Diagnostic>) {
        let tools = crate::parse::Tools::default();
        let tools = tools.renderers(false, "/");
        let file = SourceFile {
            path: PathBuf::from("content/papers/my-paper.md"),
            text: text.to_string(),
        };
        parse_paper(&file, &tools)
    }

    fn only_error(text: &str) -> Diagnostic {
        let (paper, diags) = parse(text);
        assert!(paper.is_none());
        let errors: Vec<_> = diags.into_iter().filter(Diagnostic::is_error).collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn full_paper_parses() {
        let (paper, diags) = parse(
            "---\ntitle: \"Edge  of\n  Reach\"\ndate: 2024-02-19\nauthors: [\"A B\", \" C \"]\ntags: [RL, rl, offline-rl]\narxiv: \"2402.12527\"\ndoi: https://doi.org/10.1/x\ncode: https://github.com/a/b\nupvotes: 12\n---\nBody *text*.\n",
        );
        assert!(diags.is_empty(), "{diags:#?}");
        let p = paper.unwrap();
        assert_eq!(p.title, "Edge of Reach");
        assert_eq!(p.slug, "my-paper");
        assert_eq!(p.date.to_string(), "2024-02-19");
        assert_eq!(p.authors, ["A B", "C"]);
        assert_eq!(p.tags, ["RL", "offline-rl"]);
        assert_eq!(p.arxiv.as_deref(), Some("2402.12527"));
        assert_eq!(p.doi.as_deref(), Some("10.1/x"));
        assert_eq!(p.upvotes, 12);
        let body = p.body.unpack();
        assert_eq!(body.html, "<p>Body <em>text</em>.</p>\n");
        assert_eq!(body.text, "Body text.");
    }

    #[test]
    fn names_are_normalised_to_nfc() {
        let (paper, _) = parse("---\ntitle: T\ndate: 2024-01-02\nauthors: [\"Zoe\u{308}\"]\n---\n");
        assert_eq!(paper.unwrap().authors, ["Zo\u{eb}"]);
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let (paper, diags) = parse("\u{feff}---\r\ntitle: T\r\ndate: 2024-01-02\r\n---\r\nHi\r\n");
        assert!(diags.is_empty(), "{diags:#?}");
        assert_eq!(paper.unwrap().title, "T");
    }

    #[test]
    fn missing_title_points_at_front_matter() {
        let d = only_error("---\ndate: 2024-01-02\n---\n");
        assert!(d.message.contains("`title`"));
        assert_eq!(d.line, 1);
    }

    #[test]
    fn impossible_date_is_located() {
        let d = only_error("---\ntitle: T\ndate: 2024-02-30\n---\n");
        assert_eq!((d.line, d.column), (3, 7));
        assert!(
            d.message.contains("not a real calendar date"),
            "{}",
            d.message
        );
        let d = only_error("---\ntitle: T\ndate: next week\n---\n");
        assert!(d.message.contains("is not a date"), "{}", d.message);
    }

    #[test]
    fn wrong_type_is_located_by_yaml() {
        let d = only_error("---\ntitle: T\ndate: 2024-01-01\nupvotes: many\n---\n");
        assert_eq!(d.line, 4);
        assert!(d.column > 1);
        assert!(!d.message.contains("at line"), "{}", d.message);
    }

    #[test]
    fn invalid_yaml_and_latex_escape_hint() {
        let d = only_error("---\ntitle: \"$\\mathcal{O}$\"\ndate: 2024-01-01\n---\n");
        assert_eq!(d.line, 2);
        assert!(d.help.unwrap().contains("single quotes"));
    }

    #[test]
    fn unclosed_and_empty_files() {
        assert!(
            only_error("---\ntitle: T\n")
                .message
                .contains("never closed")
        );
        assert!(only_error("").message.contains("empty"));
        assert!(
            only_error("title: T\n")
                .message
                .contains("start with a line `---`")
        );
    }

    #[test]
    fn unknown_key_is_a_warning_with_a_suggestion() {
        let (paper, diags) = parse("---\ntitle: T\ndate: 2024-01-01\ntitel: x\n---\n");
        assert!(paper.is_some());
        assert_eq!(diags.len(), 1);
        assert!(!diags[0].is_error());
        assert_eq!(diags[0].line, 4);
        assert!(
            diags[0].message.contains("did you mean `title`"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn numeric_arxiv_id_is_refused() {
        let d = only_error("---\ntitle: T\ndate: 2024-01-01\narxiv: 2401.10010\n---\n");
        assert_eq!(d.line, 4);
        assert!(d.help.unwrap().contains("quotes"));
    }

    #[test]
    fn script_url_in_front_matter_is_dropped() {
        let (paper, diags) =
            parse("---\ntitle: T\ndate: 2024-01-01\ncode: \"javascript:alert(1)\"\n---\n");
        assert!(paper.unwrap().code.is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 4);
    }

    #[test]
    fn all_problems_of_a_file_are_reported() {
        let (_, diags) = parse("---\ndate: 2024-13-01\ntags: [\"!!!\"]\n---\n");
        assert_eq!(
            diags.iter().filter(|d| d.is_error()).count(),
            3,
            "{diags:#?}"
        );
    }
}
