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

#[cfg(test)]
mod tests {
    use super::*;

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
