//! Problems found in the user's input, as values.
//!
//! Every stage that reads user input reports through [`Diagnostic`] so the CLI
//! can print all problems of a run together, sorted by file, with the line the
//! problem is on and a caret under the column.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one file, located as precisely as the parser allows.
/// Serializes as the `--format json` record (and into the parse cache).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub column: usize,
    pub message: String,
    /// What the user should do about it.
    pub help: Option<String>,
    /// The offending source line, for the snippet.
    pub snippet: Option<String>,
}

impl Diagnostic {
    pub fn error(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            snippet: None,
        }
    }

    pub fn warning(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    /// Points the diagnostic at `line:column` of `source` (the whole file's text).
    pub fn at(mut self, source: &str, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column;
        self.snippet = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: path, then position, errors before warnings at the same place.
    pub fn sort_all(diagnostics: &mut [Diagnostic]) {
        diagnostics.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
        });
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(snippet) = &self.snippet {
            let gutter = self.line.to_string();
            let pad = " ".repeat(gutter.len());
            // Long lines (megabyte titles) are cut so the report stays readable.
            let shown: String = snippet.chars().take(160).collect();
            write!(f, "\n{pad} |\n{gutter} | {shown}")?;
            if self.column > 0 {
                let caret_at: String = shown
                    .chars()
                    .take(self.column - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{pad} | {caret_at}^")?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_location_snippet_and_caret() {
        let source = "---\ntitle: x\ndate: 2024-02-30\n---\n";
        let d = Diagnostic::error(Path::new("content/papers/a.md"), "not a date")
            .at(source, 3, 7)
            .with_help("use YYYY-MM-DD");
        let text = d.to_string();
        assert!(
            text.starts_with("error: content/papers/a.md:3:7: not a date"),
            "{text}"
        );
        assert!(text.contains("3 | date: 2024-02-30"), "{text}");
        assert!(text.contains("  |       ^"), "{text}");
        assert!(text.ends_with("= help: use YYYY-MM-DD"), "{text}");
    }

    #[test]
    fn sorted_by_path_then_line() {
        let mut all = vec![
            Diagnostic::error(Path::new("b.md"), "x"),
            Diagnostic::warning(Path::new("a.md"), "y").at("1\n2\n3", 3, 1),
            Diagnostic::error(Path::new("a.md"), "z").at("1\n2", 2, 1),
        ];
        Diagnostic::sort_all(&mut all);
        let order: Vec<_> = all
            .iter()
            .map(|d| (d.path.to_str().unwrap(), d.line))
            .collect();
        assert_eq!(order, [("a.md", 2), ("a.md", 3), ("b.md", 0)]);
    }
}
