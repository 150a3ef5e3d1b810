//! `paperfeed check`: lints beyond what a build needs — links in the
//! rendered site and problems in the paper records themselves.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use crate::config::BaseUrl;
use crate::diagnostic::Diagnostic;
use crate::parse::Paper;
use crate::render::{Content, Output};
use crate::slug::slugify;

/// The same paper twice, one person under several spellings, no abstract.
pub fn lint_papers(papers: &[std::sync::Arc<Paper>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut ids: BTreeMap<String, Vec<&Paper>> = BTreeMap::new();
    for paper in papers {
        if let Some(arxiv) = &paper.arxiv {
            ids.entry(format!(
                "arXiv id {}",
                crate::parse::unversioned_arxiv(arxiv)
            ))
            .or_default()
            .push(paper);
        }
        if let Some(doi) = &paper.doi {
            // DOIs are case-insensitive.
            ids.entry(format!("DOI {}", doi.to_lowercase()))
                .or_default()
                .push(paper);
        }
        if paper.body.has_no_text() {
            out.push(
                Diagnostic::warning(&paper.source, "the paper has no abstract")
                    .with_help("put the abstract (or your notes) below the closing ---"),
            );
        }
    }
    for (id, group) in ids.into_iter().filter(|(_, g)| g.len() > 1) {
        let files: Vec<String> = group
            .iter()
            .map(|p| p.source.display().to_string())
            .collect();
        for paper in group {
            out.push(Diagnostic::warning(
                &paper.source,
                format!(
                    "{id} appears in {} files: {}",
                    files.len(),
                    files.join(", ")
                ),
            ));
        }
    }
    out.extend(author_spellings(papers));
    out
}

/// Names that make the same author page but are written differently
/// ("Zoe Muller", "Zoë Müller", "Zoë  Müller"): probably one person typed
/// two ways. Reports each less common spelling once, where it first occurs.
fn author_spellings(papers: &[std::sync::Arc<Paper>]) -> Vec<Diagnostic> {
    let mut by_slug: BTreeMap<String, BTreeMap<&str, (usize, &Path)>> = BTreeMap::new();
    for paper in papers {
        for author in &paper.authors {
            let spellings = by_slug.entry(slugify(author)).or_default();
            spellings.entry(author).or_insert((0, &paper.source)).0 += 1;
        }
    }
    let mut out = Vec::new();
    for spellings in by_slug.values().filter(|s| s.len() > 1) {
        let (common, _) = spellings
            .iter()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.0.cmp(a.0)))
            .expect("more than one spelling");
        for (name, (_, file)) in spellings.iter().filter(|(n, _)| *n != common) {
            out.push(
                Diagnostic::warning(file, format!("author `{name}` is also written `{common}`"))
                    .with_help("write one person's name the same way everywhere"),
            );
        }
    }
    out
}

/// Every `href`/`src` of every HTML page that points into the site must
/// name a file the build writes (under the base path, so sub-path hosting
/// works); other links must at least be well-formed URLs.
pub fn check_links(outputs: &[Output], base: &BaseUrl) -> Vec<Diagnostic> {
    let written: HashSet<&str> = outputs.iter().map(|o| o.path.as_str()).collect();
    let Ok(site) = url::Url::parse(&base.absolute) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for output in outputs {
        let Content::Bytes(bytes) = &output.content else {
            continue;
        };
        if !output.path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let page = match output.path.rsplit_once('/') {
            Some((dir, _)) => site
                .join(&format!("{dir}/"))
                .unwrap_or_else(|_| site.clone()),
            None => site.clone(),
        };
        let mut reported = BTreeSet::new();
        for link in attribute_values(&html) {
            let link = link.replace("&amp;", "&");
            let problem = match page.join(&link) {
                Err(e) => Some(format!("`{link}` is not a valid URL ({e})")),
                Ok(target) if target.origin() != site.origin() => None,
                Ok(target) => match target.path().strip_prefix(base.path.as_str()) {
                    None => Some(format!(
                        "link `{link}` leaves the site's base path {}",
                        base.path
                    )),
                    Some(rest) => {
                        let decoded =
                            percent_encoding::percent_decode_str(rest).decode_utf8_lossy();
                        let file = if decoded.is_empty() || decoded.ends_with('/') {
                            format!("{decoded}index.html")
                        } else {
                            decoded.into_owned()
                        };
                        (!written.contains(file.as_str()))
                            .then(|| format!("link `{link}` does not lead to any page of the site"))
                    }
                },
            };
            if let Some(message) = problem
                && reported.insert(message.clone())
            {
                out.push(Diagnostic::error(
                    Path::new(&format!("public/{}", output.path)),
                    message,
                ));
            }
        }
    }
    out
}

/// Values of `href="…"` and `src="…"` attributes.
fn attribute_values(html: &str) -> Vec<&str> {
    let mut values = Vec::new();
    for name in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(name) {
            rest = &rest[at + name.len()..];
            if let Some(end) = rest.find('"') {
                values.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::paper;

    fn page(path: &str, html: &str) -> Output {
        Output {
            path: path.into(),
            content: Content::Bytes(html.as_bytes().to_vec()),
        }
    }

    #[test]
    fn broken_and_outside_links_are_found() {
        let base = BaseUrl::parse("https://u.github.io/repo/").unwrap();
        let outputs = vec![
            page(
                "index.html",
                r##"<a href="/repo/papers/a/">a</a> <a href="/repo/missing/">m</a> <a href="/tags/">t</a> <img src="x.png"> <a href="https://other.org/">o</a> <a href="#top">top</a>"##,
            ),
            page(
                "papers/a/index.html",
                r#"<a href="../../">home</a> <a href="cite.bib">bib</a>"#,
            ),
            page("papers/a/cite.bib", ""),
        ];
        let problems: Vec<_> = check_links(&outputs, &base)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems.iter().any(|m| m.contains("/repo/missing/")));
        assert!(
            problems
                .iter()
                .any(|m| m.contains("leaves the site's base path"))
        );
        assert!(problems.iter().any(|m| m.contains("x.png")));
    }

    #[test]
    fn records_are_linted() {
        let mut a = paper("a", "2024-01-02", &[]);
        a.arxiv = Some("2401.00001v2".into());
        a.authors = ["Zoë Müller"].into();
        a.body = crate::parse::Body::new("", "abstract");
        let mut b = paper("b", "2024-01-01", &[]);
        b.arxiv = Some("2401.00001".into());
        b.authors = ["Zoe Muller", "Zoë Müller"].into();
        b.body = crate::parse::Body::new("", "abstract");
        let c = paper("c", "2024-01-01", &[]);
        let problems = lint_papers(&[a.into(), b.into(), c.into()]);
        let messages: Vec<_> = problems
            .iter()
            .map(|d| (d.path.display().to_string(), d.message.clone()))
            .collect();
        assert!(
            messages
                .iter()
                .any(|(p, m)| p.ends_with("c.md") && m.contains("no abstract")),
            "{messages:#?}"
        );
        assert_eq!(
            messages
                .iter()
                .filter(|(_, m)| m.contains("arXiv id 2401.00001 appears in 2 files"))
                .count(),
            2
        );
        assert!(
            messages.iter().any(|(p, m)| p.ends_with("b.md")
                && m == "author `Zoe Muller` is also written `Zoë Müller`")
        );
    }
}
