//! `osteon serve`: the site served from memory, rebuilt when a file changes, with a
//! reload pushed to every open page over Server-Sent Events.
//!
//! Three parts share one [`Live`] site. The watcher (notify, debounced) watches the
//! folders `load` reads and turns a burst of file events into one list of changed
//! paths. The rebuild thread hands that list to [`Project::rebuild`], holding the
//! site's write lock meanwhile, and if any output or the error state changed,
//! broadcasts a reload. The HTTP server ([`router`], one tokio thread) answers from
//! the project's last good outputs only, never from the disk, and adds the reload
//! script (and, while the site has errors, an overlay listing them) to every HTML
//! page. Nothing is written anywhere.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use tokio::sync::{RwLock, broadcast};
use tokio_stream::{Stream, StreamExt as _};

use crate::Options;
use crate::diagnostic::{Code, Diagnostic, SourceMap, render_human};
use crate::load::{self, Section};
use crate::project::{Project, Rebuild};

/// Where open pages listen for reloads.
pub const EVENTS_PATH: &str = "/__osteon/events";

/// How long the watcher waits after the last event of a burst before rebuilding:
/// long enough to merge the several writes an editor makes on save, short enough
/// not to be noticed.
pub const DEBOUNCE: Duration = Duration::from_millis(20);

/// The script added before `</body>` of every HTML page served, and never written by
/// `build`. It reloads the page on a `reload` event and when the server comes back
/// after a restart, and wires up the error overlay's close button and Escape key.
pub const RELOAD_SCRIPT: &str = concat!(
    "<script>(()=>{",
    "let lost=false;",
    "const events=new EventSource(\"/__osteon/events\");",
    "events.addEventListener(\"reload\",()=>location.reload());",
    "events.onerror=()=>{lost=true};",
    "events.onopen=()=>{if(lost)location.reload()};",
    "const overlay=document.getElementById(\"osteon-overlay\");",
    "if(overlay){",
    "const close=()=>overlay.remove();",
    "overlay.querySelector(\"button\").addEventListener(\"click\",close);",
    "overlay.addEventListener(\"keydown\",e=>{if(e.key===\"Escape\")close()});",
    "overlay.focus()",
    "}",
    "})()</script>"
);

/// What `serve` is asked to do.
#[derive(Clone, Debug)]
pub struct Config {
    pub options: Options,
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    pub debounce: Duration,
    /// For tests only: a rebuild after a save of a file with this name
    /// panics, to prove that serve survives a failing rebuild.
    pub fail_on: Option<String>,
}

/// What the server tells its caller once it accepts connections.
#[derive(Clone, Debug)]
pub struct Started {
    pub addr: SocketAddr,
    /// The home page, with the site's base path (`http://127.0.0.1:1111/`).
    pub url: String,
}

/// Opens the site, watches it and serves it until `shutdown` completes. `ready` is
/// called once the server accepts connections and the watcher is running, so a
/// change made after it returns is always seen.
pub fn run(
    config: &Config,
    ready: impl FnOnce(&Started),
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let project = Project::open(&config.options)?;
    if let Some(text) = problems(&project) {
        eprint!("{text}");
    }
    let mut live = Live::new(project);
    if let Some(name) = &config.fail_on {
        Arc::get_mut(&mut live.0).expect("not shared yet").fail_on = Some(name.clone());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {} (is another server using it? `--port 0` picks a free port)",
                    config.addr
                )
            })?;
        let _watcher = watch(&config.options, &live, config.debounce)?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() {
            eprintln!(
                "warning: listening on {}: other computers on the network can see the site",
                addr.ip()
            );
        }
        let base_path = live.0.site.read().await.base_path.clone();
        ready(&Started {
            addr,
            url: format!("http://{addr}{base_path}"),
        });
        tokio::select! {
            served = axum::serve(listener, router(live)).into_future() => {
                served.context("the server stopped")
            }
            () = shutdown => Ok(()),
        }
    })
}

/// The site as served: the project, its overlay and the channel that tells open
/// pages to reload. Cheap to clone; every clone is the same site.
#[derive(Clone)]
pub struct Live(Arc<Shared>);

struct Shared {
    /// Written only by a rebuild, which holds it for the whole rebuild so a page
    /// asked for meanwhile is answered with the new version.
    site: RwLock<Served>,
    /// Carries the rebuild count to every `/__osteon/events` stream.
    reloads: broadcast::Sender<u64>,
    /// See [`Config::fail_on`].
    fail_on: Option<String>,
}

struct Served {
    project: Project,
    /// The error overlay, empty while the site has no errors.
    overlay: String,
    /// The path part of the last good `base_url`, which every page's links start with.
    base_path: String,
    reloads: u64,
}

/// What one rebuild did, for the log line.
#[derive(Clone, Debug)]
pub struct Rebuilt {
    pub rebuild: Rebuild,
    pub errors: usize,
    /// Whether open pages were told to reload.
    pub reloaded: bool,
    /// The diagnostics as text, when they differ from the last rebuild's.
    pub problems: Option<String>,
}

impl Live {
    pub fn new(project: Project) -> Live {
        let served = Served {
            overlay: overlay(project.diagnostics(), project.source_map()),
            base_path: project.base_path().unwrap_or_else(|| "/".to_string()),
            project,
            reloads: 0,
        };
        let (reloads, _) = broadcast::channel(16);
        Live(Arc::new(Shared {
            site: RwLock::new(served),
            reloads,
            fail_on: None,
        }))
    }

    /// Runs `f` on the project being served, for tests that compare it with
    /// a cold build. Blocks: not for the server's runtime.
    pub fn with_project<R>(&self, f: impl FnOnce(&Project) -> R) -> R {
        f(&self.0.site.blocking_read().project)
    }

    /// Rebuilds after the files `changed` changed and, if any output or the error
    /// state changed, tells open pages to reload. Blocks: call it from a thread of
    /// its own, not from the server's runtime.
    pub fn rebuild(&self, changed: &[&Path]) -> anyhow::Result<Rebuilt> {
        let mut site = self.0.site.blocking_write();
        // A panic is a bug in osteon; caught here, at the rebuild's edge, it
        // costs the editor one save, not the server.
        let attempt = std::panic::catch_unwind(AssertUnwindSafe(|| {
            if let Some(name) = &self.0.fail_on
                && changed.iter().any(|p| p.ends_with(name))
            {
                panic!("a rebuild after a save of {name} fails, as the test asked");
            }
            site.project.rebuild(changed)
        }));
        let rebuild = match attempt {
            Ok(rebuild) => rebuild?,
            Err(panic) => return Ok(self.survive(site, changed, panic.as_ref())),
        };
        let overlay = overlay(site.project.diagnostics(), site.project.source_map());
        let problems = (overlay != site.overlay)
            .then(|| problems(&site.project))
            .flatten();
        let reloaded =
            !rebuild.changed.is_empty() || !rebuild.removed.is_empty() || overlay != site.overlay;
        site.overlay = overlay;
        if rebuild.ok
            && let Some(base_path) = site.project.base_path()
        {
            site.base_path = base_path;
        }
        let errors = site
            .project
            .diagnostics()
            .iter()
            .filter(|d| d.is_error())
            .count();
        if reloaded {
            site.reloads += 1;
        }
        let count = site.reloads;
        drop(site);
        if reloaded {
            // No open page is not an error.
            let _ = self.0.reloads.send(count);
        }
        Ok(Rebuilt {
            rebuild,
            errors,
            reloaded,
            problems,
        })
    }
}

impl Live {
    /// After a rebuild panicked: the last good site keeps being served, the
    /// overlay and the terminal say what happened and ask for a report, and
    /// the next save loads the whole site again, as the project's state may
    /// be half-updated.
    fn survive(
        &self,
        mut site: tokio::sync::RwLockWriteGuard<'_, Served>,
        changed: &[&Path],
        panic: &(dyn std::any::Any + Send),
    ) -> Rebuilt {
        site.project.reload_next();
        let reason = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        let file = changed.first().map_or_else(String::new, |p| {
            let root = &site.project.options().root;
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        });
        let internal = Diagnostic::error(
            Code::Internal,
            &file,
            0..0,
            format!("osteon failed while rebuilding after this save: {reason}"),
        )
        .with_hint(
            "this is a bug in osteon, not in your site: please report it with this message and \
             the file you saved. The last good site is still served, and the next save rebuilds \
             everything",
        );
        let internal = [internal];
        site.overlay = overlay(&internal, site.project.source_map());
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let problems = render_human(&internal, site.project.source_map(), color);
        site.reloads += 1;
        let count = site.reloads;
        drop(site);
        let _ = self.0.reloads.send(count);
        Rebuilt {
            rebuild: Rebuild::default(),
            errors: 1,
            reloaded: true,
            problems: Some(problems),
        }
    }
}

/// The project's diagnostics rendered for the terminal, if there are any.
fn problems(project: &Project) -> Option<String> {
    let diagnostics = project.diagnostics();
    if !diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    Some(render_human(diagnostics, project.source_map(), color))
}

/// The HTTP side: reload events and the site's files.
pub fn router(live: Live) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(file)
        .with_state(live)
}

async fn events(State(live): State<Live>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribed before the response starts, so a client that has read the
    // `connected` comment sees every later reload.
    let receiver = live.0.reloads.subscribe();
    let hello = Event::default()
        .retry(Duration::from_millis(500))
        .comment("connected");
    let reloads = tokio_stream::wrappers::BroadcastStream::new(receiver).map(|count| {
        // A page that fell behind has missed a reload: it reloads now.
        let count = count.map_or_else(|_| "lagged".to_string(), |c| c.to_string());
        Ok(Event::default().event("reload").data(count))
    });
    Sse::new(tokio_stream::once(Ok(hello)).chain(reloads)).keep_alive(KeepAlive::default())
}

async fn file(State(live): State<Live>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let Some(path) = request_path(uri.path()) else {
        return plain(StatusCode::BAD_REQUEST, "bad path\n");
    };
    let site = live.0.site.read().await;
    match site.lookup(&path) {
        Lookup::File(name, bytes) => site.respond(StatusCode::OK, name, bytes),
        Lookup::Redirect(to) => {
            let to = match (to, uri.query()) {
                (Redirect::Slash, None) => format!("{}/", uri.path()),
                (Redirect::Slash, Some(query)) => format!("{}/?{query}", uri.path()),
                (Redirect::Home, _) => site.base_path.clone(),
            };
            let mut response = plain(StatusCode::TEMPORARY_REDIRECT, "");
            if let Ok(value) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Lookup::Missing => match site.project.output("404.html") {
            Some(bytes) => site.respond(StatusCode::NOT_FOUND, "404.html", bytes),
            None => site.respond(StatusCode::NOT_FOUND, "404.html", NOT_FOUND.as_bytes()),
        },
    }
}

/// Served when the site has no `404.html` (it has never built without errors).
const NOT_FOUND: &str = "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Not found</title></head><body><h1>Not found</h1><p>There is no page at this address.</p></body></html>";

enum Lookup<'a> {
    File(&'a str, &'a [u8]),
    Redirect(Redirect),
    Missing,
}

enum Redirect {
    /// `x` names a folder with an `index.html`: to `x/`.
    Slash,
    /// `/` of a site published under a sub-folder: to that folder.
    Home,
}

impl Served {
    fn lookup<'a>(&'a self, path: &'a str) -> Lookup<'a> {
        let Some(rest) = path.strip_prefix(self.base_path.as_str()) else {
            if format!("{path}/") == self.base_path {
                return Lookup::Redirect(Redirect::Slash);
            }
            if path == "/" {
                return Lookup::Redirect(Redirect::Home);
            }
            return Lookup::Missing;
        };
        if rest.is_empty() || rest.ends_with('/') {
            return match self.project.output(&format!("{rest}index.html")) {
                Some(bytes) => Lookup::File("index.html", bytes),
                None => Lookup::Missing,
            };
        }
        if let Some(bytes) = self.project.output(rest) {
            return Lookup::File(rest, bytes);
        }
        if self.project.output(&format!("{rest}/index.html")).is_some() {
            return Lookup::Redirect(Redirect::Slash);
        }
        Lookup::Missing
    }

    /// The file's bytes with its content type; HTML pages get the overlay and the
    /// reload script.
    fn respond(&self, status: StatusCode, name: &str, bytes: &[u8]) -> Response {
        let kind = content_type(name);
        let body = if kind.starts_with("text/html") {
            let mut extra = String::with_capacity(self.overlay.len() + RELOAD_SCRIPT.len());
            extra.push_str(&self.overlay);
            extra.push_str(RELOAD_SCRIPT);
            inject(bytes, &extra)
        } else {
            bytes.to_vec()
        };
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// The request path percent-decoded, or `None` if it is malformed or tries to
/// leave the site: `.` and `..` segments (also as `%2e%2e` or with `%2f`), empty
/// segments, backslashes and NUL are refused rather than cleaned up.
fn request_path(raw: &str) -> Option<String> {
    if !raw.starts_with('/') {
        return None;
    }
    let path = crate::url::percent_decode_strict(raw)?;
    if path.contains(['\\', '\0']) {
        return None;
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "." || *segment == ".." || (segment.is_empty() && i != last) {
            return None;
        }
    }
    Some(path.into_owned())
}

/// The content type of an output file, from its extension; text is always UTF-8.
pub fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

/// `page` with `extra` inserted before its last `</body>` (at the end if it has none).
fn inject(page: &[u8], extra: &str) -> Vec<u8> {
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + extra.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const OVERLAY_STYLE: &str = "#osteon-overlay{position:fixed;top:1rem;left:1rem;right:1rem;z-index:2147483647;\
max-width:60rem;max-height:calc(100vh - 2rem);margin:0 auto;overflow:auto;box-sizing:border-box;\
padding:1rem 1.5rem;background:#fff;color:#1b1b1b;border:4px solid #b00020;border-radius:6px;\
box-shadow:0 4px 24px rgba(0,0,0,.4);font:16px/1.5 system-ui,sans-serif;text-align:left}\
#osteon-overlay:focus{outline:3px solid #1d4ed8;outline-offset:2px}\
#osteon-overlay h2{margin:0 0 .5rem;font-size:1.25rem;color:#8a0016}\
#osteon-overlay p{margin:.25rem 0}\
#osteon-overlay ol{margin:.5rem 0;padding-left:1.5rem}\
#osteon-overlay li{margin:.75rem 0}\
#osteon-overlay code,#osteon-overlay pre{font:14px/1.4 ui-monospace,monospace;background:#f0f0f0;color:#1b1b1b}\
#osteon-overlay pre{margin:.25rem 0;padding:.5rem;white-space:pre-wrap}\
#osteon-overlay button{float:right;font:inherit;padding:.25rem 1rem;border:2px solid #1b1b1b;\
border-radius:4px;background:#fff;color:#1b1b1b;cursor:pointer}\
#osteon-overlay button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}";

/// The error overlay: a labelled alert dialog listing every error with its file,
/// line, column, message, hint and source line. Empty when there are no errors.
pub fn overlay(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        return String::new();
    }
    let count = match errors.len() {
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    };
    let mut out = format!(
        "<div id=\"osteon-overlay\" role=\"alertdialog\" aria-labelledby=\"osteon-overlay-title\" \
         aria-describedby=\"osteon-overlay-note\" tabindex=\"-1\"><style>{OVERLAY_STYLE}</style>\
         <button type=\"button\">Close</button>\
         <h2 id=\"osteon-overlay-title\">The site has {count}</h2>\
         <p id=\"osteon-overlay-note\">You are seeing the last version of this page that built without errors. \
         Fix the problems below and save: open pages reload by themselves.</p><ol>"
    );
    for d in errors {
        let (line, column) = sources.line_col(&d.file, d.span.start);
        let _ = write!(
            out,
            "<li><p><code>{}:{line}:{column}</code> error[{}]</p><p>{}</p>",
            escape(&d.file),
            d.code.as_str(),
            escape(&d.message)
        );
        let text = sources.text(&d.file);
        if let Some(source) = text.lines().nth(line - 1).filter(|l| !l.trim().is_empty()) {
            let _ = write!(out, "<pre>{line} | {}</pre>", escape(source));
        }
        if let Some(hint) = &d.hint {
            let _ = write!(out, "<p>Hint: {}</p>", escape(hint));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol></div>");
    out
}

type Notifier = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Keeps the watcher, and with it the rebuild thread, running while it lives.
struct Watcher {
    _notifier: Arc<Mutex<Notifier>>,
}

/// The folders `load` reads, each watched with everything under it. The root itself
/// is watched alone, for `site.toml` and for these folders appearing, so the rest of
/// it (the output, `target/`, `node_modules/`) costs no watches.
fn source_dirs() -> impl Iterator<Item = &'static str> {
    Section::ALL
        .into_iter()
        .map(Section::dir)
        .chain(["data", "templates", "themes", "static"])
}

/// Starts watching the site folder: each debounced burst of changes becomes one
/// rebuild on a thread of its own, and a log line.
fn watch(options: &Options, live: &Live, debounce: Duration) -> anyhow::Result<Watcher> {
    let filter = Filter::new(options)?;
    let watched = filter.root.clone();
    let (sender, receiver) = mpsc::channel::<Vec<PathBuf>>();
    let mut notifier = new_debouncer(debounce, None, move |result: DebounceEventResult| {
        match result {
            Ok(events) => {
                let paths: Vec<PathBuf> = events
                    .iter()
                    // The rebuild's own reads show up as `Access`; only changes count.
                    .filter(|e| !matches!(e.event.kind, EventKind::Access(_)))
                    .flat_map(|e| &e.event.paths)
                    .filter_map(|p| filter.relevant(p))
                    .collect();
                if !paths.is_empty() {
                    let _ = sender.send(paths);
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: watching the site: {e}");
                }
            }
        }
    })
    .context("cannot watch the site folder")?;
    notifier
        .watch(&watched, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", watched.display()))?;
    for dir in source_dirs() {
        if load::is_folder(&watched, Path::new(dir)) {
            let dir = watched.join(dir);
            notifier
                .watch(&dir, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", dir.display()))?;
        }
    }
    let notifier = Arc::new(Mutex::new(notifier));
    // Weak, so dropping the `Watcher` stops the notifier, which ends the loop.
    let weak = Arc::downgrade(&notifier);
    let root = options.root.clone();
    let live = live.clone();
    std::thread::Builder::new()
        .name("osteon-rebuild".into())
        .spawn(move || {
            while let Ok(changed) = receiver.recv() {
                let changed = merge(changed, &receiver);
                watch_new_folders(&weak, &watched, &changed);
                rebuild_and_log(&live, &root, &changed);
            }
        })
        .context("cannot start the rebuild thread")?;
    Ok(Watcher {
        _notifier: notifier,
    })
}

/// `changed` with the changes that queued up meanwhile, sorted, without repeats.
fn merge(mut changed: Vec<PathBuf>, receiver: &mpsc::Receiver<Vec<PathBuf>>) -> Vec<PathBuf> {
    while let Ok(more) = receiver.try_recv() {
        changed.extend(more);
    }
    changed.sort();
    changed.dedup();
    changed
}

/// Watches a source folder created after the server started (`static/`, say).
fn watch_new_folders(notifier: &Weak<Mutex<Notifier>>, root: &Path, changed: &[PathBuf]) {
    for path in changed {
        let is_source_dir = path.to_str().is_some_and(|p| source_dirs().any(|d| d == p));
        if !is_source_dir || !load::is_folder(root, path) {
            continue;
        }
        let dir = root.join(path);
        let Some(notifier) = notifier.upgrade() else {
            return;
        };
        let mut notifier = notifier.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = notifier.watch(&dir, RecursiveMode::Recursive) {
            eprintln!("warning: cannot watch {}: {e}", dir.display());
        }
    }
}

fn rebuild_and_log(live: &Live, root: &Path, changed: &[PathBuf]) {
    let paths: Vec<PathBuf> = changed.iter().map(|p| root.join(p)).collect();
    let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let start = Instant::now();
    let result = live.rebuild(&paths);
    let ms = start.elapsed().as_millis();
    let what = describe(changed);
    match result {
        Ok(rebuilt) => {
            if let Some(text) = &rebuilt.problems {
                eprint!("{text}");
            }
            eprintln!("rebuilt in {ms} ms after {what}: {}", summary(&rebuilt));
        }
        Err(e) => eprintln!("error: rebuilding after {what} failed: {e:#}"),
    }
}

/// `articles/a.md, articles/b.md and 3 more`.
fn describe(changed: &[PathBuf]) -> String {
    let shown: Vec<String> = changed
        .iter()
        .take(3)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    let mut text = shown.join(", ");
    if changed.len() > shown.len() {
        let _ = write!(text, " and {} more", changed.len() - shown.len());
    }
    text
}

fn summary(rebuilt: &Rebuilt) -> String {
    if rebuilt.errors > 0 {
        let s = if rebuilt.errors == 1 { "" } else { "s" };
        return format!(
            "{} error{s}; serving the last good version, with the errors shown on every page",
            rebuilt.errors
        );
    }
    let (changed, removed) = (rebuilt.rebuild.changed.len(), rebuilt.rebuild.removed.len());
    if changed == 0 && removed == 0 {
        return if rebuilt.reloaded {
            "errors fixed, nothing else changed".to_string()
        } else {
            "nothing changed".to_string()
        };
    }
    let mut text = format!("{changed} changed, {removed} removed");
    if changed + removed <= 3 {
        let names: Vec<&str> = rebuilt
            .rebuild
            .changed
            .iter()
            .chain(&rebuilt.rebuild.removed)
            .map(String::as_str)
            .collect();
        let _ = write!(text, " ({})", names.join(", "));
    }
    text
}

/// Which changed paths matter: not the output folder, `target/`, `.git/`, hidden
/// files or editors' swap and backup files.
struct Filter {
    /// The site folder as the watcher reports paths (canonical).
    root: PathBuf,
    /// The output folder relative to the root, when it is inside it.
    output: Option<PathBuf>,
}

impl Filter {
    fn new(options: &Options) -> anyhow::Result<Filter> {
        let root = options
            .root
            .canonicalize()
            .with_context(|| format!("cannot find the site folder {}", options.root.display()))?;
        let output = options.output_dir();
        let output = output
            .strip_prefix(&options.root)
            .map(Path::to_path_buf)
            .ok()
            .or_else(|| {
                let output = output.canonicalize().ok()?;
                output.strip_prefix(&root).map(Path::to_path_buf).ok()
            });
        Ok(Filter { root, output })
    }

    /// The path relative to the root, if a change to it can change the site.
    fn relevant(&self, path: &Path) -> Option<PathBuf> {
        let relative = path.strip_prefix(&self.root).ok()?;
        let first = relative.components().next()?;
        if first.as_os_str() == "target"
            || self
                .output
                .as_ref()
                .is_some_and(|o| relative.starts_with(o))
        {
            return None;
        }
        let hidden = relative
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        let name = relative.file_name()?.to_string_lossy();
        let scratch = name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".swx");
        (!hidden && !scratch).then(|| relative.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_that_leave_the_site_are_refused() {
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E/site.toml",
            "/articles/..%2f..%2fsite.toml",
            "/articles/%2e%2e%2f%2e%2e%2fsite.toml",
            "/a/./b",
            "//etc/passwd",
            "/a%5c..%5csite.toml",
            "/a%00",
            "/%zz",
            "/%2",
            "/%ff",
            "relative",
        ] {
            assert_eq!(request_path(bad), None, "{bad}");
        }
        assert_eq!(request_path("/").as_deref(), Some("/"));
        assert_eq!(
            request_path("/articles/x/").as_deref(),
            Some("/articles/x/")
        );
        assert_eq!(
            request_path("/my%20file.pdf").as_deref(),
            Some("/my file.pdf")
        );
        assert_eq!(request_path("/a..b/").as_deref(), Some("/a..b/"));
    }

    #[test]
    fn the_script_listens_where_the_server_sends() {
        assert!(RELOAD_SCRIPT.contains(&format!("\"{EVENTS_PATH}\"")));
    }

    #[test]
    fn the_script_goes_before_the_last_closing_body() {
        let page = b"<p></body>x<p>end</body></html>";
        assert_eq!(
            inject(page, "<s>"),
            b"<p></body>x<p>end<s></body></html>".to_vec()
        );
        assert_eq!(inject(b"<p>", "<s>"), b"<p><s>".to_vec());
    }

    #[test]
    fn the_overlay_escapes_everything() {
        let mut sources = SourceMap::default();
        sources.insert("articles/<x>.md", "+++\ntitle = \"<script>\"\n+++\n");
        let d = Diagnostic::error(
            crate::diagnostic::Code::FrontMatter,
            "articles/<x>.md",
            12..20,
            "unknown key `<script>`",
        )
        .with_hint("did you mean \"title\" & co?");
        let html = overlay(&[d], &sources);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("articles/&lt;x&gt;.md:2:9"), "{html}");
        assert!(html.contains("unknown key `&lt;script&gt;`"), "{html}");
        assert!(html.contains("&quot;title&quot; &amp; co?"), "{html}");
        assert!(
            html.contains("2 | title = &quot;&lt;script&gt;&quot;"),
            "{html}"
        );
        assert!(overlay(&[], &sources).is_empty());
    }

    #[test]
    fn swap_files_hidden_folders_and_the_output_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            root: dir.path().to_path_buf(),
            ..Options::default()
        };
        let filter = Filter::new(&options).unwrap();
        let root = &filter.root;
        for ignored in [
            "public/index.html",
            "public",
            "target/debug/x",
            ".git/index",
            "articles/.bones.md.swp",
            "articles/bones.md~",
            "articles/bones.md.swp",
            "themes/.hidden/x.html",
            "",
        ] {
            assert_eq!(filter.relevant(&root.join(ignored)), None, "{ignored}");
        }
        assert_eq!(
            filter.relevant(&root.join("articles/bones.md")),
            Some(PathBuf::from("articles/bones.md"))
        );
        assert_eq!(filter.relevant(Path::new("/elsewhere/x.md")), None);
    }
}
