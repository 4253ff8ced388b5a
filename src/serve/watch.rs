//! File watching for `serve`: notify's events, filtered to the files that can
//! change the site, start a rebuild on a thread of its own as soon as a file
//! is written and closed; the events that arrive during a rebuild make
//! exactly one more.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError, Weak, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _, WatcherKind};

use super::{Live, Rebuilt};
use crate::Options;
use crate::load::{self, Section};

/// Keeps the watcher, and with it the rebuild thread, running while it lives.
pub(super) struct Watcher {
    _notifier: Arc<Mutex<RecommendedWatcher>>,
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

/// Starts watching the site folder: a saved file starts a rebuild on a
/// thread of its own at once, with no wait for more, and the changes made
/// meanwhile are rebuilt together right after it (see [`each_batch`]). A
/// rebuild that finds new errors waits up to `settle` for the rest of the
/// save before they are shown.
///
/// notify's raw events, not a debouncer: a debouncer waits for a quiet spell
/// after the last event before it reports the first, which is the wait this
/// loop exists to avoid; the events of a rebuild's duration queue up in the
/// channel and are taken together. The rebuild starts when a written file is
/// closed, not at its first write: started at the truncation that opens a
/// save, it would read the file empty or cut short and rebuild twice.
pub(super) fn watch(options: &Options, live: &Live, settle: Duration) -> anyhow::Result<Watcher> {
    let filter = Filter::new(options)?;
    let watched = filter.root.clone();
    let (sender, receiver) = mpsc::channel::<Vec<(PathBuf, Step)>>();
    let mut notifier = notify::recommended_watcher(move |event: notify::Result<Event>| {
        let event = match event {
            Ok(event) => event,
            Err(e) => return eprintln!("warning: watching the site: {e}"),
        };
        let Some(step) = Step::of(event.kind) else {
            return;
        };
        let paths: Vec<(PathBuf, Step)> = event
            .paths
            .iter()
            .filter_map(|p| filter.relevant(p))
            .map(|p| (p, step))
            .collect();
        if !paths.is_empty() {
            let _ = sender.send(paths);
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
            let mut saves = Saves {
                live,
                root,
                watched,
                notifier: weak,
                pending: None,
            };
            let waits = Waits {
                settle,
                close: if RecommendedWatcher::kind() == WatcherKind::Inotify {
                    CLOSE_WAIT
                } else {
                    settle
                },
            };
            each_batch(&receiver, waits, |batch| saves.rebuild(batch));
        })
        .context("cannot start the rebuild thread")?;
    Ok(Watcher {
        _notifier: notifier,
    })
}

/// Where a file is in a save, as far as the watcher can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Written to, or created, and still open: its bytes may be cut short.
    Writing,
    /// Closed after writing, renamed, removed, or changed otherwise: done.
    Done,
}

impl Step {
    /// `None` for the events that change nothing (the rebuild's own reads).
    fn of(kind: EventKind) -> Option<Step> {
        match kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(Step::Done),
            EventKind::Access(_) => None,
            EventKind::Modify(ModifyKind::Data(_)) | EventKind::Create(CreateKind::File) => {
                Some(Step::Writing)
            }
            _ => Some(Step::Done),
        }
    }
}

/// How long a file written to may stay open before it is rebuilt as it is,
/// where the system reports closing (Linux): an editor closes the file the
/// moment it has written it, but a busy machine can stall a writer between
/// its first write and its last for far longer than [`super::SETTLE`].
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// How long the rebuild loop waits for more.
#[derive(Clone, Copy, Debug)]
pub(super) struct Waits {
    /// For the rest of a save, while a rebuild holds new errors back.
    pub(super) settle: Duration,
    /// For a file written to to be closed. Where the system reports no
    /// closing, the same as `settle`.
    pub(super) close: Duration,
}

/// Hands the changes from `receiver` to `rebuild` until the channel closes:
/// each file at once when it is done (on Linux, closed after writing), with
/// no wait for more, and the changes that queued up during a rebuild
/// together, as the next batch. A file written to but not closed within
/// `close` is rebuilt as it is. While `rebuild` says it holds new errors
/// back and no file is being written, the next batch is awaited for
/// `settle` at most; if none comes, `rebuild(None)` publishes them.
pub(super) fn each_batch(
    receiver: &Receiver<Vec<(PathBuf, Step)>>,
    waits: Waits,
    mut rebuild: impl FnMut(Option<Vec<PathBuf>>) -> bool,
) {
    let mut holding = false;
    let mut writing: Vec<PathBuf> = Vec::new();
    loop {
        let next = if !writing.is_empty() {
            receiver.recv_timeout(waits.close)
        } else if holding {
            receiver.recv_timeout(waits.settle)
        } else {
            receiver.recv().map_err(|_| RecvTimeoutError::Disconnected)
        };
        let mut ready = match next {
            Ok(batch) => done(batch, receiver, &mut writing),
            // Written to with no close: rebuilt as it is.
            Err(RecvTimeoutError::Timeout) if !writing.is_empty() => std::mem::take(&mut writing),
            Err(RecvTimeoutError::Timeout) => {
                holding = rebuild(None);
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if ready.is_empty() {
            continue;
        }
        ready.sort();
        ready.dedup();
        holding = rebuild(Some(ready));
    }
}

/// The files done in `batch` and in what queued up after it; `writing`
/// keeps the files still being written.
fn done(
    batch: Vec<(PathBuf, Step)>,
    receiver: &Receiver<Vec<(PathBuf, Step)>>,
    writing: &mut Vec<PathBuf>,
) -> Vec<PathBuf> {
    let mut ready = Vec::new();
    for (path, step) in batch.into_iter().chain(receiver.try_iter().flatten()) {
        writing.retain(|p| *p != path);
        match step {
            Step::Writing => writing.push(path),
            Step::Done => ready.push(path),
        }
    }
    ready
}

/// The rebuild thread's side of a save: rebuilds and the log line.
struct Saves {
    live: Live,
    /// The site folder as given, which the project's paths start with.
    root: PathBuf,
    /// The site folder as the watcher reports paths (canonical).
    watched: PathBuf,
    notifier: Weak<Mutex<RecommendedWatcher>>,
    /// While a rebuild is held back: when the save began, and every path
    /// it changed, for the log line.
    pending: Option<(Instant, Vec<PathBuf>)>,
}

impl Saves {
    /// Rebuilds after `changed`, or publishes the rebuild held back if
    /// `None`, and logs what was published. True if this rebuild is held
    /// back (see [`Live::rebuild_or_hold`]).
    fn rebuild(&mut self, changed: Option<Vec<PathBuf>>) -> bool {
        let result = match changed {
            Some(changed) => {
                watch_new_folders(&self.notifier, &self.watched, &changed);
                let (_, all) = self
                    .pending
                    .get_or_insert_with(|| (Instant::now(), Vec::new()));
                all.extend(changed.iter().cloned());
                let paths: Vec<PathBuf> = changed.iter().map(|p| self.root.join(p)).collect();
                let paths: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
                match self.live.rebuild_or_hold(&paths) {
                    Ok(rebuilt) if rebuilt.held => return true,
                    result => result,
                }
            }
            None => match self.live.publish_held() {
                Some(rebuilt) => Ok(rebuilt),
                None => return false,
            },
        };
        let (start, mut all) = self
            .pending
            .take()
            .unwrap_or_else(|| (Instant::now(), Vec::new()));
        all.sort();
        all.dedup();
        log(result, &all, start);
        false
    }
}

/// Watches a source folder created after the server started (`static/`, say).
fn watch_new_folders(notifier: &Weak<Mutex<RecommendedWatcher>>, root: &Path, changed: &[PathBuf]) {
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

fn log(result: anyhow::Result<Rebuilt>, changed: &[PathBuf], start: Instant) {
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
pub(super) struct Filter {
    /// The site folder as the watcher reports paths (canonical).
    pub(super) root: PathBuf,
    /// The output folder relative to the root, when it is inside it.
    output: Option<PathBuf>,
}

impl Filter {
    pub(super) fn new(options: &Options) -> anyhow::Result<Filter> {
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
    pub(super) fn relevant(&self, path: &Path) -> Option<PathBuf> {
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
