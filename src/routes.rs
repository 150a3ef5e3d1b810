//! The route table: where every kind of output lives and whether the
//! configuration builds it. This is the only module that knows the URL
//! layout and the output policy; the unit plan, page contexts, feeds, the
//! sitemap, the search index, `check` and (through the context it fills)
//! the templates all ask it. Changing a path or what is built by default
//! should touch this file and nothing else.

use serde::{Deserialize, Serialize};

use crate::config::{BaseUrl, Config};

/// A feed format, as named in `site.toml` (`"rss"`, `"atom"`, `"json"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json];

    /// The file name inside the subject's folder.
    pub fn file(self) -> &'static str {
        match self {
            FeedFormat::Rss => "rss.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    /// What readers see on a subscribe link.
    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Rss => "RSS",
            FeedFormat::Atom => "Atom",
            FeedFormat::Json => "JSON Feed",
        }
    }
}

/// Whose feeds: the kinds of subject a feed can follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    Site,
    Tag,
    Author,
    Collection,
    /// The daily digest: one entry per day, at `daily/`.
    Digest,
}

/// Which outputs the site builds: the `[outputs]` table of `site.toml`,
/// resolved. The defaults keep a 10,000-paper site well inside GitHub
/// Pages' 1 GB (the README's "Output size" section has the figures).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Outputs {
    pub site_feeds: Vec<FeedFormat>,
    pub tag_feeds: Vec<FeedFormat>,
    pub author_feeds: Vec<FeedFormat>,
    pub collection_feeds: Vec<FeedFormat>,
    /// The daily digest (`daily/rss.xml`): one entry per day with its
    /// papers ranked by upvotes, for feed-to-email services.
    pub digest_feeds: Vec<FeedFormat>,
    /// An author gets a page (and feeds) from this many papers on; the
    /// others link to a search for their name. 1 gives everyone a page.
    pub author_page_min_papers: usize,
    /// `papers/<slug>/cite.{bib,ris,json}`.
    pub citation_files: bool,
    /// Names per page of the authors index.
    pub authors_per_page: usize,
    /// Author feeds on the feeds page and in `feeds.opml`.
    pub feeds_page_authors: bool,
    /// Author pages as cards with abstracts and author feeds with whole
    /// abstracts; off, pages list titles and feeds carry summaries.
    pub author_abstracts: bool,
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs {
            site_feeds: FeedFormat::ALL.to_vec(),
            tag_feeds: vec![FeedFormat::Rss],
            author_feeds: vec![FeedFormat::Rss],
            collection_feeds: FeedFormat::ALL.to_vec(),
            digest_feeds: vec![FeedFormat::Rss],
            author_page_min_papers: 5,
            citation_files: false,
            authors_per_page: 1000,
            feeds_page_authors: false,
            author_abstracts: false,
        }
    }
}

/// The citation files written beside a paper's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiteFile {
    Bibtex,
    Ris,
    CslJson,
}

impl CiteFile {
    pub const ALL: [CiteFile; 3] = [CiteFile::Bibtex, CiteFile::Ris, CiteFile::CslJson];

    fn file(self) -> &'static str {
        match self {
            CiteFile::Bibtex => "cite.bib",
            CiteFile::Ris => "cite.ris",
            CiteFile::CslJson => "cite.json",
        }
    }
}

/// The sitemap protocol's limit of URLs per file; above it `sitemap.xml`
/// becomes an index of numbered sitemaps.
pub const SITEMAP_URLS_PER_FILE: usize = 50_000;

/// Folders and files that belong to generated output; a static file there
/// would be overwritten, so it is left out (generated output wins).
const GENERATED_DIRS: [&str; 10] = [
    "papers/",
    "tags/",
    "authors/",
    "daily/",
    "archive/",
    "trending/",
    "c/",
    "search/",
    "feeds/",
    "page/",
];
const GENERATED_FILES: [&str; 12] = [
    "index.html",
    "404.html",
    "rss.xml",
    "atom.xml",
    "feed.json",
    "syntax.css",
    "feeds.opml",
    "sitemap.xml",
    "robots.txt",
    ".nojekyll",
    "CNAME",
    // Numbered sitemaps share the prefix; see `sitemap_part`.
    "sitemap-",
];

/// Every address of the site, from the config: site paths (relative to the
/// output folder, folders ending in `/`), links and policy.
#[derive(Clone, Copy)]
pub struct Routes<'a> {
    base: &'a BaseUrl,
    outputs: &'a Outputs,
}

impl<'a> Routes<'a> {
    pub fn new(config: &'a Config) -> Routes<'a> {
        Routes {
            base: &config.base_url,
            outputs: &config.outputs,
        }
    }

    pub fn outputs(&self) -> &'a Outputs {
        self.outputs
    }

    /// Root-relative link to a site path (`/repo/papers/x/`).
    pub fn link(&self, path: &str) -> String {
        self.base.link(path)
    }

    /// Absolute URL of a site path, for feeds, the sitemap and `<link>`s.
    pub fn absolute(&self, path: &str) -> String {
        self.base.absolute(path)
    }

    // ---- pages ----

    pub fn home(&self) -> String {
        String::new()
    }

    /// Page `n` (1-based) of the listing whose first page is at `base`.
    pub fn page(&self, base: &str, n: usize) -> String {
        page_path(base, n)
    }

    pub fn paper(&self, slug: &str) -> String {
        format!("papers/{slug}/")
    }

    pub fn paper_page_file(&self, slug: &str) -> String {
        format!("papers/{slug}/index.html")
    }

    /// A citation file of a paper, when the config writes them.
    pub fn cite(&self, slug: &str, file: CiteFile) -> Option<String> {
        self.outputs
            .citation_files
            .then(|| format!("papers/{slug}/{}", file.file()))
    }

    pub fn tag(&self, slug: &str) -> String {
        format!("tags/{slug}/")
    }

    /// An author's page, when an author with `papers` papers has one.
    pub fn author(&self, slug: &str, papers: usize) -> Option<String> {
        self.author_has_page(papers)
            .then(|| format!("authors/{slug}/"))
    }

    pub fn author_has_page(&self, papers: usize) -> bool {
        papers >= self.outputs.author_page_min_papers.max(1)
    }

    /// Where a link to an author goes: their page, or a search for their
    /// name when they have none.
    pub fn author_link(&self, name: &str, slug: &str, papers: usize) -> String {
        match self.author(slug, papers) {
            Some(path) => self.link(&path),
            None => self.author_search_link(name),
        }
    }

    /// `search/?q=author:"Name"`, which the search page understands.
    /// Only what a query value cannot hold is escaped (ASCII letters,
    /// `:` and `.` stay as they are): the link repeats on every card.
    pub fn author_search_link(&self, name: &str) -> String {
        const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b'#')
            .add(b'&')
            .add(b'+')
            .add(b'%')
            .add(b'<')
            .add(b'>')
            .add(b'\'')
            .add(b'=');
        let query = format!("author:\"{}\"", name.replace('"', ""));
        let encoded = percent_encoding::utf8_percent_encode(&query, QUERY_VALUE).to_string();
        format!("{}?q={encoded}", self.link(&self.search()))
    }

    pub fn day(&self, date: jiff::civil::Date) -> String {
        format!("daily/{date}/")
    }

    pub fn year(&self, year: i16) -> String {
        format!("archive/{year}/")
    }

    pub fn month(&self, year: i16, month: i16) -> String {
        format!("archive/{year}/{month:02}/")
    }

    pub fn collection(&self, slug: &str) -> String {
        format!("c/{slug}/")
    }

    /// This week's trending papers live at `trending/`, the others below it.
    pub fn trending(&self, window: crate::model::Window) -> String {
        use crate::model::Window;
        match window {
            Window::Week => "trending/",
            Window::Month => "trending/month/",
            Window::All => "trending/all/",
        }
        .into()
    }

    pub fn archive(&self) -> String {
        "archive/".into()
    }

    pub fn tags_index(&self) -> String {
        "tags/".into()
    }

    /// The first page of the authors index.
    pub fn authors_index(&self) -> String {
        "authors/".into()
    }

    pub fn search(&self) -> String {
        "search/".into()
    }

    pub fn feeds_index(&self) -> String {
        "feeds/".into()
    }

    pub fn opml(&self) -> String {
        "feeds.opml".into()
    }

    pub fn not_found(&self) -> String {
        "404.html".into()
    }

    pub fn syntax_css(&self) -> String {
        "syntax.css".into()
    }

    // ---- feeds ----

    /// The formats a kind of subject gets.
    pub fn feed_formats(&self, kind: SubjectKind) -> &'a [FeedFormat] {
        let o = self.outputs;
        match kind {
            SubjectKind::Site => &o.site_feeds,
            SubjectKind::Tag => &o.tag_feeds,
            SubjectKind::Author => &o.author_feeds,
            SubjectKind::Collection => &o.collection_feeds,
            SubjectKind::Digest => &o.digest_feeds,
        }
    }

    /// Where the daily digest's feeds live (`daily/rss.xml`, …).
    pub fn digest(&self) -> String {
        "daily/".into()
    }

    /// The feed of the subject whose page is at `page`, in `format`.
    pub fn feed(&self, page: &str, format: FeedFormat) -> String {
        format!("{page}{}", format.file())
    }

    /// Whether feeds of this kind carry whole abstracts (else summaries).
    pub fn feed_abstracts(&self, kind: SubjectKind) -> bool {
        kind != SubjectKind::Author || self.outputs.author_abstracts
    }

    /// Whether author pages show cards (else a list of titles).
    pub fn author_cards(&self) -> bool {
        self.outputs.author_abstracts
    }

    /// Whether the feeds page and OPML list author feeds.
    pub fn feeds_page_lists_authors(&self) -> bool {
        self.outputs.feeds_page_authors
    }

    // ---- the rest ----

    /// `sitemap.xml`: the only sitemap, or the index of the numbered ones.
    pub fn sitemap(&self) -> String {
        "sitemap.xml".into()
    }

    /// The `n`-th (1-based) of the numbered sitemaps an index points to.
    pub fn sitemap_part(&self, n: usize) -> String {
        format!("sitemap-{n}.xml")
    }

    pub fn robots(&self) -> String {
        "robots.txt".into()
    }

    pub fn nojekyll(&self) -> String {
        ".nojekyll".into()
    }

    pub fn cname(&self) -> String {
        "CNAME".into()
    }

    pub fn search_meta(&self) -> String {
        "search/meta.json".into()
    }

    /// A postings fragment of the search index; `name` is file-name safe.
    pub fn search_fragment(&self, name: &str) -> String {
        format!("search/f/{name}.json")
    }

    /// The `n`-th chunk of search result cards.
    pub fn search_cards(&self, n: usize) -> String {
        self.search_cards_pattern().replace("{}", &n.to_string())
    }

    /// [`Self::search_cards`] with `{}` for the number, for `search.js`.
    pub fn search_cards_pattern(&self) -> String {
        "search/cards/{}.json".into()
    }

    /// The part of the site a page at `path` belongs to, for the nav: a
    /// tag page is under `tags`, a day or an archive month under `archive`.
    pub fn section(path: &str) -> &'static str {
        match path.split('/').next().unwrap_or("") {
            "trending" => "trending",
            "archive" | "daily" => "archive",
            "tags" => "tags",
            "authors" => "authors",
            "feeds" | "c" => "feeds",
            "search" => "search",
            _ => "papers",
        }
    }

    /// Whether `path` is part of the search index (which browsers do not
    /// show as a page).
    pub fn in_search_index(path: &str) -> bool {
        path.starts_with("search/") && path != "search/index.html"
    }

    /// Paths that generated output owns, where a static file of the same
    /// name is left out.
    pub fn is_generated(path: &str) -> bool {
        GENERATED_FILES
            .iter()
            .any(|f| path == *f || (f.ends_with('-') && path.starts_with(f)))
            || GENERATED_DIRS.iter().any(|d| path.starts_with(d))
    }
}

/// Site path of page `n` of the listing at `base` (`""` or ending in `/`).
pub fn page_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> Config {
        Config::parse(toml, std::path::Path::new("site.toml")).unwrap()
    }

    #[test]
    fn authors_below_the_threshold_link_to_a_search() {
        let c = config("base_url = \"https://u.github.io/repo/\"");
        let r = Routes::new(&c);
        assert_eq!(r.author("zoe", 5).as_deref(), Some("authors/zoe/"));
        assert_eq!(r.author("zoe", 4), None);
        assert_eq!(
            r.author_link("Zoë \"Z\" Li", "zoe-z-li", 1),
            "/repo/search/?q=author:%22Zo%C3%AB%20Z%20Li%22"
        );
        let everyone = config("[outputs]\nauthor_page_min_papers = 1\n");
        assert!(Routes::new(&everyone).author_has_page(1));
    }

    #[test]
    fn citation_files_can_be_turned_on() {
        let c = config("");
        assert_eq!(Routes::new(&c).cite("x", CiteFile::Ris), None);
        let c = config("[outputs]\ncitation_files = true\n");
        assert_eq!(
            Routes::new(&c).cite("x", CiteFile::Ris).as_deref(),
            Some("papers/x/cite.ris")
        );
    }

    #[test]
    fn generated_paths_include_numbered_sitemaps() {
        assert!(Routes::is_generated("sitemap-3.xml"));
        assert!(Routes::is_generated("tags/x/index.html"));
        assert!(!Routes::is_generated("style.css"));
    }

    #[test]
    fn pages_after_the_first_live_under_page() {
        assert_eq!(page_path("", 1), "");
        assert_eq!(page_path("tags/rl/", 3), "tags/rl/page/3/");
    }
}
