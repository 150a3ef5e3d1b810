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
                    Ok(mathml) => {
                        out.text.push_str(&super::math::readable(&mathml));
                        if display {
                            // A wide formula scrolls on its own, not the
                            // page; focusable so a keyboard can scroll it.
                            format!("<span class=\"math-display\" tabindex=\"0\">{mathml}</span>")
                        } else {
                            mathml
                        }
                    }
                    Err(message) => {
                        out.warnings.push((
                            range.start,
                            format!("invalid LaTeX, shown as source: {message}"),
                        ));
                        out.text.push_str(tex);
                        format!("<code class=\"math-error\">{}</code>", escape(tex))
                    }
                };
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
            Event::Text(ref t) if t.contains('\\') => {
                let text = latex_links(t, range.start, &mut events, &mut out.warnings);
                out.text.push_str(&text);
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

/// `\\url{x}` and `\\href{x}{text}` (arXiv abstracts are full of them) as
/// links, the rest of `text` as text. Unsafe URLs become plain text.
/// Returns the text a reader sees (the labels, not the commands).
fn latex_links<'a>(
    text: &str,
    offset: usize,
    events: &mut Vec<Event<'a>>,
    warnings: &mut Vec<(usize, String)>,
) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = [rest.find("\\url{"), rest.find("\\href{")]
        .into_iter()
        .flatten()
        .min()
    {
        let href = rest[at..].starts_with("\\href{");
        let open = at + if href { 6 } else { 5 };
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let url = &rest[open..open + close];
        let mut end = open + close + 1;
        let mut label = url;
        if href {
            let Some(label_len) = rest[end..].strip_prefix('{').and_then(|l| l.find('}')) else {
                break;
            };
            label = &rest[end + 1..end + 1 + label_len];
            end += label_len + 2;
        }
        events.push(Event::Text(rest[..at].to_string().into()));
        plain.push_str(&rest[..at]);
        plain.push_str(label);
        let dest = checked_url(CowStr::from(url.to_string()), offset, warnings);
        if dest.is_empty() {
            events.push(Event::Text(label.to_string().into()));
        } else {
            events.push(Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Inline,
                dest_url: dest,
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }));
            events.push(Event::Text(label.to_string().into()));
            events.push(Event::End(TagEnd::Link));
        }
        rest = &rest[end..];
    }
    events.push(Event::Text(rest.to_string().into()));
    plain.push_str(rest);
    plain
}

/// A title as HTML: text escaped, `$…$` (and `$$…$$`) as inline MathML.
/// A `$` without a partner, or escaped as `\$`, stays a dollar sign.
/// Returns the HTML, the title as plain text for places that cannot hold
/// markup (formulas as [`super::math::readable`] text, no `$`), and a message
/// per formula that failed to convert.
pub fn title_html(title: &str, math: &Math) -> (String, String, Vec<String>) {
    let mut html = String::with_capacity(title.len() + 16);
    let mut text = String::with_capacity(title.len());
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
        let before = rest[..start].replace("\\$", "$");
        html.push_str(&escape(&before));
        text.push_str(&before);
        match math.render(tex, false) {
            Ok(mathml) if !tex.trim().is_empty() => {
                html.push_str(&mathml);
                text.push_str(&super::math::readable(&mathml));
            }
            Ok(_) => {
                let source = format!("{delimiter}{tex}{delimiter}");
                html.push_str(&escape(&source));
                text.push_str(&source);
            }
            Err(message) => {
                text.push_str(tex);
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
    let rest = rest.replace("\\$", "$");
    html.push_str(&escape(&rest));
    text.push_str(&rest);
    (html, text, problems)
}

/// Byte offset of the first `$` not escaped with a backslash.
fn find_dollar(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'$' && (i == 0 || bytes[i - 1] != b'\\'))
}

/// Whether rendered `html` holds a code block (and so needs `syntax.css`).
pub fn has_code(html: &str) -> bool {
    html.contains(CODE_BLOCK)
}

const CODE_BLOCK: &str = "<pre class=\"code\">";

fn code_block(highlighter: &Highlighter, lang: &str, code: &str) -> String {
    let token = lang.split([',', ' ']).next().unwrap_or("").trim();
    let (class, inner) = match highlighter.highlight(token, code) {
        Some(html) => (format!(" class=\"language-{}\"", escape(token)), html),
        None => (String::new(), escape(code)),
    };
    format!("{CODE_BLOCK}<code{class}>{inner}</code></pre>\n")
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
        let (html, text, problems) =
            title_html("Bounds <b> $\\mathcal{O}(n)$ & \\$5 for $x", &math);
        assert_eq!(text, "Bounds <b> 𝒪(n) & $5 for $x");
        assert!(html.starts_with("Bounds &lt;b&gt; <math>"), "{html}");
        assert!(html.ends_with("&amp; $5 for $x"), "{html}");
        assert!(problems.is_empty());
        let (html, _, problems) = title_html("Bad $\\frac{a}$ formula", &math);
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

    #[test]
    fn latex_links_and_wide_formulas() {
        let links = html(
            "Code at \\url{https://github.com/a_b/c_d} and \\href{https://x.org/p}{our page}; \\url{javascript:x} no.",
        );
        assert!(
            links
                .html
                .contains("<a href=\"https://github.com/a_b/c_d\">https://github.com/a_b/c_d</a>"),
            "{}",
            links.html
        );
        assert!(
            links
                .html
                .contains("<a href=\"https://x.org/p\">our page</a>;"),
            "{}",
            links.html
        );
        assert!(!links.html.contains("href=\"javascript"), "{}", links.html);
        assert!(!links.html.contains("\\url"), "{}", links.html);
        assert!(
            !links.text.contains("\\url") && links.text.contains("our page"),
            "{}",
            links.text
        );
        let wide = html("$$\\sum_i x_i$$");
        assert!(
            wide.html
                .contains("<span class=\"math-display\" tabindex=\"0\"><math"),
            "{}",
            wide.html
        );
        assert!(wide.text.contains("∑"), "{}", wide.text);
    }
}
