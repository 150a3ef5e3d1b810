//! Citation formats generated from a paper's metadata: BibTeX, RIS,
//! CSL-JSON (downloadable files), and the metadata that indexers read from
//! the paper page (Google Scholar `citation_*` tags, schema.org JSON-LD).

use super::context::{arxiv_url, pdf_url};
use std::fmt::Write;

use serde::Serialize;
use serde_json::json;

use crate::parse::Paper;
use crate::slug::slugify;

/// What kind of publication the venue suggests.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Journal,
    Conference,
    Preprint,
}

fn kind(paper: &Paper) -> Kind {
    match &paper.venue {
        None => Kind::Preprint,
        Some(v) => {
            let v = v.to_lowercase();
            if [
                "journal",
                "transactions",
                "letters",
                "review",
                "tmlr",
                "jmlr",
            ]
            .iter()
            .any(|w| v.contains(w))
            {
                Kind::Journal
            } else {
                Kind::Conference
            }
        }
    }
}

/// `sims2024edge`: first author's family name, year, first title word.
pub fn cite_key(paper: &Paper) -> String {
    let family = paper
        .authors
        .first()
        .map(|a| split_name(a).0)
        .map(|f| slugify(f).replace('-', ""))
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "anon".into());
    let word = paper
        .title
        .split_whitespace()
        .map(|w| slugify(w).replace('-', ""))
        .find(|w| {
            w.len() > 3 && !["the", "from", "with", "towards", "toward"].contains(&w.as_str())
        })
        .unwrap_or_default();
    format!("{family}{}{word}", paper.date.year())
}

/// (family, given): the last word is the family name. Single-word names
/// (and organisations) are all family.
fn split_name(name: &str) -> (&str, &str) {
    match name.rsplit_once(' ') {
        Some((given, family)) => (family, given),
        None => (name, ""),
    }
}

/// Escapes LaTeX specials, keeping `$…$` math in titles as written.
fn latex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_math = false;
    let mut previous = '\0';
    for c in text.chars() {
        if c == '$' && previous != '\\' {
            in_math = !in_math;
            out.push(c);
        } else if in_math {
            out.push(c);
        } else {
            match c {
                '\\' => out.push_str("\\textbackslash{}"),
                '{' | '}' | '&' | '%' | '#' | '_' => {
                    out.push('\\');
                    out.push(c);
                }
                '~' => out.push_str("\\textasciitilde{}"),
                '^' => out.push_str("\\textasciicircum{}"),
                _ => out.push(c),
            }
        }
        previous = c;
    }
    // An unbalanced `$` would break the whole entry: escape them all instead.
    if in_math {
        return latex_escape(&text.replace('$', "\u{0}")).replace('\u{0}', "\\$");
    }
    out
}

pub fn bibtex(paper: &Paper, permalink: &str) -> String {
    let kind = kind(paper);
    let entry = match kind {
        Kind::Journal => "article",
        Kind::Conference => "inproceedings",
        Kind::Preprint => "misc",
    };
    let mut fields: Vec<(&str, String)> =
        vec![("title", format!("{{{}}}", latex_escape(&paper.title)))];
    if !paper.authors.is_empty() {
        let names: Vec<String> = paper.authors.iter().map(latex_escape).collect();
        fields.push(("author", names.join(" and ")));
    }
    fields.push(("year", paper.date.year().to_string()));
    fields.push((
        "month",
        paper.date.strftime("%b").to_string().to_lowercase(),
    ));
    if let Some(venue) = &paper.venue {
        let key = if kind == Kind::Journal {
            "journal"
        } else {
            "booktitle"
        };
        fields.push((key, latex_escape(venue)));
    }
    if let Some(arxiv) = &paper.arxiv {
        fields.push(("eprint", arxiv.clone()));
        fields.push(("archivePrefix", "arXiv".into()));
    }
    if let Some(doi) = &paper.doi {
        fields.push(("doi", latex_escape(doi)));
    }
    let url = paper
        .url
        .clone()
        .or_else(|| paper.arxiv.as_deref().map(arxiv_url))
        .unwrap_or_else(|| permalink.to_string());
    fields.push(("url", url));
    let mut out = format!("@{entry}{{{},\n", cite_key(paper));
    for (name, value) in &fields {
        // `month = feb` is a BibTeX macro and must stay unbraced.
        if *name == "month" {
            let _ = writeln!(out, "  {name} = {value},");
        } else {
            let _ = writeln!(out, "  {name} = {{{value}}},");
        }
    }
    out.push_str("}\n");
    out
}

/// `text`: the abstract, as [`crate::parse::Body`] has it.
pub fn ris(paper: &Paper, text: &str, permalink: &str) -> String {
    let mut out = String::new();
    let mut tag = |t: &str, v: &str| {
        // RIS is line-based: a value must not break the line.
        let v = v.replace(['\r', '\n'], " ");
        let _ = write!(out, "{t}  - {v}\r\n");
    };
    tag(
        "TY",
        match kind(paper) {
            Kind::Journal => "JOUR",
            Kind::Conference => "CONF",
            Kind::Preprint => "UNPB",
        },
    );
    tag("TI", &paper.title);
    for author in &paper.authors {
        let (family, given) = split_name(author);
        if given.is_empty() {
            tag("AU", family);
        } else {
            tag("AU", &format!("{family}, {given}"));
        }
    }
    tag("PY", &paper.date.year().to_string());
    tag("DA", &paper.date.strftime("%Y/%m/%d/").to_string());
    if let Some(venue) = &paper.venue {
        tag("T2", venue);
    }
    if let Some(doi) = &paper.doi {
        tag("DO", doi);
    }
    if let Some(arxiv) = &paper.arxiv {
        tag("N1", &format!("arXiv:{arxiv}"));
    }
    tag("UR", paper.url.as_deref().unwrap_or(permalink));
    if let Some(pdf) = pdf_url(paper) {
        tag("L1", &pdf);
    }
    if !text.is_empty() {
        tag("AB", text);
    }
    for t in &paper.tags {
        tag("KW", t);
    }
    tag("ER", "");
    out
}

/// `text`: the abstract, as [`crate::parse::Body`] has it.
pub fn csl_json(paper: &Paper, text: &str, permalink: &str) -> String {
    let authors: Vec<_> = paper
        .authors
        .iter()
        .map(|a| match split_name(a) {
            (family, "") => json!({ "literal": family }),
            (family, given) => json!({ "family": family, "given": given }),
        })
        .collect();
    let mut item = json!({
        "id": cite_key(paper),
        "type": match kind(paper) {
            Kind::Journal => "article-journal",
            Kind::Conference => "paper-conference",
            Kind::Preprint => "article",
        },
        "title": paper.title,
        "author": authors,
        "issued": { "date-parts": [[paper.date.year(), paper.date.month(), paper.date.day()]] },
        "URL": paper.url.as_deref().unwrap_or(permalink),
    });
    let fields = item.as_object_mut().expect("a JSON object literal");
    if let Some(venue) = &paper.venue {
        fields.insert("container-title".into(), json!(venue));
    }
    if let Some(doi) = &paper.doi {
        fields.insert("DOI".into(), json!(doi));
    }
    if let Some(arxiv) = &paper.arxiv {
        fields.insert("number".into(), json!(format!("arXiv:{arxiv}")));
        if kind(paper) == Kind::Preprint {
            fields.insert("publisher".into(), json!("arXiv"));
        }
    }
    if !text.is_empty() {
        fields.insert("abstract".into(), json!(text));
    }
    if !paper.tags.is_empty() {
        fields.insert("keyword".into(), json!(paper.tags.join(", ")));
    }
    super::html_safe_json(&[item])
}

/// A `<meta name content>` pair.
#[derive(Serialize)]
pub struct Meta {
    pub name: &'static str,
    pub content: String,
}

/// Google Scholar's `citation_*` tags, authors in order, each once.
pub fn scholar_meta(paper: &Paper, permalink: &str) -> Vec<Meta> {
    let mut meta = vec![Meta {
        name: "citation_title",
        content: paper.title.clone(),
    }];
    let mut seen = std::collections::HashSet::new();
    for author in &paper.authors {
        if seen.insert(author) {
            meta.push(Meta {
                name: "citation_author",
                content: author.to_string(),
            });
        }
    }
    meta.push(Meta {
        name: "citation_publication_date",
        content: paper.date.strftime("%Y/%m/%d").to_string(),
    });
    match (kind(paper), &paper.venue) {
        (Kind::Journal, Some(v)) => meta.push(Meta {
            name: "citation_journal_title",
            content: v.clone(),
        }),
        (Kind::Conference, Some(v)) => meta.push(Meta {
            name: "citation_conference_title",
            content: v.clone(),
        }),
        _ => {}
    }
    if let Some(pdf) = pdf_url(paper) {
        meta.push(Meta {
            name: "citation_pdf_url",
            content: pdf,
        });
    }
    if let Some(arxiv) = &paper.arxiv {
        meta.push(Meta {
            name: "citation_arxiv_id",
            content: arxiv.clone(),
        });
    }
    if let Some(doi) = &paper.doi {
        meta.push(Meta {
            name: "citation_doi",
            content: doi.clone(),
        });
    }
    meta.push(Meta {
        name: "citation_abstract_html_url",
        content: permalink.to_string(),
    });
    meta
}

/// schema.org `ScholarlyArticle` as JSON, safe to place inside a
/// `<script>` element: `<`, `>` and `&` are written as `\u` escapes so no
/// field can close the element.
/// `text`: the abstract, as [`crate::parse::Body`] has it.
pub fn json_ld(paper: &Paper, text: &str, permalink: &str, site_title: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let authors: Vec<_> = paper
        .authors
        .iter()
        .filter(|a| seen.insert(*a))
        .map(|a| json!({ "@type": "Person", "name": a }))
        .collect();
    let mut same_as = Vec::new();
    if let Some(arxiv) = &paper.arxiv {
        same_as.push(arxiv_url(arxiv));
    }
    if let Some(doi) = &paper.doi {
        same_as.push(format!("https://doi.org/{doi}"));
    }
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": paper.title,
        "name": paper.title,
        "author": authors,
        "datePublished": paper.date.to_string(),
        "url": permalink,
        "mainEntityOfPage": permalink,
        "isPartOf": { "@type": "WebSite", "name": site_title },
    });
    let fields = value.as_object_mut().expect("a JSON object literal");
    if !text.is_empty() {
        fields.insert("abstract".into(), json!(text));
    }
    if !paper.tags.is_empty() {
        fields.insert("keywords".into(), json!(paper.tags));
    }
    if !same_as.is_empty() {
        fields.insert("sameAs".into(), json!(same_as));
    }
    if let Some(doi) = &paper.doi {
        fields.insert("identifier".into(), json!(format!("doi:{doi}")));
    } else if let Some(arxiv) = &paper.arxiv {
        fields.insert("identifier".into(), json!(format!("arXiv:{arxiv}")));
    }
    if let Some(venue) = &paper.venue {
        fields.insert("publication".into(), json!(venue));
    }
    super::html_safe_json_compact(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper() -> Paper {
        let mut p = crate::model::tests::paper("p", "2024-02-19", &["rl"]);
        p.title = r"The Edge-of-Reach Problem: 100% of $\mathcal{O}(n)$ & more_x".into();
        p.authors = ["Anya Sims", "Yee Whye Teh", "OpenAI", "Anya Sims"].into();
        p.arxiv = Some("2402.12527".into());
        p.doi = Some("10.1/x_y".into());
        p.venue = Some("NeurIPS 2024".into());
        p.body = crate::parse::Body::new("<p>Abs</p>", "Abs </script>");
        p
    }

    #[test]
    fn bibtex_escapes_specials_but_keeps_math() {
        let bib = bibtex(&paper(), "https://x/p/");
        assert!(
            bib.starts_with("@inproceedings{sims2024edgeofreach,\n"),
            "{bib}"
        );
        assert!(
            bib.contains(
                "title = {{The Edge-of-Reach Problem: 100\\% of $\\mathcal{O}(n)$ \\& more\\_x}},"
            ),
            "{bib}"
        );
        assert!(bib.contains("author = {Anya Sims and Yee Whye Teh and OpenAI and Anya Sims},"));
        assert!(bib.contains("month = feb,"));
        assert!(bib.contains("booktitle = {NeurIPS 2024},"));
        assert!(bib.contains("eprint = {2402.12527},"));
        assert!(bib.contains("doi = {10.1/x\\_y},"));
        assert_eq!(latex_escape("costs $5"), "costs \\$5");
    }

    #[test]
    fn ris_and_csl_name_authors_family_first() {
        let ris = ris(&paper(), &paper().body.text(), "https://x/p/");
        assert!(ris.starts_with("TY  - CONF\r\n"));
        assert!(ris.contains("AU  - Teh, Yee Whye\r\n"));
        assert!(ris.contains("AU  - OpenAI\r\n"));
        assert!(ris.contains("DA  - 2024/02/19/\r\n"));
        assert!(ris.ends_with("ER  - \r\n"));
        let csl: serde_json::Value =
            serde_json::from_str(&csl_json(&paper(), &paper().body.text(), "https://x/p/"))
                .unwrap();
        assert_eq!(
            csl[0]["author"][1],
            json!({"family": "Teh", "given": "Yee Whye"})
        );
        assert_eq!(csl[0]["author"][2], json!({"literal": "OpenAI"}));
        assert_eq!(csl[0]["issued"]["date-parts"], json!([[2024, 2, 19]]));
        assert_eq!(csl[0]["type"], "paper-conference");
    }

    #[test]
    fn scholar_tags_list_each_author_once_in_order() {
        let meta = scholar_meta(&paper(), "https://x/p/");
        let authors: Vec<_> = meta
            .iter()
            .filter(|m| m.name == "citation_author")
            .map(|m| m.content.as_str())
            .collect();
        assert_eq!(authors, ["Anya Sims", "Yee Whye Teh", "OpenAI"]);
        assert!(meta.iter().any(
            |m| m.name == "citation_pdf_url" && m.content == "https://arxiv.org/pdf/2402.12527"
        ));
        assert!(
            meta.iter()
                .any(|m| m.name == "citation_publication_date" && m.content == "2024/02/19")
        );
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let ld = json_ld(&paper(), &paper().body.text(), "https://x/p/", "Site");
        assert!(!ld.contains("</script>") && !ld.contains('<'), "{ld}");
        let value: serde_json::Value = serde_json::from_str(&ld).unwrap();
        assert_eq!(value["abstract"], "Abs </script>");
        assert_eq!(value["author"].as_array().unwrap().len(), 3);
        assert_eq!(value["@type"], "ScholarlyArticle");
    }
}
