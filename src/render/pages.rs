//! HTML pages: one function per page kind, each returning `(site path, html)`.

use rayon::prelude::*;
use serde::Serialize;

use super::context::{FeedLink, PageMeta, PagerCtx, PaperCtx, SiteCtx, TermSummary, tag_path};
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

    fn meta(&self, title: String, path: &str, feeds: Vec<FeedLink>) -> PageMeta {
        PageMeta {
            title,
            description: self.config.description.clone(),
            canonical: self.config.base_url.absolute(path),
            path: path.to_string(),
            feeds,
        }
    }

    fn site_feed(&self) -> FeedLink {
        FeedLink {
            title: self.config.title.clone(),
            url: self.site.feed_url.clone(),
            mime: "application/rss+xml",
        }
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
struct PaperPageCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    paper: &'a PaperCtx<'a>,
}

pub fn paper_pages(env: &Env, papers: &[PaperCtx]) -> Result<Vec<Page>, Diagnostic> {
    papers
        .par_iter()
        .map(|paper| {
            let path = format!("papers/{}/", paper.slug);
            let mut page = env.meta(paper.title.to_string(), &path, vec![env.site_feed()]);
            page.description = paper.summary.clone();
            let html = env.render(
                "paper.html",
                &PaperPageCtx {
                    site: &env.site,
                    page,
                    paper,
                },
            )?;
            Ok((format!("{path}index.html"), html))
        })
        .collect()
}

#[derive(Serialize)]
struct ListCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    pager: PagerCtx,
    cards: Vec<&'a str>,
    /// Set on tag listings.
    tag: Option<TermSummary<'a>>,
}

/// A paginated listing: which template, where, and which papers.
struct Listing<'a> {
    template: &'static str,
    /// Site path of the first page (`""` or ending in `/`).
    base: String,
    title: String,
    /// Indices into the site's papers, in display order.
    members: &'a [usize],
    feeds: Vec<FeedLink>,
    tag: Option<&'a Term>,
}

fn listing<'a>(
    env: &'a Env,
    list: Listing<'a>,
    cards: &'a [String],
) -> Result<Vec<Page>, Diagnostic> {
    paginate(&list.base, list.members.len(), env.config.paginate_by)
        .into_iter()
        .map(|pager| {
            let page_title = if pager.number > 1 {
                format!("{} (page {})", list.title, pager.number)
            } else {
                list.title.clone()
            };
            let ctx = ListCtx {
                site: &env.site,
                page: env.meta(page_title, &pager.path, list.feeds.clone()),
                pager: PagerCtx::new(&pager, &list.base, env.config),
                cards: list.members[pager.items.clone()]
                    .iter()
                    .map(|&i| cards[i].as_str())
                    .collect(),
                tag: list.tag.map(|t| TermSummary::new(t, env.config)),
            };
            Ok((
                format!("{}index.html", pager.path),
                env.render(list.template, &ctx)?,
            ))
        })
        .collect()
}

pub fn index_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    let all: Vec<usize> = (0..site.papers.len()).collect();
    let list = Listing {
        template: "index.html",
        base: String::new(),
        title: env.config.title.clone(),
        members: &all,
        feeds: vec![env.site_feed()],
        tag: None,
    };
    listing(env, list, cards)
}

pub fn tag_pages(env: &Env, site: &Site, cards: &[String]) -> Result<Vec<Page>, Diagnostic> {
    let per_tag: Vec<Result<Vec<Page>, Diagnostic>> = site
        .tags
        .par_iter()
        .map(|tag| {
            let base = tag_path(&tag.slug);
            let feed = FeedLink {
                title: format!("{} — {}", env.config.title, tag.name),
                url: env.config.base_url.absolute(&format!("{base}rss.xml")),
                mime: "application/rss+xml",
            };
            let list = Listing {
                template: "tag.html",
                title: format!("Papers tagged “{}”", tag.name),
                base,
                members: &tag.papers,
                feeds: vec![feed, env.site_feed()],
                tag: Some(tag),
            };
            listing(env, list, cards)
        })
        .collect();
    let mut pages = Vec::new();
    for result in per_tag {
        pages.extend(result?);
    }
    Ok(pages)
}

#[derive(Serialize)]
struct TagsCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
    tags: Vec<TermSummary<'a>>,
}

pub fn tags_index(env: &Env, site: &Site) -> Result<Page, Diagnostic> {
    let ctx = TagsCtx {
        site: &env.site,
        page: env.meta("Tags".into(), "tags/", vec![env.site_feed()]),
        tags: site
            .tags
            .iter()
            .map(|t| TermSummary::new(t, env.config))
            .collect(),
    };
    Ok(("tags/index.html".into(), env.render("tags.html", &ctx)?))
}

#[derive(Serialize)]
struct PlainCtx<'a> {
    site: &'a SiteCtx<'a>,
    page: PageMeta,
}

pub fn not_found(env: &Env) -> Result<Page, Diagnostic> {
    let ctx = PlainCtx {
        site: &env.site,
        page: env.meta("Page not found".into(), "404.html", vec![env.site_feed()]),
    };
    Ok(("404.html".into(), env.render("404.html", &ctx)?))
}
