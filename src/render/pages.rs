//! HTML pages: one function per page kind, each returning `(site path, html)`.

use rayon::prelude::*;
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

/// Each paper's card, rendered once and reused by every listing that shows it.
pub fn cards(env: &Env, papers: &[PaperCtx]) -> Result<Vec<String>, Diagnostic> {
    papers
        .par_iter()
        .map(|paper| {
            env.render(
                "partials/card.html",
                &CardCtx {
                    site: &env.site,
                    paper,
                },
            )
        })
        .collect()
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

/// Paper pages and their citation files (`cite.bib`, `cite.ris`, `cite.json`).
pub fn paper_pages(env: &Env, site: &Site, papers: &[PaperCtx]) -> Result<Vec<Page>, Diagnostic> {
    let per_paper: Vec<Result<[Page; 4], Diagnostic>> = papers
        .par_iter()
        .enumerate()
        .map(|(i, paper)| {
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
        })
        .collect();
    let mut pages = Vec::with_capacity(per_paper.len() * 4);
    for result in per_paper {
        pages.extend(result?);
    }
    Ok(pages)
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

/// A paginated listing: which template, where, and which papers.
struct Listing<'a> {
    template: &'static str,
    /// Site path of the first page (`""` or ending in `/`).
    base: String,
    heading: String,
    lede: String,
    /// Indices into the site's papers, in display order.
    members: Vec<usize>,
    feeds: Vec<FeedLink>,
    tag: Option<&'a Term>,
    author: Option<&'a Term>,
    day_nav: Option<DayNav>,
}

impl<'a> Listing<'a> {
    fn new(template: &'static str, base: String, heading: String, members: Vec<usize>) -> Self {
        Listing {
            template,
            base,
            heading,
            lede: String::new(),
            members,
            feeds: Vec::new(),
            tag: None,
            author: None,
            day_nav: None,
        }
    }
}

fn listing<'a>(
    env: &'a Env,
    site: &'a Site,
    mut list: Listing<'a>,
    cards: &'a [String],
) -> Result<Vec<Page>, Diagnostic> {
    let pagers = paginate(&list.base, list.members.len(), env.config.paginate_by);
    let mut day_nav = list.day_nav.take();
    let mut pages = Vec::with_capacity(pagers.len());
    for pager in pagers {
        let title = if pager.number > 1 {
            format!("{} (page {})", list.heading, pager.number)
        } else {
            list.heading.clone()
        };
        let shown = &list.members[pager.items.clone()];
        let ctx = ListCtx {
            site: &env.site,
            page: env.meta(title, &pager.path, list.feeds.clone()),
            heading: &list.heading,
            lede: &list.lede,
            pager: PagerCtx::new(&pager, &list.base, env.config),
            cards: shown.iter().map(|&i| cards[i].as_str()).collect(),
            groups: group_by_day(env, site, shown, cards),
            feeds: list.feeds.clone(),
            tag: list
                .tag
                .map(|t| TermSummary::new(t, &tag_path(&t.slug), env.config)),
            author: list
                .author
                .map(|a| TermSummary::new(a, &author_path(&a.slug), env.config)),
            day_nav: day_nav.take(),
        };
        pages.push((
            format!("{}index.html", pager.path),
            env.render(list.template, &ctx)?,
        ));
    }
    Ok(pages)
}

fn group_by_day<'a>(
    env: &Env,
    site: &Site,
    shown: &[usize],
    cards: &'a [String],
) -> Vec<DayGroup<'a>> {
    let mut groups: Vec<DayGroup> = Vec::new();
    let mut current = None;
    for &i in shown {
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
            group.cards.push(&cards[i]);
        }
    }
    groups
}

/// Runs `make` for every item in parallel and concatenates the pages, in
/// item order so output stays deterministic.
fn for_each<T: Sync>(
    items: &[T],
    make: impl Fn(&T) -> Result<Vec<Page>, Diagnostic> + Sync + Send,
) -> Result<Vec<Page>, Diagnostic> {
    let results: Vec<Result<Vec<Page>, Diagnostic>> = items.par_iter().map(make).collect();
    let mut pages = Vec::new();
    for result in results {
        pages.extend(result?);
    }
    Ok(pages)
}

pub fn index_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    let mut list = Listing::new(
        "index.html",
        String::new(),
        env.config.title.clone(),
        (0..site.papers.len()).collect(),
    );
    list.lede = env.config.description.clone();
    listing(env, site, list, cards)
}

pub fn trending_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    let mut list = Listing::new(
        "list.html",
        "trending/".into(),
        "Trending papers".into(),
        site.trending.clone(),
    );
    list.lede = "Papers with the most upvotes first; ties go to the newer paper.".into();
    listing(env, site, list, cards)
}

pub fn tag_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    for_each(&site.tags, |tag| {
        let base = tag_path(&tag.slug);
        let mut list = Listing::new(
            "tag.html",
            base.clone(),
            tag.name.clone(),
            tag.papers.clone(),
        );
        list.feeds = env.feed_links(&format!("{} — {}", env.config.title, tag.name), &base);
        list.tag = Some(tag);
        listing(env, site, list, cards)
    })
}

pub fn author_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    for_each(&site.authors, |author| {
        let base = author_path(&author.slug);
        let mut list = Listing::new(
            "list.html",
            base.clone(),
            author.name.clone(),
            author.papers.clone(),
        );
        let count = author.papers.len();
        list.lede = format!("{count} paper{}", if count == 1 { "" } else { "s" });
        list.feeds = env.feed_links(&format!("{} — {}", env.config.title, author.name), &base);
        list.author = Some(author);
        listing(env, site, list, cards)
    })
}

pub fn day_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    let indexed: Vec<usize> = (0..site.days.len()).collect();
    for_each(&indexed, |&d| {
        let day = &site.days[d];
        let nav_link = |i: usize| {
            site.days.get(i).map(|other| NavLink {
                label: display_date(other.date),
                link: env.config.base_url.link(&day_path(other.date)),
            })
        };
        let heading = format!("Papers of {}", day.date.strftime("%A, %B %-d, %Y"));
        let mut list = Listing::new(
            "list.html",
            day_path(day.date),
            heading,
            day.papers.clone().collect(),
        );
        let count = day.papers.len();
        list.lede = format!("{count} paper{}", if count == 1 { "" } else { "s" });
        // Days are newest first: the older day is the next one in the list.
        list.day_nav = Some(DayNav {
            older: nav_link(d + 1),
            newer: d.checked_sub(1).and_then(nav_link),
        });
        listing(env, site, list, cards)
    })
}

/// Saved searches from `site.toml`: `c/<slug>/`, listing what the query matches.
pub fn collection_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    let queries = env.config.collections.iter().map(|c| c.query_text.as_str());
    let with_query: Vec<(&Term, &str)> = site.collections.iter().zip(queries).collect();
    for_each(&with_query, |(c, query)| {
        let base = collection_path(&c.slug);
        let count = c.papers.len();
        let mut list = Listing::new("list.html", base.clone(), c.name.clone(), c.papers.clone());
        list.lede = format!(
            "{count} paper{} matching {query}",
            if count == 1 { "" } else { "s" }
        );
        list.feeds = env.feed_links(&format!("{} — {}", env.config.title, c.name), &base);
        listing(env, site, list, cards)
    })
}

pub fn collection_path(slug: &str) -> String {
    format!("c/{slug}/")
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

/// `archive/`, `archive/YYYY/` and `archive/YYYY/MM/`.
pub fn archive_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    let years = site.archive();
    let month_name = |y: i16, m: i16| {
        jiff::civil::date(y, m as i8, 1)
            .strftime("%B %Y")
            .to_string()
    };
    let month_path = |y: i16, m: i16| format!("archive/{y}/{m:02}/");
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
    let mut pages = vec![(
        "archive/index.html".to_string(),
        env.render("archive.html", &index)?,
    )];
    let mut runs: Vec<(String, String, std::ops::Range<usize>)> = Vec::new();
    for y in &years {
        runs.push((
            format!("archive/{}/", y.number),
            format!("Papers from {}", y.number),
            y.papers.clone(),
        ));
        for m in &y.months {
            let heading = format!("Papers from {}", month_name(y.number, m.number));
            runs.push((month_path(y.number, m.number), heading, m.papers.clone()));
        }
    }
    pages.extend(for_each(&runs, |(base, heading, papers)| {
        let mut list = Listing::new(
            "list.html",
            base.clone(),
            heading.clone(),
            papers.clone().collect(),
        );
        let count = papers.len();
        list.lede = format!("{count} paper{}", if count == 1 { "" } else { "s" });
        listing(env, site, list, cards)
    })?);
    Ok(pages)
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
