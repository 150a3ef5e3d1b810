//! The dev server's HTTP side: maps request paths to the in-memory site,
//! refusing anything that could leave it, and streams reload events.

use std::borrow::Cow;
use std::io::Write;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tiny_http::{Header, Request, Response, StatusCode};

/// The last good site, byte for byte, by output path.
pub use crate::engine::Files;

/// What the HTTP threads and the rebuild loop share.
pub struct Shared {
    /// Patched in place by rebuilds; requests hold the lock only to look up.
    pub files: Arc<RwLock<Files>>,
    /// Where a request for a file not rendered yet goes: the rebuild loop
    /// renders it (see [`super::Builder::file`]).
    pub inbox: super::Inbox,
    /// The last event sent, replayed to each new live-reload client so a
    /// freshly loaded page shows a current build error at once.
    pub last_event: RwLock<Option<(String, String)>>,
    pub clients: Mutex<Vec<mpsc::Sender<(String, String)>>>,
    /// `/` or `/repo/`.
    pub base_path: String,
}

/// How long a request waits for the rebuild loop to render its file.
const RENDER_WAIT: Duration = Duration::from_secs(300);

impl Shared {
    /// The file at output `path`: from the site in memory, else rendered by
    /// the rebuild loop; `None` if the site has no such file. `Err` holds
    /// the report of a page that failed to render.
    pub fn file(&self, path: &str) -> Result<Option<Arc<[u8]>>, String> {
        if let Some(bytes) = self.files.read().expect("lock poisoned").get(path) {
            return Ok(Some(bytes.clone()));
        }
        let (answer, answered) = mpsc::channel();
        if !self
            .inbox
            .send(super::Event::Wanted(path.to_string(), answer))
        {
            return Ok(None);
        }
        answered
            .recv_timeout(RENDER_WAIT)
            .unwrap_or_else(|_| Err(format!("{path} was not rendered in time")))
    }

    /// Sends `event` with JSON `data` to every connected browser.
    pub fn broadcast(&self, event: &str, data: String) {
        *self.last_event.write().expect("lock poisoned") = Some((event.to_string(), data.clone()));
        let mut clients = self.clients.lock().expect("lock poisoned");
        clients.retain(|c| c.send((event.to_string(), data.clone())).is_ok());
    }
}

pub const LIVERELOAD_JS: &str = include_str!("livereload.js");
const EVENTS: &str = "__paperfeed/events";
const SCRIPT: &str = "__paperfeed/livereload.js";

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// A file of the site, by output path.
    File(String),
    /// `dir` without its slash: send the browser to `dir/`.
    Redirect(String),
    Events,
    Script,
    NotFound,
    /// Traversal attempts and malformed paths.
    Refused,
}

/// Maps the raw request target to a route, asking `has` whether the site
/// has an output path. Percent-decodes first, then refuses `..`, `.`,
/// backslashes and NULs in any form, so no encoding of `/../` can climb out
/// of the site.
pub fn route(target: &str, base_path: &str, has: &mut dyn FnMut(&str) -> bool) -> Route {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Route::Refused;
    };
    if decoded.contains(['\\', '\0']) || decoded.split('/').any(|s| s == ".." || s == ".") {
        return Route::Refused;
    }
    if format!("{decoded}/") == base_path {
        return Route::Redirect(base_path.to_string());
    }
    let Some(rest) = decoded.strip_prefix(base_path) else {
        return Route::NotFound;
    };
    match rest {
        EVENTS => return Route::Events,
        SCRIPT => return Route::Script,
        _ => {}
    }
    if rest.is_empty() || rest.ends_with('/') {
        let index = format!("{rest}index.html");
        return if has(&index) {
            Route::File(index)
        } else {
            Route::NotFound
        };
    }
    if has(rest) {
        Route::File(rest.to_string())
    } else if has(&format!("{rest}/index.html")) {
        Route::Redirect(format!("{base_path}{rest}/"))
    } else {
        Route::NotFound
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names are valid")
}

/// The MIME type for an output path; feeds and citation files get their own.
pub fn content_type(path: &str) -> Cow<'static, str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let feed = crate::routes::FeedFormat::ALL
        .into_iter()
        .find(|f| f.file() == name);
    if let Some(feed) = feed {
        return format!("{}; charset=utf-8", feed.mime()).into();
    }
    let by_extension = match path.rsplit('.').next() {
        Some("bib") => Some("application/x-bibtex; charset=utf-8"),
        Some("ris") => Some("application/x-research-info-systems; charset=utf-8"),
        Some("opml") => Some("text/x-opml; charset=utf-8"),
        Some("html") => Some("text/html; charset=utf-8"),
        Some("css") => Some("text/css; charset=utf-8"),
        Some("js") => Some("text/javascript; charset=utf-8"),
        Some("txt") => Some("text/plain; charset=utf-8"),
        Some("xml") => Some("application/xml; charset=utf-8"),
        Some("json") => Some("application/json; charset=utf-8"),
        _ => None,
    };
    match by_extension {
        Some(t) => Cow::Borrowed(t),
        None => Cow::Owned(
            mime_guess::from_path(path)
                .first_or_octet_stream()
                .to_string(),
        ),
    }
}

/// Adds the live-reload script to an HTML page (serve mode only).
fn inject(html: &[u8], base_path: &str) -> Vec<u8> {
    let tag =
        format!("<script src=\"{base_path}{SCRIPT}\" data-base=\"{base_path}\" defer></script>\n");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => [html, tag.as_bytes()].concat(),
    }
}

/// Answers one request. Event streams keep their thread until the browser leaves.
pub fn handle(request: Request, shared: &Shared) {
    // The bytes `route` found, so a rebuild in between cannot take them.
    let mut page: Option<Arc<[u8]>> = None;
    let mut failed: Option<String> = None;
    let route = route(request.url(), &shared.base_path, &mut |path| {
        match shared.file(path) {
            Ok(bytes) => page = bytes,
            Err(report) => failed = Some(report),
        }
        page.is_some()
    });
    if let Some(report) = failed {
        let body = format!("paperfeed could not render this page:\n\n{report}\n");
        let _ = request.respond(
            Response::from_string(body)
                .with_status_code(500)
                .with_header(header("Content-Type", "text/plain; charset=utf-8")),
        );
        return;
    }
    let result = match route {
        Route::File(path) => {
            let bytes = page.unwrap_or_else(|| Arc::from(&b""[..]));
            let body = if path.ends_with(".html") {
                inject(&bytes, &shared.base_path)
            } else {
                bytes.to_vec()
            };
            request.respond(
                Response::from_data(body)
                    .with_header(header("Content-Type", &content_type(&path)))
                    .with_header(header("Cache-Control", "no-store")),
            )
        }
        Route::Redirect(to) => {
            request.respond(Response::empty(StatusCode(301)).with_header(header("Location", &to)))
        }
        Route::Script => request.respond(
            Response::from_string(LIVERELOAD_JS)
                .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
                .with_header(header("Cache-Control", "no-store")),
        ),
        Route::Events => {
            events(request, shared);
            Ok(())
        }
        Route::Refused => request.respond(Response::from_string("refused\n").with_status_code(400)),
        Route::NotFound => {
            let not_found = shared.file("404.html").ok().flatten();
            let body = not_found.map_or_else(
                || b"not found\n".to_vec(),
                |page| inject(&page, &shared.base_path),
            );
            request.respond(
                Response::from_data(body)
                    .with_status_code(404)
                    .with_header(header("Content-Type", "text/html; charset=utf-8")),
            )
        }
    };
    // A browser that went away mid-response is not an error worth reporting.
    let _ = result;
}

/// A Server-Sent Events stream. Written through the raw socket and flushed
/// per event: tiny_http would otherwise buffer a streamed body.
fn events(request: Request, shared: &Shared) {
    let (sender, receiver) = mpsc::channel();
    let replay = shared.last_event.read().expect("lock poisoned").clone();
    shared.clients.lock().expect("lock poisoned").push(sender);
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|()| writer.flush())
        .is_err()
    {
        return;
    }
    let send = |writer: &mut dyn Write, text: String| {
        writer
            .write_all(text.as_bytes())
            .and_then(|()| writer.flush())
    };
    let event = |name: &str, data: &str| format!("event: {name}\ndata: {data}\n\n");
    if send(&mut writer, event("hello", "{}")).is_err() {
        return;
    }
    if let Some((name, data)) = replay
        && name == "build-error"
        && send(&mut writer, event(&name, &data)).is_err()
    {
        return;
    }
    loop {
        let text = match receiver.recv_timeout(Duration::from_secs(15)) {
            Ok((name, data)) => event(&name, &data),
            // A comment line keeps proxies from closing the stream and
            // tells us when the browser has gone.
            Err(mpsc::RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if send(&mut writer, text).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: [&str; 5] = [
        "index.html",
        "papers/a/index.html",
        "style.css",
        "404.html",
        "a b.txt",
    ];

    fn route(target: &str, base_path: &str) -> Route {
        super::route(target, base_path, &mut |path| FILES.contains(&path))
    }

    #[test]
    fn routes_under_the_base_path() {
        assert_eq!(route("/repo/", "/repo/"), Route::File("index.html".into()));
        assert_eq!(route("/repo", "/repo/"), Route::Redirect("/repo/".into()));
        assert_eq!(
            route("/repo/papers/a/?x=1", "/repo/"),
            Route::File("papers/a/index.html".into())
        );
        assert_eq!(
            route("/repo/papers/a", "/repo/"),
            Route::Redirect("/repo/papers/a/".into())
        );
        assert_eq!(
            route("/repo/style.css", "/repo/"),
            Route::File("style.css".into())
        );
        assert_eq!(
            route("/repo/a%20b.txt", "/repo/"),
            Route::File("a b.txt".into())
        );
        assert_eq!(
            route("/style.css", "/repo/"),
            Route::NotFound,
            "outside the base path"
        );
        assert_eq!(route("/repo/nope/", "/repo/"), Route::NotFound);
        assert_eq!(route("/repo/__paperfeed/events", "/repo/"), Route::Events);
    }

    #[test]
    fn traversal_in_every_spelling_is_refused() {
        for attack in [
            "/../Cargo.toml",
            "/repo/../Cargo.toml",
            "/repo/%2e%2e/Cargo.toml",
            "/repo/%2E%2E%2FCargo.toml",
            "/repo/..%2fCargo.toml",
            "/repo/..%5cCargo.toml",
            "/repo/.%2e/.%2e/etc/passwd",
            "/repo/%00",
            "/repo/./index.html",
            "/repo/%ff",
        ] {
            assert_eq!(route(attack, "/repo/"), Route::Refused, "{attack}");
        }
    }

    #[test]
    fn content_types() {
        assert!(content_type("index.html").starts_with("text/html"));
        assert!(content_type("tags/x/rss.xml").starts_with("application/rss+xml"));
        assert!(content_type("feed.json").starts_with("application/feed+json"));
        assert!(content_type("papers/a/cite.bib").starts_with("application/x-bibtex"));
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("logo.png"), "image/png");
    }

    #[test]
    fn script_is_injected_before_body_end() {
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>", "/repo/")).unwrap();
        assert!(
            out.contains("<p>x</p><script src=\"/repo/__paperfeed/livereload.js\""),
            "{out}"
        );
        assert!(out.ends_with("</body></html>"));
    }
}
