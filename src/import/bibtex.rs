//! BibTeX and BibLaTeX, parsed by the `biblatex` crate (which also decodes
//! TeX accents such as `{\"u}` into `ü`).

use biblatex::{Bibliography, ChunksExt, Entry};

use super::{Rejected, arxiv_from_url, bare_doi, split_keywords};
use crate::scaffold::NewPaper;

pub fn parse(text: &str) -> Result<Vec<Result<NewPaper, Rejected>>, String> {
    let text = dotless_accents(text);
    let bibliography = Bibliography::parse(&text).map_err(|e| format!("not valid BibTeX: {e}"))?;
    if bibliography.iter().next().is_none() && text.contains(['<', '{']) {
        return Err("no BibTeX entries (`@article{…}`) found: is this the right format?".into());
    }
    Ok(bibliography
        .iter()
        .map(|entry| Ok(convert(entry)))
        .collect())
}

/// `{\'\i}` and `\'{\i}` (Google Scholar and DBLP write García so) put the
/// accent on a dotless i, which the parser leaves as a stray `\i`: the
/// accented letter is meant, so the accent goes on a plain `i` (or `j`).
fn dotless_accents(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\i") && !text.contains("\\j") {
        return text.into();
    }
    let mut out = text.to_string();
    for accent in ['\'', '"', '^', '`', '~', '='] {
        for letter in ['i', 'j'] {
            // A space after `\\i` ends the control word, as in TeX.
            for (from, to) in [
                (
                    format!("\\{accent}{{\\{letter}}}"),
                    format!("\\{accent}{{{letter}}}"),
                ),
                (
                    format!("\\{accent}\\{letter} "),
                    format!("\\{accent}{{{letter}}}"),
                ),
                (
                    format!("\\{accent}\\{letter}"),
                    format!("\\{accent}{{{letter}}}"),
                ),
            ] {
                out = out.replace(&from, &to);
            }
        }
    }
    out.into()
}

fn field(entry: &Entry, name: &str) -> Option<String> {
    let value = entry.get(name)?.format_verbatim();
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    (!value.is_empty()).then_some(value)
}

fn convert(entry: &Entry) -> NewPaper {
    let authors = entry
        .author()
        .map(|people| {
            people
                .into_iter()
                .map(|p| {
                    [p.given_name, p.prefix, p.name, p.suffix]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                // `and others` is BibTeX's "et al.", not a person.
                .filter(|name| name != "others")
                .collect()
        })
        .unwrap_or_default();
    let archive = field(entry, "archiveprefix").or_else(|| field(entry, "eprinttype"));
    let arxiv = field(entry, "eprint")
        .filter(|_| {
            archive
                .as_deref()
                .is_none_or(|a| a.eq_ignore_ascii_case("arxiv"))
        })
        .or_else(|| field(entry, "url").as_deref().and_then(arxiv_from_url));
    let url = field(entry, "url").filter(|u| arxiv_from_url(u).is_none());
    NewPaper {
        title: field(entry, "title").unwrap_or_default(),
        date: date(entry),
        authors,
        tags: field(entry, "keywords")
            .map(|k| split_keywords(&k))
            .unwrap_or_default(),
        arxiv,
        doi: field(entry, "doi").as_deref().map(bare_doi),
        url,
        venue: field(entry, "journal")
            .or_else(|| field(entry, "journaltitle"))
            .or_else(|| field(entry, "booktitle")),
        abstract_text: field(entry, "abstract").unwrap_or_default(),
        ..NewPaper::default()
    }
}

/// From `date = {2024-02-19}` (BibLaTeX) or `year`/`month`/`day` (BibTeX);
/// a missing month or day is the first of the period.
fn date(entry: &Entry) -> Option<jiff::civil::Date> {
    if let Some(date) = field(entry, "date") {
        let mut parts = date.split('-').map(|p| p.trim().parse::<i16>().ok());
        let year = parts.next().flatten()?;
        let month = parts.next().flatten().unwrap_or(1);
        let day = parts.next().flatten().unwrap_or(1);
        return jiff::civil::Date::new(year, month as i8, day as i8).ok();
    }
    let year: i16 = field(entry, "year")?.trim().parse().ok()?;
    // arXiv's BibTeX has no month, but a new-style id (`2402.12527`) says
    // year and month: trust it when its year agrees.
    let from_id = || {
        let id = field(entry, "eprint")?;
        let (yymm, _) = id.split_once('.')?;
        let (yy, mm) = (
            yymm.get(..2)?.parse::<i16>().ok()?,
            yymm.get(2..4)?.parse::<i8>().ok()?,
        );
        (yymm.len() == 4 && yy == year % 100 && (1..=12).contains(&mm)).then_some(mm)
    };
    let month = field(entry, "month").map_or_else(|| from_id().unwrap_or(1), |m| month_number(&m));
    let day: i8 = field(entry, "day")
        .and_then(|d| d.trim().parse().ok())
        .unwrap_or(1);
    jiff::civil::Date::new(year, month, day).ok()
}

/// `jun`, `June`, `6` → 6.
fn month_number(month: &str) -> i8 {
    let m = month.trim().to_lowercase();
    if let Ok(n) = m.parse::<i8>() {
        return n;
    }
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    NAMES
        .iter()
        .position(|n| m.starts_with(n))
        .map_or(1, |i| i as i8 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(bib: &str) -> NewPaper {
        parse(bib).unwrap().remove(0).unwrap()
    }

    #[test]
    fn arxiv_bibtex_gets_its_month_from_the_id() {
        let p = one(
            "@misc{s, title={T}, author={Sims, Anya}, year={2024}, eprint={2402.12527}, archivePrefix={arXiv}}",
        );
        assert_eq!(p.date.unwrap().to_string(), "2024-02-01");
        let p = one("@misc{s, title={T}, year={2023}, eprint={2402.12527}}");
        assert_eq!(
            p.date.unwrap().to_string(),
            "2023-01-01",
            "a year that disagrees wins"
        );
    }

    #[test]
    fn accents_on_a_dotless_i_read_as_the_letter() {
        for written in [r"Garc{\'\i}a", r"Garc\'{\i}a", r"Garc\'\i a"] {
            let p = one(&format!(
                "@article{{g, title={{T}}, author={{{written}, Jos{{\\'e}}}}, year={{2020}}}}"
            ));
            assert_eq!(p.authors, ["José García"], "{written}");
        }
    }

    #[test]
    fn a_file_that_is_not_bibtex_is_an_error() {
        assert!(parse("<rss><channel><item><title>x</title></item></channel></rss>").is_err());
        assert!(parse("").unwrap().is_empty());
    }
}
