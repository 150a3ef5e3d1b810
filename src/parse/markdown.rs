//! Markdown bodies to HTML: the one place that owns the pulldown-cmark
//! options, and the event rewrites that make paper abstracts safe and rich
//! (highlighted code, MathML, no raw HTML unless the site trusts its content).

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use super::highlight::Highlighter;
use super::math::Math;

/// Shared, read-only tools a body needs; created once per build.
pub struct Renderers<'a> {
    pub highlighter: &'a Highlighter,
    pub math: &'a Math,
    pub unsafe_html: bool,
    /// The site's base path (`/repo/`): root-relative links in content get
    /// it prepended so they keep working when the site lives under a sub-path.
    pub base_path: &'a str,
}

/// A rendered body and the plain text cards show as its opening.
#[derive(Debug, Default)]
pub struct RenderedBody {
    pub html: String,
    pub text: String,
    /// (byte offset in the body, message) for problems worth a warning.
    pub warnings: Vec<(usize, String)>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_MATH
}

pub fn render(body: &str, tools: &Renderers) -> RenderedBody {
    let mut out = RenderedBody::default();
    let mut events: Vec<Event> = Vec::new();
    let mut code: Option<(String, String)> = None; // (language, text so far)
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        if let Some((lang, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    out.text.push_str(text);
                    out.text.push(' ');
                    events.push(Event::Html(
                        code_block(tools.highlighter, lang, text).into(),
                    ));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) => lang.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::InlineMath(ref tex) | Event::DisplayMath(ref tex) => {
                let display = matches!(event, Event::DisplayMath(_));
                let html = match tools.math.render(tex, display) {
                    Ok(mathml) => mathml,
                    Err(message) => {
                        out.warnings.push((
                            range.start,
                            format!("invalid LaTeX, shown as source: {message}"),
                        ));
                        format!("<code class=\"math-error\">{}</code>", escape(tex))
                    }
                };
                out.text.push_str(tex);
                events.push(Event::InlineHtml(html.into()));
            }
            Event::Html(html) | Event::InlineHtml(html) if !tools.unsafe_html => {
                out.text.push_str(&html);
                events.push(Event::Text(html));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = checked_url(dest_url, range.start, &mut out.warnings);
                let dest_url = under_base(dest_url, tools.base_path);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = checked_url(dest_url, range.start, &mut out.warnings);
                let dest_url = under_base(dest_url, tools.base_path);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                out.text.push_str(t);
                events.push(event);
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => {
                out.text.push(' ');
                events.push(event);
            }
            other => events.push(other),
        }
    }
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out
}

/// A title as HTML: text escaped, `$…$` (and `$$…$$`) as inline MathML.
/// A `$` without a partner, or escaped as `\$`, stays a dollar sign.
/// Returns the HTML and a message per formula that failed to convert.
pub fn title_html(title: &str, math: &Math) -> (String, Vec<String>) {
    let mut html = String::with_capacity(title.len() + 16);
    let mut problems = Vec::new();
    let mut rest = title;
    while let Some(start) = find_dollar(rest) {
        let delimiter = if rest[start..].starts_with("$$") {
            "$$"
        } else {
            "$"
        };
        let inner_from = start + delimiter.len();
        let Some(len) = rest[inner_from..].find(delimiter) else {
            break;
        };
        let tex = &rest[inner_from..inner_from + len];
        html.push_str(&escape(&rest[..start].replace("\\$", "$")));
        match math.render(tex, false) {
            Ok(mathml) if !tex.trim().is_empty() => html.push_str(&mathml),
            Ok(_) => html.push_str(&escape(&format!("{delimiter}{tex}{delimiter}"))),
            Err(message) => {
                problems.push(format!(
                    "invalid LaTeX in the title, shown as source: {message}"
                ));
                html.push_str(&format!(
                    "<code class=\"math-error\">{}</code>",
                    escape(tex)
                ));
            }
        }
        rest = &rest[inner_from + len + delimiter.len()..];
    }
    html.push_str(&escape(&rest.replace("\\$", "$")));
    (html, problems)
}

/// Byte offset of the first `$` not escaped with a backslash.
fn find_dollar(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'$' && (i == 0 || bytes[i - 1] != b'\\'))
}

fn code_block(highlighter: &Highlighter, lang: &str, code: &str) -> String {
    let token = lang.split([',', ' ']).next().unwrap_or("").trim();
    let (class, inner) = match highlighter.highlight(token, code) {
        Some(html) => (format!(" class=\"language-{}\"", escape(token)), html),
        None => (String::new(), escape(code)),
    };
    format!("<pre class=\"code\"><code{class}>{inner}</code></pre>\n")
}

/// Schemes a link in content may use; anything else (`javascript:`,
/// `data:`, `vbscript:` …) could run script in the reader's browser.
const SAFE_SCHEMES: [&str; 4] = ["http", "https", "mailto", "ftp"];

/// The URL if it is safe to emit, otherwise an empty one plus a warning.
fn checked_url<'a>(
    url: CowStr<'a>,
    offset: usize,
    warnings: &mut Vec<(usize, String)>,
) -> CowStr<'a> {
    if is_safe_url(&url) {
        url
    } else {
        warnings.push((
            offset,
            format!("link to `{url}` dropped: only http(s), mailto and relative links are allowed"),
        ));
        CowStr::Borrowed("")
    }
}

/// `/tags/` → `/repo/tags/`; other URLs unchanged.
fn under_base<'a>(url: CowStr<'a>, base_path: &str) -> CowStr<'a> {
    match url.strip_prefix('/') {
        Some(rest) if !rest.starts_with('/') && base_path != "/" => {
            CowStr::from(format!("{base_path}{rest}"))
        }
        _ => url,
    }
}

/// True for relative URLs and the schemes in [`SAFE_SCHEMES`]. Browsers
/// ignore ASCII whitespace and control characters inside a scheme, so they
/// are stripped before looking at it.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect();
    match cleaned.find(':') {
        None => true,
        Some(colon) => {
            let before = &cleaned[..colon];
            // A colon after a path, query or fragment start is not a scheme.
            if before.contains(['/', '?', '#']) {
                return true;
            }
            SAFE_SCHEMES.iter().any(|s| before.eq_ignore_ascii_case(s))
        }
    }
}

/// HTML-escapes text for element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(body: &str) -> RenderedBody {
        let tools = crate::parse::Tools::default();
        render(body, &tools.renderers(false, "/repo/"))
    }

    #[test]
    fn extensions_are_on() {
        let out = html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~ \"q\" note[^1]\n\n[^1]: f\n");
        assert!(out.html.contains("<table>"), "{}", out.html);
        assert!(out.html.contains("<del>x</del>"));
        assert!(out.html.contains("\u{201c}q\u{201d}"));
        assert!(out.html.contains("footnote-definition"));
    }

    #[test]
    fn fenced_code_is_highlighted_with_classes_and_unknown_is_plain() {
        let out = html("```python\nx = 1\n```\n\n```nosuchlang\n<b>\n```\n");
        assert!(
            out.html.contains("<code class=\"language-python\">"),
            "{}",
            out.html
        );
        assert!(out.html.contains("hl-"));
        assert!(
            out.html
                .contains("<pre class=\"code\"><code>&lt;b&gt;\n</code></pre>"),
            "{}",
            out.html
        );
        assert!(out.warnings.is_empty());
    }

    #[test]
    fn raw_html_is_escaped_by_default() {
        let out = html("hi <script>alert(1)</script>\n\n<div onclick=x>y</div>\n");
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(!out.html.contains("<div"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn script_links_are_dropped_with_a_warning() {
        let out =
            html("[a](javascript:alert(1)) [b](https://x.org) [c](JaVaScRiPt:x) [d](../rel:x)");
        assert!(
            !out.html.to_lowercase().contains("javascript"),
            "{}",
            out.html
        );
        assert!(out.html.contains("href=\"https://x.org\""));
        assert!(out.html.contains("href=\"../rel:x\""));
        assert_eq!(out.warnings.len(), 2);
    }

    #[test]
    fn root_relative_links_get_the_base_path() {
        let out = html("[t](/tags/) [p](../x/) [w](https://a.org/) [n](//cdn.example/x)");
        assert!(out.html.contains("href=\"/repo/tags/\""), "{}", out.html);
        assert!(out.html.contains("href=\"../x/\""));
        assert!(out.html.contains("href=\"//cdn.example/x\""));
    }

    #[test]
    fn math_becomes_mathml_and_bad_latex_falls_back() {
        let out = html("Loss $\\hat{y}_i$ and $$\\sum_{i=1}^N x_i$$ and $\\frac{a}$.");
        assert!(out.html.contains("<math"), "{}", out.html);
        assert!(out.html.contains("display=\"block\""), "{}", out.html);
        assert!(
            out.html
                .contains("<code class=\"math-error\">\\frac{a}</code>"),
            "{}",
            out.html
        );
        assert_eq!(out.warnings.len(), 1);
    }

    #[test]
    fn titles_get_math_and_escaping() {
        let math = Math::default();
        let (html, problems) = title_html("Bounds <b> $\\mathcal{O}(n)$ & \\$5 for $x", &math);
        assert!(html.starts_with("Bounds &lt;b&gt; <math>"), "{html}");
        assert!(html.ends_with("&amp; $5 for $x"), "{html}");
        assert!(problems.is_empty());
        let (html, problems) = title_html("Bad $\\frac{a}$ formula", &math);
        assert!(
            html.contains("<code class=\"math-error\">\\frac{a}</code>"),
            "{html}"
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(title_html("plain", &math).0, "plain");
    }

    #[test]
    fn plain_text_keeps_words_apart() {
        let out = html("First para.\nSame para.\n\nSecond *para*.");
        assert_eq!(
            out.text.split_whitespace().collect::<Vec<_>>().join(" "),
            "First para. Same para. Second para."
        );
    }
}
