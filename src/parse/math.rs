//! `$…$` and `$$…$$` to MathML Core at build time, so formulas need no
//! JavaScript in the reader's browser.

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

pub struct Math {
    converter: LatexToMathML,
}

impl Default for Math {
    fn default() -> Self {
        Math {
            // The default configuration defines no macros, so it cannot fail.
            converter: LatexToMathML::new(MathCoreConfig::default())
                .expect("the default math-core configuration is valid"),
        }
    }
}

impl Math {
    /// MathML for `tex`, or the parser's message when the LaTeX is invalid.
    pub fn render(&self, tex: &str, display: bool) -> Result<String, String> {
        let mode = if display {
            MathDisplay::Block
        } else {
            MathDisplay::Inline
        };
        self.converter
            .convert_with_local_state(tex, mode)
            .map(|r| r.mathml)
            .map_err(|e| e.to_string())
    }
}

/// MathML as one line of text for places that cannot hold markup (`<title>`,
/// meta descriptions, card summaries, search): the formula's characters in
/// order, with `^`, `_` and `/` where layout carried the meaning
/// (`V^π(s) = 𝔼[…]`, `a/b`). The annotation holding the TeX is skipped.
pub fn readable(mathml: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(mathml);
    let mut out = String::new();
    // Per open element: its name and how many children it has seen.
    let mut open: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut skip = 0usize;
    let mark = |open: &mut Vec<(Vec<u8>, usize)>, out: &mut String| {
        if let Some((parent, seen)) = open.last_mut() {
            let sign = match (parent.as_slice(), *seen) {
                (b"msup" | b"mover", 1) | (b"msubsup" | b"munderover", 2) => "^",
                (b"msub" | b"munder" | b"msubsup" | b"munderover", 1) => "_",
                (b"mfrac", 1) => "/",
                (b"mroot", 1) => " root ",
                _ => "",
            };
            out.push_str(sign);
            *seen += 1;
        }
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_vec();
                if skip > 0 || name == b"annotation" {
                    skip += 1;
                    continue;
                }
                mark(&mut open, &mut out);
                if name == b"msqrt" {
                    out.push('√');
                }
                open.push((name, 0));
            }
            Ok(Event::Empty(_)) if skip == 0 => mark(&mut open, &mut out),
            Ok(Event::End(_)) => {
                if skip > 0 {
                    skip -= 1;
                } else {
                    open.pop();
                }
            }
            Ok(Event::Text(t)) if skip == 0 => {
                let text = t.xml_content().unwrap_or_default();
                // Named operators (`log`, `max`) read as words.
                let word = text.chars().count() > 1 && text.chars().all(char::is_alphabetic);
                if word {
                    out.push(' ');
                }
                // Variation selectors pick a glyph style; text has no use for them.
                out.extend(
                    text.chars()
                        .filter(|c| !('\u{FE00}'..='\u{FE0F}').contains(c)),
                );
                if word {
                    out.push(' ');
                }
            }
            Ok(Event::GeneralRef(r)) if skip == 0 => {
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                if let Some(c) = quick_xml::escape::resolve_predefined_entity(&name) {
                    out.push_str(c);
                } else if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_read_as_text() {
        let math = Math::default();
        let text = |tex| readable(&math.render(tex, false).unwrap());
        assert_eq!(text(r"V^\pi(s) = \mathbb{E}[r]"), "V^π(s)=𝔼[r]");
        assert_eq!(text(r"\frac{a}{b} < x_i"), "a/b<x_i");
        assert_eq!(text(r"\mathcal{O}(n \log n)"), "𝒪(n log n)");
        assert_eq!(text(r"\sqrt{2}"), "√2");
    }

    #[test]
    fn formulas_from_ml_abstracts() {
        let math = Math::default();
        for (tex, expect) in [
            (r"\sum_{i=1}^{N} x_i", "<munderover>"),
            (r"\frac{a}{b}", "<mfrac>"),
            (r"\hat{\theta}", "<mover"),
            (r"\mathbb{R}^d", "ℝ"),
            (r"\mathcal{O}(n)", "𝒪"),
            (r"\arg\max_\theta p", "arg"),
            (r"x^{2}_{t}", "<msubsup>"),
            (r"\mathbb{E}_{x \sim p}[\log p_\theta(x)]", "𝔼"),
            (r"\nabla_\theta \mathcal{L}", "∇"),
            (r"\|w\|_2^2", "‖"),
            (
                r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}",
                "<mtable",
            ),
            (r"\hat{\pi} = \arg\max_{\pi} J(\pi)", "<munder>"),
        ] {
            let out = math.render(tex, false).unwrap();
            assert!(out.contains(expect), "{tex} → {out}");
        }
        assert!(math.render(r"\frac{a", false).is_err());
        assert!(
            math.render("x", true)
                .unwrap()
                .contains("display=\"block\"")
        );
    }
}
