//! `paperfeed serve`: builds the site in memory, serves it, watches the
//! sources and rebuilds on change, telling browsers to reload. Never writes
//! the output folder. The library does not print: progress goes through the
//! `log` callback the CLI passes in.

mod http;
mod site;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use serde::Serialize;

pub use http::{Files, Route, content_type, route};
pub use watch::{Change, classify};

use crate::routes::Routes;
use crate::{BuildFailure, BuildOptions, Diagnostic};
pub use site::{Builder, Rebuilt};

/// How long a burst of file events is gathered into one rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// What the rebuild loop is told, in the order it happened.
pub enum Event {
    /// Files changed on disk: when the burst was noticed, and the paths.
    Changed(Instant, Vec<PathBuf>),
    /// A browser asked for an output path the site in memory does not
    /// hold yet; the loop renders it and answers on the channel.
    Wanted(String, mpsc::Sender<Result<Option<Arc<[u8]>>, String>>),
}

/// The rebuild loop's inbox, counting what was sent and not yet taken:
/// the catch-up yields to a waiting change or request.
#[derive(Clone)]
pub struct Inbox {
    sender: mpsc::Sender<Event>,
    queued: Arc<std::sync::atomic::AtomicUsize>,
}

impl Inbox {
    /// False when the loop has stopped.
    pub fn send(&self, event: Event) -> bool {
        self.queued.fetch_add(1, Ordering::SeqCst);
        self.sender.send(event).is_ok()
    }

    fn taken(&self) {
        self.queued.fetch_sub(1, Ordering::SeqCst);
    }

    fn waiting(&self) -> bool {
        self.queued.load(Ordering::SeqCst) > 0
    }
}

pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub drafts: bool,
}

/// Serves until `stop` is set (Ctrl-C). `log` receives one line per event
/// worth telling the user; `on_ready` the URL once the server listens.
pub fn serve(
    options: &ServeOptions,
    stop: Arc<AtomicBool>,
    log: &(dyn Fn(String) + Sync),
    on_ready: &dyn Fn(&str),
) -> Result<(), String> {
    let (server, port) = bind(&options.bind, options.port)?;
    if port != options.port {
        log(format!("port {} is taken; using {port}", options.port));
    }
    let server = Arc::new(server);
    let base_path = crate::Config::load(&options.root)
        .map(|c| c.base_url.path)
        .unwrap_or_else(|_| "/".into());
    let host = if options.bind.contains(':') {
        format!("[{}]", options.bind)
    } else {
        options.bind.clone()
    };
    let local = format!("http://{host}:{port}{base_path}");
    let build_options = BuildOptions {
        root: options.root.clone(),
        output: None,
        base_url: Some(local.clone()),
        drafts: options.drafts,
        strict: false,
    };
    let (sender, events) = mpsc::channel();
    let inbox = Inbox {
        sender,
        queued: Default::default(),
    };
    let shared = Arc::new(http::Shared {
        files: Arc::new(RwLock::new(Files::new())),
        inbox: inbox.clone(),
        last_event: RwLock::new(None),
        clients: Mutex::new(Vec::new()),
        base_path,
    });

    let started = Instant::now();
    let mut builder = Builder::new(build_options, shared.files.clone());
    match builder.rebuild(Change::Config, &[], &options.root) {
        Ok(done) => {
            log(format!(
                "ready in {} ms ({}): {} pages and files, each rendered when first asked for",
                started.elapsed().as_millis(),
                describe_stages(&done.stages),
                done.units,
            ));
        }
        Err(failure) => {
            log(format!(
                "the site has errors; fix them and the page will reload:\n{}",
                describe(&failure)
            ));
            shared.broadcast("build-error", error_event(&failure));
        }
    }

    for _ in 0..4 {
        let server = Arc::clone(&server);
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            for request in server.incoming_requests() {
                let shared = Arc::clone(&shared);
                // Event streams live as long as the page: give each its own thread.
                thread::spawn(move || http::handle(request, &shared));
            }
        });
    }
    // Watching starts before the URL is announced: a save made as soon as
    // the site is up must not be missed.
    let changes = inbox.clone();
    // The watcher reports absolute paths; compare them with an absolute root.
    let root = std::fs::canonicalize(&options.root).unwrap_or_else(|_| options.root.clone());
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        if let Ok(events) = result {
            let paths: Vec<PathBuf> = events
                .into_iter()
                // notify reports reads too; rebuilding on them would loop forever.
                .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                .flat_map(|e| e.event.paths)
                .collect();
            if !paths.is_empty() {
                changes.send(Event::Changed(Instant::now(), paths));
            }
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;

    on_ready(&local);

    // Set after a rebuild that deferred work; done once the files are quiet.
    let mut catch_up_pending = false;
    while !stop.load(Ordering::SeqCst) {
        let event = events.recv_timeout(Duration::from_millis(200));
        if event.is_ok() {
            inbox.taken();
        }
        let (noticed, paths) = match event {
            Ok(Event::Changed(noticed, paths)) => (noticed, paths),
            Ok(Event::Wanted(path, answer)) => {
                let file = builder.file(&path).map_err(|failure| {
                    let report = describe(&failure);
                    log(format!("cannot render {path}:\n{report}"));
                    report
                });
                let _ = answer.send(file);
                continue;
            }
            Err(_) => {
                if std::mem::take(&mut catch_up_pending) {
                    catch_up_pending = catch_up(&mut builder, &shared, &inbox, log);
                }
                continue;
            }
        };
        let theme = builder.theme();
        // Editors' scratch files say nothing; the same file may be named
        // by several events of one burst.
        let mut paths: Vec<PathBuf> = paths
            .into_iter()
            .filter(|p| classify(&root, &theme, p) != Change::Ignore)
            .collect();
        paths.sort();
        paths.dedup();
        let change = paths
            .iter()
            .map(|p| classify(&root, &theme, p))
            .max()
            .unwrap_or(Change::Ignore);
        if change == Change::Ignore {
            continue;
        }
        let started = Instant::now();
        match builder.rebuild(change, &paths, &root) {
            Ok(done) => {
                let changed = done.changed;
                let css_only = !changed.is_empty() && changed.iter().all(|p| p.ends_with(".css"));
                let event = ReloadEvent {
                    changed: changed.iter().take(100).cloned().collect(),
                    css_only,
                    if_shown: false,
                };
                shared.broadcast(
                    "reload",
                    serde_json::to_string(&event).expect("events serialize"),
                );
                log(format!(
                    "{} changed: {} of {} units re-rendered{}, {} output file{} changed, reload sent {} ms after the save ({} ms rebuilding: {})",
                    describe_change(change, &paths, &root),
                    done.rendered,
                    done.units,
                    if done.in_place { " in place" } else { "" },
                    changed.len(),
                    if changed.len() == 1 { "" } else { "s" },
                    noticed.elapsed().as_millis() + DEBOUNCE.as_millis(),
                    started.elapsed().as_millis(),
                    describe_stages(&done.stages),
                ));
                catch_up_pending = true;
            }
            Err(failure) => {
                shared.broadcast("build-error", error_event(&failure));
                log(format!(
                    "still serving the last good site; errors:\n{}",
                    describe(&failure)
                ));
            }
        }
    }
    server.unblock();
    log("stopped".into());
    Ok(())
}

/// Brings the site up to date after a rebuild (see [`Builder::catch_up`])
/// and tells the browsers whose page changed; true when it gave way to a
/// waiting change or request and must run again.
fn catch_up(
    builder: &mut Builder,
    shared: &http::Shared,
    inbox: &Inbox,
    log: &(dyn Fn(String) + Sync),
) -> bool {
    let started = Instant::now();
    match builder.catch_up(&|| inbox.waiting()) {
        Ok(None) => return true,
        Ok(Some(late)) => {
            if late.changed.iter().any(|p| !Routes::in_search_index(p)) {
                // Only browsers showing one of these pages reload.
                let event = ReloadEvent {
                    changed: late.changed.iter().take(100).cloned().collect(),
                    css_only: false,
                    if_shown: late.changed.len() <= 100,
                };
                shared.broadcast(
                    "reload",
                    serde_json::to_string(&event).expect("events serialize"),
                );
            }
            if late.rendered > 0 {
                log(format!(
                    "caught up in {} ms: {} unit{} re-rendered, {} output files changed (related papers, search index; {})",
                    started.elapsed().as_millis(),
                    late.rendered,
                    if late.rendered == 1 { "" } else { "s" },
                    late.changed.len(),
                    describe_stages(&late.stages),
                ));
            }
        }
        Err(failure) => log(format!(
            "cannot bring related papers and the search index up to date:\n{}",
            describe(&failure)
        )),
    }
    false
}

/// Binds the first free port from `port` on.
fn bind(address: &str, port: u16) -> Result<(tiny_http::Server, u16), String> {
    let mut last = String::new();
    for candidate in port..port.saturating_add(20) {
        match tiny_http::Server::http((address, candidate)) {
            Ok(server) => return Ok((server, candidate)),
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "cannot listen on {address}:{port} or the 19 ports after it: {last}"
    ))
}

#[derive(Serialize)]
struct ReloadEvent {
    /// Output paths, at most 100.
    changed: Vec<String>,
    css_only: bool,
    /// Reload only a page whose file is in `changed`.
    if_shown: bool,
}

#[derive(Serialize)]
struct ErrorEvent<'a> {
    diagnostics: Vec<ErrorItem<'a>>,
}

#[derive(Serialize)]
struct ErrorItem<'a> {
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
    /// The same report as the terminal shows.
    text: String,
}

fn error_event(failure: &BuildFailure) -> String {
    let event = ErrorEvent {
        diagnostics: failure
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| ErrorItem {
                diagnostic: d,
                text: d.to_string(),
            })
            .collect(),
    };
    serde_json::to_string(&event).expect("events serialize")
}

fn describe(failure: &BuildFailure) -> String {
    failure
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn describe_stages(stages: &[(&str, Duration)]) -> String {
    stages
        .iter()
        .map(|(stage, took)| format!("{stage} {}", took.as_millis()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_change(change: Change, paths: &[PathBuf], root: &Path) -> String {
    let kind = match change {
        Change::Content => "content",
        Change::Static => "static files",
        Change::Templates => "templates",
        Change::Config => "site.toml",
        Change::Ignore => "nothing",
    };
    let first = paths
        .iter()
        .find(|p| classify(root, "default", p) != Change::Ignore || change != Change::Content)
        .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
        .unwrap_or_default();
    if paths.len() > 1 {
        format!("{kind} ({first} and {} more)", paths.len() - 1)
    } else {
        format!("{kind} ({first})")
    }
}
