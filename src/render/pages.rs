//! HTML pages: one function per page kind, each returning `(site path, html)`.

use serde::Serialize;

use super::cite;
use super::context::{
    FeedLink, PageMeta, PagerCtx, PaperCtx, PaperRef, SiteCtx, TermSummary, display_date,
    feed_links,
};
use super::theme::Theme;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::{Site, Term, Window, names, page_count, pager};
use crate::routes::{CiteFile, Routes, SubjectKind};

/// What every page renderer needs.
pub struct Env<'a> {
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub site: SiteCtx<'a>,
    pub routes: Routes<'a>,
}

pub type Page = (String, String);

impl Env<'_> {
    fn render(&self, template: &str, ctx: &impl Serialize) -> Result<String, Diagnostic> {
        let context = tera::Context::from_serialize(ctx).map_err(|e| {
            Diagnostic::error(
                std::path::Path::new(template),
                format!("cannot build template context: {e}"),
            )
        })?;
        self.theme.render(template, &context)
    }

    /// Page facts; every page links the site's feeds, then `own_feeds`.
    fn meta(&self, title: String, path: &str, mut own_feeds: Vec<FeedLink>) -> PageMeta {
        own_feeds.extend(self.site.feeds.iter().cloned());
        PageMeta {
            title,
            description: self.config.description.clone(),
            canonical: self.routes.absolute(path),
            path: path.to_string(),
            section: Routes::section(path),
            feeds: own_feeds,
            code: false,
        }
    }

    /// The feeds of a subject of `kind` whose page is at `page`.
    pub fn feed_links(&self, kind: SubjectKind, title: &str, page: &str) -> Vec<FeedLink> {
        feed_links(self.routes, kind, title, page)
    }

    fn link(&self, path: &str) -> String {
        self.routes.link(path)
    }
}

#[derive(Serialize)]
struct CardCtx<'a> {
    site: &'a SiteCtx<'a>,
    paper: &'a PaperCtx<'a>,
}

/// A paper's card, rendered once and reused by every listing that shows it.
pub fn card(env: &Env, paper: &PaperCtx) -> Result<String, Diagnostic> {
    env.render(
        "partials/card.html",
        &CardCtx {
            site: &env.site,
            paper,
        },
    )
}

#[derive(Serialize)]
struct Citation<'a> {
    bibtex: &'a str,
    meta: Vec<cite::Meta>,
    json_ld: String,
    /// Links to the downloadable `cite.bib`, `cite.ris`, `cite.json`,
    /// when the site writes them.
    bib_file: Option<String>,
    ris_file: Option<String>,
    csl_file: Option<String>,
}

#[derive(Serialize)]
struct PaperPageCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    paper: &'a PaperCtx<'a>,
    /// The next older and newer papers.
    older: Option<PaperRef<'a>>,
    newer: Option<PaperRef<'a>>,
    related: Vec<PaperRef<'a>>,
    citation: Citation<'a>,
    day_link: String,
}

/// Paper `i`'s page and, where the site writes them, its citation files
/// (`cite.bib`, `cite.ris`, `cite.json`).
pub fn paper_page(
    env: &Env,
    site: &Site,
    i: usize,
    paper: &PaperCtx,
) -> Result<Vec<Page>, Diagnostic> {
    let source = &site.papers[i];
    let routes = env.routes;
    let path = routes.paper(&source.slug);
    let mut page = env.meta(paper.title.to_string(), &path, Vec::new());
    page.description = paper.summary.clone();
    page.code = crate::parse::markdown::has_code(paper.content.as_str());
    let bibtex = cite::bibtex(source, &paper.permalink);
    let (older, newer) = site.neighbours(i);
    let reference = |j: usize| PaperRef::new(&site.papers[j], env.config);
    let cite_file = |file| routes.cite(&source.slug, file);
    let link = |file| cite_file(file).map(|p| env.link(&p));
    let ctx = PaperPageCtx {
        site: &env.site,
        page,
        paper,
        older: older.map(reference),
        newer: newer.map(reference),
        related: site.related[i].iter().map(|&j| reference(j)).collect(),
        citation: Citation {
            bibtex: &bibtex,
            meta: cite::scholar_meta(source, &paper.permalink),
            json_ld: cite::json_ld(source, &paper.text, &paper.permalink, &env.config.title),
            bib_file: link(CiteFile::Bibtex),
            ris_file: link(CiteFile::Ris),
            csl_file: link(CiteFile::CslJson),
        },
        day_link: env.link(&routes.day(source.date)),
    };
    let html = env.render("paper.html", &ctx)?;
    let mut files = vec![(routes.paper_page_file(&source.slug), html)];
    for file in CiteFile::ALL {
        if let Some(at) = cite_file(file) {
            let text = match file {
                CiteFile::Bibtex => bibtex.clone(),
                CiteFile::Ris => cite::ris(source, &paper.text, &paper.permalink),
                CiteFile::CslJson => cite::csl_json(source, &paper.text, &paper.permalink),
            };
            files.push((at, text));
        }
    }
    Ok(files)
}

/// Cards of one date under a heading, for listings grouped by day.
#[derive(Serialize)]
struct DayGroup<'a> {
    date: String,
    date_display: String,
    link: String,
    cards: Vec<&'a str>,
}

#[derive(Serialize)]
struct DayNav {
    older: Option<NavLink>,
    newer: Option<NavLink>,
}

#[derive(Serialize)]
struct NavLink {
    label: String,
    link: String,
}

#[derive(Serialize)]
struct ListCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    heading: &'a str,
    lede: &'a str,
    pager: PagerCtx,
    cards: Vec<&'a str>,
    /// The shown papers as plain links, for listings without cards
    /// (author pages by default); `cards` is empty then.
    rows: Vec<PaperRef<'a>>,
    /// The same cards grouped under their dates (for date-ordered listings).
    groups: Vec<DayGroup<'a>>,
    /// This listing's own feeds, for visible subscribe links.
    feeds: Vec<FeedLink>,
    tag: Option<TermSummary<'a>>,
    author: Option<TermSummary<'a>>,
    day_nav: Option<DayNav>,
    /// On trending pages: the windows, and the rank of the first card.
    windows: Vec<WindowTab>,
    rank_start: usize,
}

#[derive(Serialize)]
struct WindowTab {
    label: &'static str,
    link: String,
    current: bool,
}

/// Every paginated listing of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum List {
    Home,
    Trending(Window),
    Tag(usize),
    Author(usize),
    /// Index into [`Site::days`].
    Day(usize),
    /// Index into the archive's years.
    Year(usize),
    Month(usize, usize),
    Collection(usize),
}

impl List {
    /// The template that renders the listing.
    pub fn template(self) -> &'static str {
        match self {
            List::Home => "index.html",
            List::Tag(_) => "tag.html",
            List::Trending(_)
            | List::Author(_)
            | List::Day(_)
            | List::Year(_)
            | List::Month(..)
            | List::Collection(_) => "list.html",
        }
    }
}

/// What a listing shows: which template, where, and which papers.
pub struct Listing<'a> {
    pub template: &'static str,
    /// Site path of the first page (`""` or ending in `/`).
    pub base: String,
    pub heading: String,
    pub lede: String,
    /// Indices into the site's papers, in display order.
    pub members: &'a [usize],
    /// The kind of the listing's subject and the title of its own feeds,
    /// when it has feeds.
    pub feeds: Option<(SubjectKind, String)>,
    pub tag: Option<&'a Term>,
    pub author: Option<&'a Term>,
    /// For a day's listing, its index in [`Site::days`].
    pub day: Option<usize>,
    /// Titles only, no cards (see [`Routes::author_cards`]).
    pub compact: bool,
    /// For a trending page, its window: cards are numbered by rank and
    /// the page links the other windows.
    pub trending: Option<Window>,
}

/// What listings need besides the site: every paper index in order (the
/// members of the home page, and by range of days and archive periods) and
/// the archive's years.
pub struct Lists {
    pub all: Vec<usize>,
    pub years: Vec<crate::model::Period>,
    /// Trending papers per [`Window`], in [`Window::ALL`] order.
    pub trending: Vec<Vec<usize>>,
    /// Indices into [`Site::authors`] by family name, with each one's key.
    pub authors: Vec<(String, usize)>,
}

impl Lists {
    pub fn new(site: &Site) -> Lists {
        Lists {
            all: (0..site.papers.len()).collect(),
            years: site.archive(),
            trending: Window::ALL.iter().map(|&w| site.trending_in(w)).collect(),
            authors: {
                let mut order: Vec<(String, usize)> = site
                    .authors
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (names::sort_key(&a.name), i))
                    .collect();
                // Names filed under `#` (digits, scripts without letters
                // in their slug) first, so each initial is one run.
                order.sort_unstable_by(|(a, i), (b, j)| {
                    let other = |k: &str| names::initial(k) != '#';
                    (other(a), a, i).cmp(&(other(b), b, j))
                });
                order
            },
        }
    }

    pub fn trending(&self, window: Window) -> &[usize] {
        let at = Window::ALL
            .iter()
            .position(|&w| w == window)
            .expect("every window is listed");
        &self.trending[at]
    }

    /// Every listing the site has, in output order.
    pub fn all_lists(&self, site: &Site, routes: Routes) -> Vec<List> {
        let mut lists = vec![List::Home];
        lists.extend(Window::ALL.map(List::Trending));
        lists.extend((0..site.tags.len()).map(List::Tag));
        lists.extend(
            (0..site.authors.len())
                .filter(|&a| routes.author_has_page(site.authors[a].papers.len()))
                .map(List::Author),
        );
        lists.extend((0..site.days.len()).map(List::Day));
        for (y, year) in self.years.iter().enumerate() {
            lists.push(List::Year(y));
            lists.extend((0..year.months.len()).map(|m| List::Month(y, m)));
        }
        lists.extend((0..site.collections.len()).map(List::Collection));
        lists
    }

    pub fn listing<'a>(&'a self, env: &Env, site: &'a Site, list: List) -> Listing<'a> {
        let template = list.template();
        let routes = env.routes;
        let plain = |base: String, heading: String, members: &'a [usize]| Listing {
            template,
            base,
            heading,
            lede: String::new(),
            members,
            feeds: None,
            tag: None,
            author: None,
            day: None,
            compact: false,
            trending: None,
        };
        let count_lede = |n: usize| format!("{n} paper{}", if n == 1 { "" } else { "s" });
        let subject = |kind, name: &str| Some((kind, feed_title(env.config, name)));
        match list {
            List::Home => Listing {
                lede: env.config.description.clone(),
                ..plain(routes.home(), env.config.title.clone(), &self.all)
            },
            List::Trending(window) => Listing {
                lede: match window.days() {
                    Some(days) => format!(
                        "The most upvoted papers of the {days} days up to the newest; ties go to the newer paper."
                    ),
                    None => "The most upvoted papers of all; ties go to the newer paper.".into(),
                },
                trending: Some(window),
                ..plain(
                    routes.trending(window),
                    format!("Trending: {}", window.label().to_lowercase()),
                    self.trending(window),
                )
            },
            List::Tag(t) => {
                let tag = &site.tags[t];
                Listing {
                    feeds: subject(SubjectKind::Tag, &tag.name),
                    tag: Some(tag),
                    ..plain(routes.tag(&tag.slug), tag.name.clone(), &tag.papers)
                }
            }
            List::Author(a) => {
                let author = &site.authors[a];
                Listing {
                    lede: count_lede(author.papers.len()),
                    feeds: subject(SubjectKind::Author, &author.name),
                    author: Some(author),
                    compact: !routes.author_cards(),
                    ..plain(
                        routes
                            .author(&author.slug, author.papers.len())
                            .unwrap_or_default(),
                        author.name.clone(),
                        &author.papers,
                    )
                }
            }
            List::Day(d) => {
                let day = &site.days[d];
                Listing {
                    lede: count_lede(day.papers.len()),
                    day: Some(d),
                    ..plain(
                        routes.day(day.date),
                        format!("Papers of {}", day.date.strftime("%A, %B %-d, %Y")),
                        &self.all[day.papers.clone()],
                    )
                }
            }
            List::Year(y) => {
                let year = &self.years[y];
                Listing {
                    lede: count_lede(year.papers.len()),
                    ..plain(
                        routes.year(year.number),
                        format!("Papers from {}", year.number),
                        &self.all[year.papers.clone()],
                    )
                }
            }
            List::Month(y, m) => {
                let (year, month) = (&self.years[y], &self.years[y].months[m]);
                Listing {
                    lede: count_lede(month.papers.len()),
                    ..plain(
                        routes.month(year.number, month.number),
                        format!("Papers from {}", month_name(year.number, month.number)),
                        &self.all[month.papers.clone()],
                    )
                }
            }
            List::Collection(c) => {
                let collection = &site.collections[c];
                let n = collection.papers.len();
                let query = &env.config.collections[c].query_text;
                Listing {
                    lede: format!(
                        "{n} paper{} matching {query}",
                        if n == 1 { "" } else { "s" }
                    ),
                    feeds: subject(SubjectKind::Collection, &collection.name),
                    ..plain(
                        routes.collection(&collection.slug),
                        collection.name.clone(),
                        &collection.papers,
                    )
                }
            }
        }
    }
}

/// Page `number` (1-based) of `list`; `card(i)` is paper `i`'s card.
pub fn listing_page(
    env: &Env,
    site: &Site,
    list: &Listing,
    number: usize,
    card: &dyn Fn(usize) -> Result<String, Diagnostic>,
) -> Result<Page, Diagnostic> {
    let pager = pager(
        &list.base,
        list.members.len(),
        env.config.paginate_by,
        number,
    );
    let title = if pager.number > 1 {
        format!("{} (page {})", list.heading, pager.number)
    } else {
        list.heading.clone()
    };
    let feeds = list
        .feeds
        .as_ref()
        .map(|(kind, title)| env.feed_links(*kind, title, &list.base))
        .unwrap_or_default();
    let shown = &list.members[pager.items.clone()];
    let (cards, rows) = if list.compact {
        let rows = shown
            .iter()
            .map(|&i| PaperRef::new(&site.papers[i], env.config))
            .collect();
        (Vec::new(), rows)
    } else {
        let cards = shown
            .iter()
            .map(|&i| card(i))
            .collect::<Result<Vec<_>, _>>()?;
        (cards, Vec::new())
    };
    let cards: Vec<&str> = cards.iter().map(String::as_str).collect();
    let ctx = ListCtx {
        site: &env.site,
        page: env.meta(title, &pager.path, feeds.clone()),
        heading: &list.heading,
        lede: &list.lede,
        pager: PagerCtx::new(&pager, &list.base, env.config),
        groups: group_by_day(env, site, shown, &cards),
        cards,
        rows,
        feeds,
        tag: list
            .tag
            .map(|t| TermSummary::new(t, env.link(&env.routes.tag(&t.slug)))),
        author: list
            .author
            .map(|a| TermSummary::new(a, env.link(&list.base))),
        // Only the first page of a day links the neighbouring days.
        day_nav: list
            .day
            .filter(|_| number == 1)
            .map(|d| day_nav(env, site, d)),
        windows: list
            .trending
            .map(|current| {
                Window::ALL
                    .iter()
                    .map(|&w| WindowTab {
                        label: w.label(),
                        link: env.link(&env.routes.trending(w)),
                        current: w == current,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        rank_start: if list.trending.is_some() {
            pager.items.start + 1
        } else {
            0
        },
    };
    Ok((index_file(&pager.path), env.render(list.template, &ctx)?))
}

/// Days are newest first: the older day is the next one in the list.
fn day_nav(env: &Env, site: &Site, d: usize) -> DayNav {
    let nav_link = |i: usize| {
        site.days.get(i).map(|other| NavLink {
            label: display_date(other.date),
            link: env.link(&env.routes.day(other.date)),
        })
    };
    DayNav {
        older: nav_link(d + 1),
        newer: d.checked_sub(1).and_then(nav_link),
    }
}

fn group_by_day<'a>(
    env: &Env,
    site: &Site,
    shown: &[usize],
    cards: &[&'a str],
) -> Vec<DayGroup<'a>> {
    let mut groups: Vec<DayGroup> = Vec::new();
    let mut current = None;
    for (&i, &card) in shown.iter().zip(cards) {
        let date = site.papers[i].date;
        if current != Some(date) {
            current = Some(date);
            groups.push(DayGroup {
                date: date.to_string(),
                date_display: date.strftime("%A, %B %-d, %Y").to_string(),
                link: env.link(&env.routes.day(date)),
                cards: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.cards.push(card);
        }
    }
    groups
}

/// The title of a tag's, author's or saved search's feeds.
pub fn feed_title(config: &Config, name: &str) -> String {
    format!("{} — {name}", config.title)
}

fn month_name(y: i16, m: i16) -> String {
    jiff::civil::date(y, m as i8, 1)
        .strftime("%B %Y")
        .to_string()
}

pub fn search_page(env: &Env) -> Result<Page, Diagnostic> {
    let ctx = PlainCtx {
        site: &env.site,
        page: env.meta("Search".into(), &env.routes.search(), Vec::new()),
    };
    Ok((
        index_file(&env.routes.search()),
        env.render("search.html", &ctx)?,
    ))
}

#[derive(Serialize)]
struct Period {
    label: String,
    link: String,
    count: usize,
    children: Vec<Period>,
}

#[derive(Serialize)]
struct ArchiveCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    years: Vec<Period>,
}

/// `archive/`: every year and month with its count. The years' and months'
/// own pages are listings ([`List::Year`], [`List::Month`]).
pub fn archive_index(env: &Env, years: &[crate::model::Period]) -> Result<Page, Diagnostic> {
    let index = ArchiveCtx {
        site: &env.site,
        page: env.meta("Archive".into(), &env.routes.archive(), Vec::new()),
        years: years
            .iter()
            .map(|y| Period {
                label: y.number.to_string(),
                link: env.link(&env.routes.year(y.number)),
                count: y.papers.len(),
                children: y
                    .months
                    .iter()
                    .map(|m| Period {
                        label: month_name(y.number, m.number),
                        link: env.link(&env.routes.month(y.number, m.number)),
                        count: m.papers.len(),
                        children: Vec::new(),
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok((
        index_file(&env.routes.archive()),
        env.render("archive.html", &index)?,
    ))
}

#[derive(Serialize)]
struct TermsCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    tags: Vec<TermSummary<'a>>,
}

pub fn tags_index(env: &Env, site: &Site) -> Result<Page, Diagnostic> {
    let ctx = TermsCtx {
        site: &env.site,
        page: env.meta("Tags".into(), &env.routes.tags_index(), Vec::new()),
        tags: site
            .tags
            .iter()
            .map(|t| TermSummary::new(t, env.link(&env.routes.tag(&t.slug))))
            .collect(),
    };
    Ok((
        index_file(&env.routes.tags_index()),
        env.render("tags.html", &ctx)?,
    ))
}

#[derive(Serialize)]
struct AuthorsCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    /// This page's authors.
    authors: Vec<AuthorEntry<'a>>,
    /// How many authors the whole index has.
    total: usize,
    /// The initials, each linking to where its names start.
    letters: Vec<Letter>,
    pager: PagerCtx,
}

#[derive(Serialize)]
struct AuthorEntry<'a> {
    #[serde(flatten)]
    term: TermSummary<'a>,
    /// Set on the first name of an initial: the target of its jump link.
    anchor: Option<String>,
}

#[derive(Serialize)]
struct Letter {
    label: String,
    link: String,
}

/// Page `number` of the authors index, by family name ([`names::sort_key`]).
/// Every author is listed, those without a page linking to a search for
/// their name; the index is split into pages of `authors_per_page` so it
/// stays small with 40,000 names.
pub fn authors_index(
    env: &Env,
    site: &Site,
    order: &[(String, usize)],
    number: usize,
) -> Result<Page, Diagnostic> {
    let routes = env.routes;
    let per = routes.outputs().authors_per_page;
    let base = routes.authors_index();
    let pager = pager(&base, order.len(), per, number);
    let anchor = |c: char| match c {
        '#' => "letter-other".to_string(),
        c => format!("letter-{}", c.to_ascii_lowercase()),
    };
    let initial = |at: usize| names::initial(&order[at].0);
    let mut letters: Vec<Letter> = Vec::new();
    for at in 0..order.len() {
        let c = initial(at);
        if at == 0 || initial(at - 1) != c {
            let page = routes.page(&base, at / per + 1);
            letters.push(Letter {
                label: c.to_string(),
                link: format!("{}#{}", env.link(&page), anchor(c)),
            });
        }
    }
    let authors = pager
        .items
        .clone()
        .map(|at| {
            let a = &site.authors[order[at].1];
            let c = initial(at);
            let first = at == 0 || initial(at - 1) != c;
            AuthorEntry {
                term: TermSummary::new(a, routes.author_link(&a.name, &a.slug, a.papers.len())),
                anchor: first.then(|| anchor(c)),
            }
        })
        .collect();
    let title = if number > 1 {
        format!("Authors (page {number})")
    } else {
        "Authors".into()
    };
    let ctx = AuthorsCtx {
        site: &env.site,
        page: env.meta(title, &pager.path, Vec::new()),
        authors,
        total: site.authors.len(),
        letters,
        pager: PagerCtx::new(&pager, &base, env.config),
    };
    Ok((index_file(&pager.path), env.render("authors.html", &ctx)?))
}

/// How many pages the authors index has.
pub fn authors_pages(routes: Routes, site: &Site) -> usize {
    page_count(site.authors.len(), routes.outputs().authors_per_page)
}

/// `index.html` of the page whose site path is `path`.
fn index_file(path: &str) -> String {
    format!("{path}index.html")
}

/// One subject's feeds on the feeds page.
#[derive(Serialize)]
pub struct FeedRow {
    pub title: String,
    pub page: String,
    pub feeds: Vec<FeedLink>,
}

#[derive(Serialize)]
pub struct FeedGroup {
    pub name: &'static str,
    pub rows: Vec<FeedRow>,
}

#[derive(Serialize)]
struct FeedsCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    groups: &'a [FeedGroup],
    opml: String,
}

/// Every feed the feeds page and OPML list, grouped by subject: the site,
/// saved searches and tags, and authors only when the config asks (with
/// 40,000 authors, listing them all made a 16 MB page).
pub fn feed_groups(env: &Env, site: &Site) -> Vec<FeedGroup> {
    let routes = env.routes;
    let row = |kind, name: &str, path: String| FeedRow {
        title: name.to_string(),
        page: env.link(&path),
        feeds: env.feed_links(kind, &feed_title(env.config, name), &path),
    };
    let site_row = FeedRow {
        title: env.config.title.clone(),
        page: env.link(&routes.home()),
        feeds: env.site.feeds.clone(),
    };
    let authors = if routes.feeds_page_lists_authors() {
        site.authors
            .iter()
            .filter_map(|a| {
                let page = routes.author(&a.slug, a.papers.len())?;
                Some(row(SubjectKind::Author, &a.name, page))
            })
            .collect()
    } else {
        Vec::new()
    };
    // The digest has no page of its own: its row links the home page,
    // which shows the same days.
    let digest_title = format!("{}: daily digest", env.config.title);
    let digest_row = FeedRow {
        feeds: env.feed_links(SubjectKind::Digest, &digest_title, &routes.digest()),
        title: digest_title,
        page: env.link(&routes.home()),
    };
    let mut site_rows = vec![site_row];
    if !digest_row.feeds.is_empty() {
        site_rows.push(digest_row);
    }
    let groups = vec![
        FeedGroup {
            name: "Site",
            rows: site_rows,
        },
        FeedGroup {
            name: "Saved searches",
            rows: site
                .collections
                .iter()
                .map(|c| row(SubjectKind::Collection, &c.name, routes.collection(&c.slug)))
                .collect(),
        },
        FeedGroup {
            name: "Tags",
            rows: site
                .tags
                .iter()
                .map(|t| row(SubjectKind::Tag, &t.name, routes.tag(&t.slug)))
                .collect(),
        },
        FeedGroup {
            name: "Authors",
            rows: authors,
        },
    ];
    // A subject whose kind has no feeds has no row.
    groups
        .into_iter()
        .map(|mut g| {
            g.rows.retain(|r| !r.feeds.is_empty());
            g
        })
        .collect()
}

pub fn feeds_index(env: &Env, groups: &[FeedGroup]) -> Result<Page, Diagnostic> {
    let ctx = FeedsCtx {
        site: &env.site,
        page: env.meta("Feeds".into(), &env.routes.feeds_index(), Vec::new()),
        groups,
        opml: env.link(&env.routes.opml()),
    };
    Ok((
        index_file(&env.routes.feeds_index()),
        env.render("feeds.html", &ctx)?,
    ))
}

#[derive(Serialize)]
struct PlainCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
}

pub fn not_found(env: &Env) -> Result<Page, Diagnostic> {
    let ctx = PlainCtx {
        site: &env.site,
        page: env.meta("Page not found".into(), &env.routes.not_found(), Vec::new()),
    };
    Ok((env.routes.not_found(), env.render("404.html", &ctx)?))
}
