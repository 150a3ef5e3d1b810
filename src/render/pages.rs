//! HTML pages: one function per page kind, each returning `(site path, html)`.

use serde::Serialize;

use super::cite;
use super::context::{
    FeedLink, PageMeta, PagerCtx, PaperCtx, PaperRef, SiteCtx, TermSummary, author_path, day_path,
    display_date, tag_path,
};
use super::feeds::FORMATS;
use super::theme::Theme;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::{Site, Term, paginate};

/// What every page renderer needs.
pub struct Env<'a> {
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub site: SiteCtx<'a>,
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
        own_feeds.extend(self.feed_links(&self.config.title, ""));
        PageMeta {
            title,
            description: self.config.description.clone(),
            canonical: self.config.base_url.absolute(path),
            path: path.to_string(),
            feeds: own_feeds,
        }
    }

    /// The three feeds of the subject whose page is at `page_path`.
    pub fn feed_links(&self, title: &str, page_path: &str) -> Vec<FeedLink> {
        FORMATS
            .iter()
            .map(|(format, file, mime)| FeedLink {
                title: format!("{title} ({format})"),
                url: self.config.base_url.absolute(&format!("{page_path}{file}")),
                mime,
            })
            .collect()
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
    /// Links to the downloadable `cite.bib`, `cite.ris`, `cite.json`.
    bib_file: String,
    ris_file: String,
    csl_file: String,
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

/// Paper `i`'s page and its citation files (`cite.bib`, `cite.ris`, `cite.json`).
pub fn paper_page(
    env: &Env,
    site: &Site,
    i: usize,
    paper: &PaperCtx,
) -> Result<[Page; 4], Diagnostic> {
    let source = &site.papers[i];
    let path = format!("papers/{}/", paper.slug);
    let mut page = env.meta(paper.title.to_string(), &path, Vec::new());
    page.description = paper.summary.clone();
    let bibtex = cite::bibtex(source, &paper.permalink);
    let (older, newer) = site.neighbours(i);
    let reference = |j: usize| PaperRef::new(&site.papers[j], env.config);
    let link = |file: &str| env.config.base_url.link(&format!("{path}{file}"));
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
            json_ld: cite::json_ld(source, &paper.permalink, &env.config.title),
            bib_file: link("cite.bib"),
            ris_file: link("cite.ris"),
            csl_file: link("cite.json"),
        },
        day_link: env.config.base_url.link(&day_path(source.date)),
    };
    let html = env.render("paper.html", &ctx)?;
    Ok([
        (format!("{path}index.html"), html),
        (
            format!("{path}cite.ris"),
            cite::ris(source, &paper.permalink),
        ),
        (
            format!("{path}cite.json"),
            cite::csl_json(source, &paper.permalink),
        ),
        (format!("{path}cite.bib"), bibtex),
    ])
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
    /// The same cards grouped under their dates (for date-ordered listings).
    groups: Vec<DayGroup<'a>>,
    /// This listing's own feeds, for visible subscribe links.
    feeds: Vec<FeedLink>,
    tag: Option<TermSummary<'a>>,
    author: Option<TermSummary<'a>>,
    day_nav: Option<DayNav>,
}

/// Every paginated listing of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum List {
    Home,
    Trending,
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
            _ => "list.html",
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
    /// Title of the listing's own feeds, when it has them.
    pub feed_title: Option<String>,
    pub tag: Option<&'a Term>,
    pub author: Option<&'a Term>,
    /// For a day's listing, its index in [`Site::days`].
    pub day: Option<usize>,
}

/// What listings need besides the site: every paper index in order (the
/// members of the home page, and by range of days and archive periods) and
/// the archive's years.
pub struct Lists {
    pub all: Vec<usize>,
    pub years: Vec<crate::model::Period>,
}

impl Lists {
    pub fn new(site: &Site) -> Lists {
        Lists {
            all: (0..site.papers.len()).collect(),
            years: site.archive(),
        }
    }

    /// Every listing, in output order.
    pub fn all_lists(&self, site: &Site) -> Vec<List> {
        let mut lists = vec![List::Home, List::Trending];
        lists.extend((0..site.tags.len()).map(List::Tag));
        lists.extend((0..site.authors.len()).map(List::Author));
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
        let plain = |base: String, heading: String, members: &'a [usize]| Listing {
            template,
            base,
            heading,
            lede: String::new(),
            members,
            feed_title: None,
            tag: None,
            author: None,
            day: None,
        };
        let count_lede = |n: usize| format!("{n} paper{}", if n == 1 { "" } else { "s" });
        let subject = |name: &str| Some(format!("{} — {name}", env.config.title));
        match list {
            List::Home => Listing {
                lede: env.config.description.clone(),
                ..plain(String::new(), env.config.title.clone(), &self.all)
            },
            List::Trending => Listing {
                lede: "Papers with the most upvotes first; ties go to the newer paper.".into(),
                ..plain("trending/".into(), "Trending papers".into(), &site.trending)
            },
            List::Tag(t) => {
                let tag = &site.tags[t];
                Listing {
                    feed_title: subject(&tag.name),
                    tag: Some(tag),
                    ..plain(tag_path(&tag.slug), tag.name.clone(), &tag.papers)
                }
            }
            List::Author(a) => {
                let author = &site.authors[a];
                Listing {
                    lede: count_lede(author.papers.len()),
                    feed_title: subject(&author.name),
                    author: Some(author),
                    ..plain(
                        author_path(&author.slug),
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
                        day_path(day.date),
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
                        format!("archive/{}/", year.number),
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
                        month_path(year.number, month.number),
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
                    feed_title: subject(&collection.name),
                    ..plain(
                        collection_path(&collection.slug),
                        collection.name.clone(),
                        &collection.papers,
                    )
                }
            }
        }
    }
}

/// How many pages a listing of `count` papers has.
pub fn page_count(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page.max(1)).max(1)
}

/// Page `number` (1-based) of `list`; `card(i)` is paper `i`'s card.
pub fn listing_page<'a>(
    env: &Env,
    site: &Site,
    list: &Listing,
    number: usize,
    card: &dyn Fn(usize) -> Result<&'a str, Diagnostic>,
) -> Result<Page, Diagnostic> {
    let pager = paginate(&list.base, list.members.len(), env.config.paginate_by)
        .into_iter()
        .nth(number - 1)
        .expect("page numbers come from page_count");
    let title = if pager.number > 1 {
        format!("{} (page {})", list.heading, pager.number)
    } else {
        list.heading.clone()
    };
    let feeds = list
        .feed_title
        .as_deref()
        .map(|t| env.feed_links(t, &list.base))
        .unwrap_or_default();
    let shown = &list.members[pager.items.clone()];
    let cards = shown
        .iter()
        .map(|&i| card(i))
        .collect::<Result<Vec<_>, _>>()?;
    let ctx = ListCtx {
        site: &env.site,
        page: env.meta(title, &pager.path, feeds.clone()),
        heading: &list.heading,
        lede: &list.lede,
        pager: PagerCtx::new(&pager, &list.base, env.config),
        groups: group_by_day(env, site, shown, &cards),
        cards,
        feeds,
        tag: list
            .tag
            .map(|t| TermSummary::new(t, &tag_path(&t.slug), env.config)),
        author: list
            .author
            .map(|a| TermSummary::new(a, &author_path(&a.slug), env.config)),
        // Only the first page of a day links the neighbouring days.
        day_nav: list
            .day
            .filter(|_| number == 1)
            .map(|d| day_nav(env, site, d)),
    };
    Ok((
        format!("{}index.html", pager.path),
        env.render(list.template, &ctx)?,
    ))
}

/// Days are newest first: the older day is the next one in the list.
fn day_nav(env: &Env, site: &Site, d: usize) -> DayNav {
    let nav_link = |i: usize| {
        site.days.get(i).map(|other| NavLink {
            label: display_date(other.date),
            link: env.config.base_url.link(&day_path(other.date)),
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
                link: env.config.base_url.link(&day_path(date)),
                cards: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.cards.push(card);
        }
    }
    groups
}

pub fn collection_path(slug: &str) -> String {
    format!("c/{slug}/")
}

fn month_name(y: i16, m: i16) -> String {
    jiff::civil::date(y, m as i8, 1)
        .strftime("%B %Y")
        .to_string()
}

fn month_path(y: i16, m: i16) -> String {
    format!("archive/{y}/{m:02}/")
}

pub fn search_page(env: &Env) -> Result<Page, Diagnostic> {
    let ctx = PlainCtx {
        site: &env.site,
        page: env.meta("Search".into(), "search/", Vec::new()),
    };
    Ok(("search/index.html".into(), env.render("search.html", &ctx)?))
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
        page: env.meta("Archive".into(), "archive/", Vec::new()),
        years: years
            .iter()
            .map(|y| Period {
                label: y.number.to_string(),
                link: env.config.base_url.link(&format!("archive/{}/", y.number)),
                count: y.papers.len(),
                children: y
                    .months
                    .iter()
                    .map(|m| Period {
                        label: month_name(y.number, m.number),
                        link: env.config.base_url.link(&month_path(y.number, m.number)),
                        count: m.papers.len(),
                        children: Vec::new(),
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok((
        "archive/index.html".to_string(),
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
        page: env.meta("Tags".into(), "tags/", Vec::new()),
        tags: site
            .tags
            .iter()
            .map(|t| TermSummary::new(t, &tag_path(&t.slug), env.config))
            .collect(),
    };
    Ok(("tags/index.html".into(), env.render("tags.html", &ctx)?))
}

#[derive(Serialize)]
struct AuthorsCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    authors: Vec<TermSummary<'a>>,
}

pub fn authors_index(env: &Env, site: &Site) -> Result<Page, Diagnostic> {
    let ctx = AuthorsCtx {
        site: &env.site,
        page: env.meta("Authors".into(), "authors/", Vec::new()),
        authors: site
            .authors
            .iter()
            .map(|a| TermSummary::new(a, &author_path(&a.slug), env.config))
            .collect(),
    };
    Ok((
        "authors/index.html".into(),
        env.render("authors.html", &ctx)?,
    ))
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

/// Every feed of the site, grouped by subject.
pub fn feed_groups(env: &Env, site: &Site) -> Vec<FeedGroup> {
    let row = |title: &str, path: &str| FeedRow {
        title: title.to_string(),
        page: env.config.base_url.link(path),
        feeds: env.feed_links(title, path),
    };
    vec![
        FeedGroup {
            name: "Site",
            rows: vec![row(&env.config.title, "")],
        },
        FeedGroup {
            name: "Saved searches",
            rows: site
                .collections
                .iter()
                .map(|c| row(&c.name, &collection_path(&c.slug)))
                .collect(),
        },
        FeedGroup {
            name: "Tags",
            rows: site
                .tags
                .iter()
                .map(|t| row(&t.name, &tag_path(&t.slug)))
                .collect(),
        },
        FeedGroup {
            name: "Authors",
            rows: site
                .authors
                .iter()
                .map(|a| row(&a.name, &author_path(&a.slug)))
                .collect(),
        },
    ]
}

pub fn feeds_index(env: &Env, groups: &[FeedGroup]) -> Result<Page, Diagnostic> {
    let ctx = FeedsCtx {
        site: &env.site,
        page: env.meta("Feeds".into(), "feeds/", Vec::new()),
        groups,
        opml: env.config.base_url.link("feeds.opml"),
    };
    Ok(("feeds/index.html".into(), env.render("feeds.html", &ctx)?))
}

#[derive(Serialize)]
struct PlainCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
}

pub fn not_found(env: &Env) -> Result<Page, Diagnostic> {
    let ctx = PlainCtx {
        site: &env.site,
        page: env.meta("Page not found".into(), "404.html", Vec::new()),
    };
    Ok(("404.html".into(), env.render("404.html", &ctx)?))
}
