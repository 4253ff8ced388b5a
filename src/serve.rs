//! `osteon serve`: the site served from memory, rebuilt when a file changes, with
//! each change pushed to every open page over Server-Sent Events.
//!
//! Three parts share one [`Live`] site. The watcher (notify) watches the folders
//! `load` reads; the first change starts a rebuild at once, and the changes that
//! arrive meanwhile make exactly one more. The rebuild thread hands the changed
//! paths to [`Project::rebuild`], holding the site's write lock meanwhile, and if
//! any output or the error state changed, publishes a [`Change`]: the pages that
//! changed and, after a save of one article, its address for the tab to follow.
//! A rebuild that finds new errors waits [`SETTLE`] for the rest of the save
//! before publishing them, so a file caught half-written is never shown as an
//! error. The HTTP server ([`router`], one tokio thread) answers from the
//! project's last good outputs only, never from the disk, and adds the live
//! script (and, while the site has errors, an overlay listing them) to every
//! HTML page. Nothing is written anywhere. The search index is made from the
//! served outputs when a search first asks for it after they changed
//! ([`Live::search_index`]), so searching costs a rebuild nothing.

mod http;
mod overlay;
pub mod project;
#[cfg(test)]
mod tests;
mod watch;

use std::collections::BTreeMap;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{RwLock, RwLockWriteGuard, broadcast};

use crate::{Options, url};
use std::fmt::Write as _;

use crate::diagnostic::{Code, Diagnostic, render_human};
use crate::serve::project::{Project, Rebuild};
use watch::watch;

pub use http::{content_type, router};
pub use overlay::overlay;

/// Where open pages listen for changes.
pub const EVENTS_PATH: &str = "/__osteon/events";

/// How long a rebuild that found new errors waits for another change before
/// showing them. An editor that truncates a file and then writes it, or
/// renames the old one aside before writing the new, makes the rebuild that
/// starts at its first event see a file cut short or missing; the rest of the
/// save follows within milliseconds and is rebuilt at once. A save that
/// builds is shown without waiting.
pub const SETTLE: Duration = Duration::from_millis(50);

/// The live preview (`serve/live.js`), added in a script element before
/// `</body>` of every HTML page served (see [`reload_script`]) and never
/// written by `build`. On each change it fetches its own page again if it
/// changed and swaps in what differs, keeping scroll, focus and an open
/// glossary note; it reloads in full when the page's stylesheets or scripts
/// changed, and follows the editor to the page saved.
pub const LIVE_JS: &str = include_str!("serve/live.js");

/// The script element that carries [`LIVE_JS`] into a page served after `n`
/// changes were published. A page connects to the events a moment after it
/// loads; the count, compared with the one the events stream opens with,
/// tells it whether a change was published in between.
pub fn reload_script(n: u64) -> String {
    format!("<script id=\"osteon-live\" data-n=\"{n}\">{LIVE_JS}</script>")
}

/// More changed pages than this are announced as "every page": a template
/// edit would otherwise send every open tab a list of the whole site.
const MAX_LISTED: usize = 100;

/// What `serve` is asked to do.
#[derive(Clone, Debug)]
pub struct Config {
    pub options: Options,
    /// Where to listen; port 0 picks a free port.
    pub addr: SocketAddr,
    /// See [`SETTLE`].
    pub settle: Duration,
    /// After a save of one content file, the tab the reader used last goes
    /// to its page (`serve --no-follow` turns it off).
    pub follow: bool,
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
    if let Some(text) = report(&[], &project) {
        eprint!("{text}");
    }
    let mut live = Live::new(project);
    let shared = Arc::get_mut(&mut live.0).expect("not shared yet");
    shared.fail_on.clone_from(&config.fail_on);
    shared.follow = config.follow;
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
        let _watcher = watch(&config.options, &live, config.settle)?;
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
/// pages what changed. Cheap to clone; every clone is the same site.
#[derive(Clone)]
pub struct Live(Arc<Shared>);

struct Shared {
    /// Written only by a rebuild, which holds it for the whole rebuild so a page
    /// asked for meanwhile is answered with the new version.
    site: RwLock<Served>,
    /// Carries each [`Change`], as JSON, to every `/__osteon/events` stream.
    changes: broadcast::Sender<Arc<str>>,
    /// See [`Config::fail_on`].
    fail_on: Option<String>,
    /// See [`Config::follow`].
    follow: bool,
    /// The search index and the reload count of the outputs it was made from.
    search: Mutex<Option<(u64, SearchIndex)>>,
}

/// The files of the search index (`search-index/…`) by output path.
type SearchIndex = Arc<BTreeMap<String, Vec<u8>>>;

struct Served {
    project: Project,
    /// The error overlay, empty while the site has no errors.
    overlay: String,
    /// The path part of the last good `base_url`, which every page's links start with.
    base_path: String,
    /// The errors the terminal and the pages were last told of, to report
    /// only what changed.
    errors: Vec<Diagnostic>,
    /// Counts the changes published.
    reloads: u64,
    /// A rebuild that found new errors and waits for the rest of the save
    /// ([`SETTLE`]) before they are published.
    held: Option<Rebuild>,
}

/// What open pages are told after a rebuild, as the JSON data of a `reload`
/// event. Addresses are URL paths with the site's base path.
#[derive(Debug, serde::Serialize)]
struct Change {
    /// The count of changes published, 1 for the first.
    n: u64,
    /// The site's errors: while there are any, every page shows the overlay.
    errors: usize,
    /// Every page may have changed (the overlay did, or too many pages to list).
    all: bool,
    /// The pages whose HTML changed or went away, when not `all`.
    pages: Vec<String>,
    /// A file that pages load changed (a stylesheet, a picture): pages reload in full.
    reload: bool,
    /// The page of the one content file saved, for the tab the reader used last.
    #[serde(skip_serializing_if = "Option::is_none")]
    follow: Option<String>,
}

/// What one rebuild did, for the log line.
#[derive(Clone, Debug)]
pub struct Rebuilt {
    pub rebuild: Rebuild,
    pub errors: usize,
    /// Whether open pages were told of a change.
    pub reloaded: bool,
    /// The diagnostics as text, when they differ from the last rebuild's.
    pub problems: Option<String>,
    /// The rebuild found new errors and waits for the rest of the save
    /// ([`Live::rebuild_or_hold`]); nothing was published.
    pub held: bool,
}

impl Live {
    pub fn new(project: Project) -> Live {
        let served = Served {
            overlay: overlay(project.diagnostics(), project.source_map()),
            base_path: project.base_path().unwrap_or_else(|| "/".to_string()),
            errors: errors_of(project.diagnostics()),
            project,
            reloads: 0,
            held: None,
        };
        let (changes, _) = broadcast::channel(16);
        Live(Arc::new(Shared {
            site: RwLock::new(served),
            changes,
            fail_on: None,
            follow: true,
            search: Mutex::new(None),
        }))
    }

    /// The search index of the outputs being served, made again if they
    /// changed since it was last made (every change to the outputs counts a
    /// reload). It takes a moment on a large site, so it is made only when a
    /// search asks for it, never as part of a rebuild. Blocks: call it from a
    /// blocking thread, not from the server's runtime.
    pub fn search_index(&self) -> SearchIndex {
        let mut cache = self.0.search.lock().unwrap_or_else(PoisonError::into_inner);
        let site = self.0.site.blocking_read();
        if let Some((made_at, index)) = &*cache
            && *made_at == site.reloads
        {
            return Arc::clone(index);
        }
        let index = Arc::new(crate::search::index_files(site.project.outputs()));
        *cache = Some((site.reloads, Arc::clone(&index)));
        index
    }

    /// Runs `f` on the project being served, for tests that compare it with
    /// a cold build. Blocks: not for the server's runtime.
    pub fn with_project<R>(&self, f: impl FnOnce(&Project) -> R) -> R {
        f(&self.0.site.blocking_read().project)
    }

    /// Rebuilds after the files `changed` changed and, if any output or the error
    /// state changed, tells open pages. Blocks: call it from a thread of its
    /// own, not from the server's runtime.
    pub fn rebuild(&self, changed: &[&Path]) -> anyhow::Result<Rebuilt> {
        self.rebuild_then(changed, NewErrors::Publish)
    }

    /// As [`Live::rebuild`], but a rebuild that finds errors the pages were
    /// not shown yet publishes nothing: the caller waits for the rest of the
    /// save and rebuilds again, or calls [`Live::publish_held`].
    pub fn rebuild_or_hold(&self, changed: &[&Path]) -> anyhow::Result<Rebuilt> {
        self.rebuild_then(changed, NewErrors::Hold)
    }

    /// Publishes the rebuild held back by [`Live::rebuild_or_hold`], if any.
    pub fn publish_held(&self) -> Option<Rebuilt> {
        let mut site = self.0.site.blocking_write();
        let rebuild = site.held.take()?;
        Some(self.publish(site, rebuild))
    }

    fn rebuild_then(&self, changed: &[&Path], new_errors: NewErrors) -> anyhow::Result<Rebuilt> {
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
        let mut rebuild = match attempt {
            Ok(rebuild) => rebuild?,
            Err(panic) => return Ok(self.survive(site, changed, panic.as_ref())),
        };
        if let Some(held) = site.held.take() {
            rebuild = merged(held, rebuild);
        }
        let errors = site.project.diagnostics().iter().filter(|d| d.is_error());
        let new = errors.clone().any(|d| !site.errors.contains(d));
        let errors = errors.count();
        if new_errors == NewErrors::Hold && new {
            site.held = Some(rebuild.clone());
            return Ok(Rebuilt {
                rebuild,
                errors,
                reloaded: false,
                problems: None,
                held: true,
            });
        }
        Ok(self.publish(site, rebuild))
    }

    /// Tells the terminal and the open pages what `rebuild` changed, if anything.
    fn publish(&self, mut site: RwLockWriteGuard<'_, Served>, rebuild: Rebuild) -> Rebuilt {
        let overlay = overlay(site.project.diagnostics(), site.project.source_map());
        let problems = report(&site.errors, &site.project);
        site.errors = errors_of(site.project.diagnostics());
        let overlay_changed = overlay != site.overlay;
        site.overlay = overlay;
        let base_path = site.base_path.clone();
        if rebuild.ok
            && let Some(base_path) = site.project.base_path()
        {
            site.base_path = base_path;
        }
        let reloaded =
            !rebuild.changed.is_empty() || !rebuild.removed.is_empty() || overlay_changed;
        let errors = site.errors.len();
        if reloaded {
            site.reloads += 1;
            let change = Change::new(&rebuild, &base_path, site.base_path != base_path);
            let change = Change {
                n: site.reloads,
                errors,
                all: change.all || overlay_changed,
                follow: self.follow(&site, &rebuild),
                ..change
            };
            let json = serde_json::to_string(&change).expect("plain data");
            drop(site);
            // No open page is not an error.
            let _ = self.0.changes.send(json.into());
        }
        Rebuilt {
            rebuild,
            errors,
            reloaded,
            problems,
            held: false,
        }
    }

    /// The address of the one content file `rebuild` read again, if it has
    /// a page and following is on.
    fn follow(&self, site: &Served, rebuild: &Rebuild) -> Option<String> {
        let [source] = rebuild.sources.as_slice() else {
            return None;
        };
        let served = site
            .project
            .output(&url::output_of_source(source))
            .is_some();
        (self.0.follow && served).then(|| url::of_source(source, &site.base_path))
    }
}

/// Whether a rebuild that finds new errors publishes them now.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NewErrors {
    Publish,
    Hold,
}

/// A held rebuild and the one after it, as one.
fn merged(earlier: Rebuild, later: Rebuild) -> Rebuild {
    let union = |mut a: Vec<String>, b: Vec<String>| {
        a.extend(b);
        a.sort();
        a.dedup();
        a
    };
    let mut removed = union(earlier.removed, later.removed);
    removed.retain(|path| !later.changed.contains(path));
    Rebuild {
        changed: union(earlier.changed, later.changed),
        removed,
        ok: later.ok,
        rendered: earlier.rendered + later.rendered,
        sources: union(earlier.sources, later.sources),
    }
}

impl Change {
    /// The pages `rebuild` changed, by address; `n`, `errors` and `follow`
    /// are left for the caller.
    fn new(rebuild: &Rebuild, base_path: &str, moved: bool) -> Change {
        let outputs = || rebuild.changed.iter().chain(&rebuild.removed);
        let pages: Vec<String> = outputs()
            .filter(|path| path.ends_with(".html"))
            .map(|path| {
                format!(
                    "{base_path}{}",
                    path.strip_suffix("index.html").unwrap_or(path)
                )
            })
            .collect();
        // Feeds and the sitemap are not shown in a tab; anything else that is
        // not a page is loaded by pages, at an address that did not change.
        let loaded = |path: &&String| {
            let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
            !matches!(extension, "html" | "xml" | "txt")
        };
        let all = pages.len() > MAX_LISTED;
        Change {
            n: 0,
            errors: 0,
            all,
            pages: if all { Vec::new() } else { pages },
            reload: moved || outputs().any(|p| loaded(&p)),
            follow: None,
        }
    }
}

impl Live {
    /// After a rebuild panicked: the last good site keeps being served, the
    /// overlay and the terminal say what happened and ask for a report, and
    /// the next save loads the whole site again, as the project's state may
    /// be half-updated.
    fn survive(
        &self,
        mut site: RwLockWriteGuard<'_, Served>,
        changed: &[&Path],
        panic: &(dyn std::any::Any + Send),
    ) -> Rebuilt {
        site.project.reload_next();
        site.held = None;
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
        let change = Change {
            n: site.reloads,
            errors: 1,
            all: true,
            pages: Vec::new(),
            reload: false,
            follow: None,
        };
        drop(site);
        let json = serde_json::to_string(&change).expect("plain data");
        let _ = self.0.changes.send(json.into());
        Rebuilt {
            rebuild: Rebuild::default(),
            errors: 1,
            reloaded: true,
            problems: Some(problems),
            held: false,
        }
    }
}

fn errors_of(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect()
}

/// What the terminal is told after a rebuild: the errors that are new, in
/// full; the ones fixed, a line each; and the warnings as a count, since a
/// large site has thousands and one save's new error must not drown in them.
/// `None` when the errors did not change and there are none.
fn report(before: &[Diagnostic], project: &Project) -> Option<String> {
    let now = project.diagnostics();
    let new: Vec<Diagnostic> = now
        .iter()
        .filter(|d| d.is_error() && !before.contains(d))
        .cloned()
        .collect();
    let fixed: Vec<&Diagnostic> = before.iter().filter(|d| !now.contains(d)).collect();
    if new.is_empty() && fixed.is_empty() {
        return None;
    }
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut text = render_human(&new, project.source_map(), color);
    for d in &fixed {
        let (line, column) = project.source_map().line_col(&d.file, d.span.start);
        let _ = writeln!(text, "fixed: {}:{line}:{column}: {}", d.file, d.message);
    }
    let warnings = now.iter().filter(|d| !d.is_error()).count();
    if warnings > 0 {
        let _ = writeln!(
            text,
            "{warnings} warning(s): run `osteon check` to list them"
        );
    }
    Some(text)
}
