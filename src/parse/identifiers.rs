//! arXiv identifiers and DOIs: recognising them and writing them one way,
//! so the parser, the feeds, the linter and the importer agree.

/// New-style `YYMM.NNNN(N)` or old-style `archive(.SUB)/YYMMNNN`, each with
/// an optional `vN` version.
pub fn is_arxiv_id(id: &str) -> bool {
    let unversioned = unversioned_arxiv(id);
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if let Some((yymm, number)) = unversioned.split_once('.')
        && digits(yymm, 4, 4)
        && digits(number, 4, 5)
    {
        return true;
    }
    if let Some((archive, number)) = unversioned.split_once('/') {
        return digits(number, 7, 7)
            && !archive.is_empty()
            && archive
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'.');
    }
    false
}

/// The id without its `vN` version: versions of a paper are one paper.
pub fn unversioned_arxiv(id: &str) -> &str {
    match id.rsplit_once('v') {
        Some((head, v))
            if !v.is_empty()
                && v.bytes().all(|b| b.is_ascii_digit())
                && head.contains(['.', '/']) =>
        {
            head
        }
        _ => id,
    }
}

/// A DOI without the URL or `doi:` prefix people paste with it.
pub fn bare_doi(doi: &str) -> &str {
    let doi = doi.trim();
    [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ]
    .iter()
    .find_map(|p| doi.strip_prefix(p))
    .unwrap_or(doi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_id_shapes() {
        for ok in [
            "2402.12527",
            "2402.12527v3",
            "0704.0001",
            "hep-th/9901001",
            "math.GT/0309136v2",
        ] {
            assert!(is_arxiv_id(ok), "{ok}");
        }
        for bad in ["", "2402", "24a2.12527", "2402.123", "../x", "2402.12527v"] {
            assert!(!is_arxiv_id(bad), "{bad}");
        }
    }

    #[test]
    fn versions_and_prefixes_are_dropped() {
        assert_eq!(unversioned_arxiv("2402.12527v3"), "2402.12527");
        assert_eq!(unversioned_arxiv("hep-th/9901001v2"), "hep-th/9901001");
        assert_eq!(unversioned_arxiv("solv-int/9901001"), "solv-int/9901001");
        assert_eq!(bare_doi(" https://doi.org/10.1/x "), "10.1/x");
        assert_eq!(bare_doi("doi:10.1/x"), "10.1/x");
    }
}
