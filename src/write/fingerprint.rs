//! The fingerprint of a finished build, which lets an unchanged rebuild
//! skip everything after `load`.
//!
//! It hashes what a build's output and diagnostics can depend on (osteon
//! itself, the options that change the output, every source loaded) and the
//! output folder as that build left it (every entry's path, each file's size
//! and times). A build that reported no diagnostic at all keeps it in the
//! record beside the output folder; the next build computes it again after
//! `load`, and if the two match, the folder already holds exactly what a
//! full build would write, and that build would report nothing. Any
//! difference, or any doubt (a write under way, a staging folder left
//! behind, a binary that cannot be identified, on Linux a restart since),
//! means a full build, which compares every file and repairs the folder as
//! always.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use rayon::prelude::*;

use super::{RECORD, WRITING, WriteStats, record_path, stage};
use crate::Options;
use crate::load::Sources;

/// The record's line holding the fingerprint: `fingerprint = "…"`.
const KEY: &str = "fingerprint = ";

/// A hash of what a build's output and diagnostics can depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inputs(u64);

impl Inputs {
    /// `None` when the running osteon (or on Linux, the boot) cannot be
    /// identified, so no fingerprint is ever kept or matched.
    pub fn of(sources: &Sources, options: &Options) -> Option<Inputs> {
        let mut h = DefaultHasher::new();
        // A new osteon may render or check differently: its version, and the
        // binary's size and date, so a rebuilt one never reuses an output.
        env!("CARGO_PKG_VERSION").hash(&mut h);
        let exe = std::env::current_exe().ok()?.metadata().ok()?;
        (exe.len(), exe.modified().ok()?).hash(&mut h);
        // osteon does not sync its files, so a power loss can leave some
        // empty or old whatever the folder's times say: the first build after
        // a restart does the full work, and repairs them (Linux names each boot).
        #[cfg(target_os = "linux")]
        std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .ok()?
            .hash(&mut h);
        // Review dates are judged against today: a new day may bring a warning.
        let today = options.today();
        (&options.base_url, options.drafts, options.strict, today).hash(&mut h);
        // The groups' sizes say where each group starts in the list of files.
        (
            sources.config.is_some(),
            sources.content.len(),
            sources.data.len(),
            sources.templates.len(),
            sources.assets.len(),
            &sources.template_dir,
        )
            .hash(&mut h);
        files(sources).hash(&mut h);
        Some(Inputs(h.finish()))
    }
}

/// One hash per source file, path and bytes, in the order `load` gives them.
fn files(sources: &Sources) -> Vec<u64> {
    let texts = sources
        .config
        .iter()
        .chain(&sources.content)
        .chain(&sources.data)
        .chain(&sources.templates)
        .map(|f| [f.path.as_bytes(), f.text.as_bytes(), &[]]);
    let assets = sources
        .assets
        .iter()
        .map(|a| [a.output.as_bytes(), a.source.as_bytes(), &a.bytes]);
    let files: Vec<[&[u8]; 3]> = texts.chain(assets).collect();
    files
        .par_iter()
        .map(|parts| {
            let mut h = DefaultHasher::new();
            parts.hash(&mut h);
            h.finish()
        })
        .collect()
}

/// The output folder as it is now.
struct Folder {
    /// Every entry's path and kind, and each file's size and times.
    hash: u64,
    files: usize,
    /// The latest time any file was changed.
    newest: SystemTime,
}

/// Walks the output folder `out`. A file edited, added or removed by hand
/// changes its hash: a change of bytes changes the modification time, and
/// on unix also the status-change time, which no tool can set back
/// (`touch -r`, `cp -p` and `rsync -t` put back the other).
fn folder(out: &Path) -> anyhow::Result<Folder> {
    let mut h = DefaultHasher::new();
    let mut files = 0;
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in entries(out, out)? {
        entry.path.hash(&mut h);
        entry.file.is_none().hash(&mut h);
        let Some(file) = entry.file else {
            continue;
        };
        files += 1;
        file.hash(&mut h);
        newest = newest.max(file.times[0]).max(file.times[1]);
    }
    Ok(Folder {
        hash: h.finish(),
        files,
        newest,
    })
}

/// An entry of the output folder: its path from the folder, and for
/// anything but a folder what an edit to it changes.
struct Entry {
    path: PathBuf,
    file: Option<FileState>,
}

#[derive(Hash)]
struct FileState {
    symlink: bool,
    len: u64,
    /// Modified and status changed.
    times: [SystemTime; 2],
}

/// The entries under `dir`, in the order of a walk that sorts each folder by
/// name and gives a folder before what it holds. Links are not followed.
/// The folders are read in parallel: a large site's output has one per page,
/// and read one at a time they took longer than writing the site's record.
fn entries(out: &Path, dir: &Path) -> anyhow::Result<Vec<Entry>> {
    let mut children = std::fs::read_dir(dir)?.collect::<Result<Vec<_>, _>>()?;
    children.sort_by_key(std::fs::DirEntry::file_name);
    let nested = children
        .par_iter()
        .map(|child| {
            let path = child.path();
            let relative = path.strip_prefix(out)?.to_path_buf();
            if child.file_type()?.is_dir() {
                let inside = entries(out, &path)?;
                let folder = Entry {
                    path: relative,
                    file: None,
                };
                return Ok(std::iter::once(folder).chain(inside).collect());
            }
            let meta = child.metadata()?;
            let file = FileState {
                symlink: meta.is_symlink(),
                len: meta.len(),
                times: [meta.modified()?, status_changed(&meta)],
            };
            Ok(vec![Entry {
                path: relative,
                file: Some(file),
            }])
        })
        .collect::<anyhow::Result<Vec<Vec<Entry>>>>()?;
    Ok(nested.into_iter().flatten().collect())
}

#[cfg(unix)]
fn status_changed(meta: &std::fs::Metadata) -> SystemTime {
    use std::os::unix::fs::MetadataExt as _;
    let secs = u64::try_from(meta.ctime()).unwrap_or(0);
    let nanos = u32::try_from(meta.ctime_nsec()).unwrap_or(0);
    SystemTime::UNIX_EPOCH + Duration::new(secs, nanos)
}

#[cfg(not(unix))]
fn status_changed(meta: &std::fs::Metadata) -> SystemTime {
    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)
}

/// The fingerprint as the record keeps it: the inputs' hash and the folder's.
fn fingerprint(inputs: Inputs, folder: &Folder) -> String {
    format!("{:016x}{:016x}", inputs.0, folder.hash)
}

/// The fingerprint a record keeps, unless it says a write was under way.
fn kept(record: &str) -> Option<&str> {
    if record.lines().any(|l| l == WRITING.trim_end()) {
        return None;
    }
    record
        .lines()
        .find_map(|l| l.strip_prefix(KEY)?.strip_prefix('"')?.strip_suffix('"'))
}

/// What a build from `inputs` would report of its write to `out`, if it
/// has nothing to do: the last build into `out` reported no diagnostic,
/// had the same inputs, finished its write, and left the folder as it is.
/// `None` means build.
pub fn unchanged(out: &Path, inputs: Inputs) -> Option<WriteStats> {
    // A folder that is missing, or has a build's staging folder beside it
    // to clear, gets a full build.
    if !out.is_dir() || stage::left_behind(out) {
        return None;
    }
    let record = std::fs::read_to_string(record_path(out).ok()?).ok()?;
    let kept = kept(&record)?;
    let folder = folder(out).ok()?;
    (kept == fingerprint(inputs, &folder)).then_some(WriteStats {
        written: 0,
        unchanged: folder.files,
        removed: 0,
        repaired: false,
    })
}

/// Keeps in the record beside `out` the fingerprint of the build that has
/// just written it from `inputs` and reported no diagnostic.
///
/// File times can be coarse (a tick of 4 ms on Linux before 6.13, which
/// gives a file whose times were read a finer one; whole seconds on some
/// file systems), so a file changed within the tick of its last write would
/// keep its times. The record is therefore written only once the clock has
/// passed every file's last change, so a change after it shows; if the
/// clock does not move on within a few ticks, no fingerprint is kept, and
/// the next build, which writes nothing, keeps it.
pub fn remember(out: &Path, inputs: Inputs) -> anyhow::Result<()> {
    let record = record_path(out)?;
    let Ok(folder) = folder(out) else {
        return Ok(());
    };
    let text = format!("{RECORD}{KEY}\"{}\"\n", fingerprint(inputs, &folder));
    let write = |text: &str| {
        std::fs::write(&record, text).with_context(|| {
            format!(
                "cannot write osteon's record {} beside the output folder",
                record.display()
            )
        })
    };
    for _ in 0..5 {
        write(&text)?;
        let written = std::fs::metadata(&record).and_then(|m| m.modified());
        if written.is_ok_and(|at| at > folder.newest) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(4));
    }
    write(RECORD)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with a write under way is never taken for a finished one,
    /// whatever else it holds.
    #[test]
    fn a_write_under_way_keeps_no_fingerprint() {
        let done = format!("{RECORD}{KEY}\"00ff\"\n");
        assert_eq!(kept(&done), Some("00ff"));
        assert_eq!(kept(&format!("{done}{WRITING}")), None);
        assert_eq!(kept(&format!("{RECORD}{WRITING}")), None);
        assert_eq!(kept(RECORD), None);
    }

    /// A file rewritten at once after the build that wrote it, in the same
    /// tick of the file system's clock and to the same size, is still seen.
    /// (Linux 6.13 and later give it a finer time anyway.)
    #[test]
    fn a_change_right_after_a_build_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir(&out).unwrap();
        let page = out.join("index.html");
        for _ in 0..20 {
            std::fs::write(&page, "old").unwrap();
            remember(&out, Inputs(0)).unwrap();
            assert!(unchanged(&out, Inputs(0)).is_some(), "not kept");
            std::fs::write(&page, "new").unwrap();
            assert_eq!(unchanged(&out, Inputs(0)), None);
        }
    }
}
