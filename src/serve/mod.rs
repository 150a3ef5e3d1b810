//! `paperfeed serve`: builds the site in memory, serves it, watches the
//! sources and rebuilds on change, telling browsers to reload. Never writes
//! the output folder. The library does not print: progress goes through the
//! `log` callback the CLI passes in.

mod http;
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

use crate::render::{Content, Output};
use crate::{BuildFailure, BuildOptions, Diagnostic, Session};

/// How long a burst of file events is gathered into one rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

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
    let shared = Arc::new(http::Shared {
        files: RwLock::new(Arc::new(Files::new())),
        last_event: RwLock::new(None),
        clients: Mutex::new(Vec::new()),
        base_path,
    });

    let started = Instant::now();
    let mut builder = Builder::new(build_options);
    match builder.rebuild(Change::Config) {
        Ok(files) => {
            log(format!(
                "built {} files in {} ms",
                files.len(),
                started.elapsed().as_millis()
            ));
            *shared.files.write().expect("lock poisoned") = Arc::new(files);
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
    on_ready(&local);

    let (changes, batches) = mpsc::channel();
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
                let _ = changes.send((Instant::now(), paths));
            }
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;

    while !stop.load(Ordering::SeqCst) {
        let Ok((noticed, paths)) = batches.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let theme = builder.theme();
        let change = paths
            .iter()
            .map(|p| classify(&root, &theme, p))
            .max()
            .unwrap_or(Change::Ignore);
        if change == Change::Ignore {
            continue;
        }
        let started = Instant::now();
        match builder.rebuild(change) {
            Ok(files) => {
                let old = shared.files.read().expect("lock poisoned").clone();
                let changed = diff(&old, &files);
                *shared.files.write().expect("lock poisoned") = Arc::new(files);
                let css_only = !changed.is_empty() && changed.iter().all(|p| p.ends_with(".css"));
                let event = ReloadEvent {
                    changed: changed.iter().take(100).cloned().collect(),
                    css_only,
                };
                shared.broadcast(
                    "reload",
                    serde_json::to_string(&event).expect("events serialize"),
                );
                log(format!(
                    "{} changed: {} output file{} changed, rebuilt in {} ms, reload sent {} ms after the save",
                    describe_change(change, &paths, &root),
                    changed.len(),
                    if changed.len() == 1 { "" } else { "s" },
                    started.elapsed().as_millis(),
                    noticed.elapsed().as_millis() + DEBOUNCE.as_millis(),
                ));
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

/// Keeps the session between rebuilds and decides how much to redo.
struct Builder {
    options: BuildOptions,
    session: Option<Session>,
}

impl Builder {
    fn new(options: BuildOptions) -> Self {
        Builder {
            options,
            session: None,
        }
    }

    fn theme(&self) -> String {
        self.session
            .as_ref()
            .map_or_else(|| "default".into(), |s| s.config.theme.clone())
    }

    fn rebuild(&mut self, change: Change) -> Result<Files, BuildFailure> {
        match (&mut self.session, change) {
            (Some(session), Change::Content) => Self::render(session),
            (Some(session), Change::Static | Change::Templates) => {
                session.reload_theme()?;
                Self::render(session)
            }
            _ => {
                // Until a session opens (site.toml fixed), every change retries it.
                self.session = None;
                let mut session = Session::open(&self.options)?;
                let files = Self::render(&mut session);
                self.session = Some(session);
                files
            }
        }
    }

    fn render(session: &mut Session) -> Result<Files, BuildFailure> {
        let rendered = session.render()?;
        files(rendered.outputs).map_err(BuildFailure::from)
    }
}

/// The outputs as the in-memory site.
fn files(outputs: Vec<Output>) -> Result<Files, Diagnostic> {
    outputs
        .into_iter()
        .map(|o| {
            let bytes: Arc<[u8]> = match o.content {
                Content::Bytes(b) => Arc::from(b),
                Content::Static(b) => Arc::from(b),
                Content::Copy(path) => Arc::from(
                    std::fs::read(&path)
                        .map_err(|e| Diagnostic::error(&path, format!("cannot read: {e}")))?,
                ),
            };
            Ok((o.path, bytes))
        })
        .collect()
}

/// Output paths added, removed or changed, sorted.
fn diff(old: &Files, new: &Files) -> Vec<String> {
    let mut changed: Vec<String> = new
        .iter()
        .filter(|(path, bytes)| old.get(*path) != Some(*bytes))
        .map(|(path, _)| path.clone())
        .chain(old.keys().filter(|p| !new.contains_key(*p)).cloned())
        .collect();
    changed.sort();
    changed
}

#[derive(Serialize)]
struct ReloadEvent {
    changed: Vec<String>,
    css_only: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_changed_added_and_removed() {
        let file = |s: &str| -> Arc<[u8]> { Arc::from(s.as_bytes()) };
        let old: Files = [
            ("a".into(), file("1")),
            ("b".into(), file("2")),
            ("c".into(), file("3")),
        ]
        .into();
        let new: Files = [
            ("a".into(), file("1")),
            ("b".into(), file("X")),
            ("d".into(), file("4")),
        ]
        .into();
        assert_eq!(diff(&old, &new), ["b", "c", "d"]);
    }
}
