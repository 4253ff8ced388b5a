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
//! page. Nothing is written anywhere. The search index is made from the
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
use tokio::sync::{RwLock, broadcast};

use crate::Options;
use std::fmt::Write as _;

use crate::diagnostic::{Code, Diagnostic, render_human};
use crate::serve::project::{Project, Rebuild};
use watch::watch;

pub use http::{content_type, router};
pub use overlay::overlay;

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
    if let Some(text) = report(&[], &project) {
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
    /// The errors the terminal was last told of, to report only what changed.
    errors: Vec<Diagnostic>,
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
            errors: errors_of(project.diagnostics()),
            project,
            reloads: 0,
        };
        let (reloads, _) = broadcast::channel(16);
        Live(Arc::new(Shared {
            site: RwLock::new(served),
            reloads,
            fail_on: None,
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
        let problems = report(&site.errors, &site.project);
        site.errors = errors_of(site.project.diagnostics());
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
