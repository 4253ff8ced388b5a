//! A build's outputs, written as each is made to a staging folder beside the
//! output folder (`.public.osteon-stage` beside `public/`), and moved into
//! it only when the whole site has built without errors: a failed build
//! leaves the output folder as it was, and no build holds the whole site in
//! memory.
//!
//! An output whose bytes the output folder already holds is not staged, so
//! an unchanged file is never rewritten. Committing claims the folder as
//! [`super::write`] does, moves the staged files in (into an empty folder,
//! the staging folder as a whole), and removes what the site no longer has.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;
use rayon::prelude::*;

use super::{Claim, RECORD, WRITING, WriteStats, prepare, remove_stale};
use crate::render::Outputs;

pub struct Stage {
    out: PathBuf,
    dir: PathBuf,
    /// The outputs staged, whose bytes the output folder does not hold.
    changed: Mutex<Vec<String>>,
    unchanged: AtomicUsize,
    /// The first failure to stage a file, reported when committing.
    error: Mutex<Option<anyhow::Error>>,
}

impl Stage {
    /// A new, empty staging folder for the output folder `out`; one left by
    /// a build that was cut short is removed.
    pub fn open(out: &Path) -> anyhow::Result<Stage> {
        let (out, dir) = paths(out)?;
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| {
                format!("cannot remove the old staging folder {}", dir.display())
            })?;
        }
        fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the staging folder {}", dir.display()))?;
        Ok(Stage {
            out,
            dir,
            changed: Mutex::default(),
            unchanged: AtomicUsize::new(0),
            error: Mutex::default(),
        })
    }

    /// Stages output `path` unless the output folder holds these bytes.
    /// A failure is kept for [`Stage::commit`] to report.
    pub fn put(&self, path: &str, bytes: &[u8]) {
        let target = self.out.join(path);
        let same = fs::symlink_metadata(&target).is_ok_and(|meta| {
            meta.is_file()
                && meta.len() == bytes.len() as u64
                && fs::read(&target).is_ok_and(|old| old == bytes)
        });
        if same {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let staged = self.dir.join(path);
        let written = staged
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::write(&staged, bytes));
        match written {
            Ok(()) => lock(&self.changed).push(path.to_string()),
            Err(e) => {
                let mut error = lock(&self.error);
                if error.is_none() {
                    *error = Some(anyhow::Error::new(e).context(format!(
                        "cannot write {} to the staging folder",
                        staged.display()
                    )));
                }
            }
        }
    }

    /// Moves the staged files into the output folder and removes the files
    /// that `outputs` does not name.
    pub fn commit(self, outputs: &Outputs) -> anyhow::Result<WriteStats> {
        if let Some(e) = lock(&self.error).take() {
            return Err(e);
        }
        let Claim {
            record,
            repaired,
            empty,
        } = prepare(&self.out)?;
        fs::write(&record, format!("{RECORD}{WRITING}")).with_context(|| {
            format!(
                "cannot write osteon's record {} beside the output folder",
                record.display()
            )
        })?;
        let changed = std::mem::take(&mut *lock(&self.changed));
        let mut stats = WriteStats {
            written: changed.len(),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            repaired,
            removed: 0,
        };
        // Into an empty folder, the staging folder goes whole.
        let moved_whole =
            empty && fs::remove_dir(&self.out).is_ok() && fs::rename(&self.dir, &self.out).is_ok();
        if empty && !moved_whole && !self.out.exists() {
            fs::create_dir_all(&self.out)?;
        }
        if !moved_whole {
            let moved: Vec<io::Result<()>> = changed
                .par_iter()
                .map(|path| move_in(&self.dir.join(path), &self.out.join(path)))
                .collect();
            for (result, path) in moved.into_iter().zip(&changed) {
                result
                    .with_context(|| format!("cannot write {}", self.out.join(path).display()))?;
            }
            if !empty {
                stats.removed = remove_stale(&self.out, outputs)?;
            }
        }
        fs::write(&record, RECORD)?;
        Ok(stats)
    }
}

/// The output folder `out` made absolute, and its staging folder beside it.
fn paths(out: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let out = std::path::absolute(out)
        .with_context(|| format!("cannot find the output folder {}", out.display()))?;
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        anyhow::bail!("the output folder cannot be {}", out.display());
    };
    let dir = parent.join(format!(".{}.osteon-stage", name.to_string_lossy()));
    Ok((out, dir))
}

/// Whether a build cut short left its staging folder beside `out`, for the
/// next build to clear.
pub(super) fn left_behind(out: &Path) -> bool {
    paths(out).is_ok_and(|(_, dir)| dir.exists())
}

/// The staging folder goes, whether the build committed or not.
impl Drop for Stage {
    fn drop(&mut self) {
        if self.dir.exists() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Moves the staged file `from` to `to` by a rename, which a reader never
/// sees half done; a folder in its way goes first. An output folder on
/// another file system than the staging folder beside it (a link to a web
/// server's folder, say) gets a copy, made beside `to` and renamed over it.
fn move_in(from: &Path, to: &Path) -> io::Result<()> {
    match fs::symlink_metadata(to) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(to)?,
        Ok(_) => {}
        Err(_) => {
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)?;
            }
        }
    }
    match fs::rename(from, to) {
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
            let tmp = to.with_file_name(format!(
                ".{}.osteon-tmp",
                to.file_name().and_then(|n| n.to_str()).unwrap_or("file")
            ));
            fs::copy(from, &tmp)?;
            fs::rename(&tmp, to)
        }
        moved => moved,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `public` a link to a folder on another file system: `/dev/shm`'s
    /// tmpfs, where the machine has one apart from the temporary folder's.
    #[test]
    #[cfg(unix)]
    fn an_output_folder_on_another_file_system_gets_copies() {
        use std::os::unix::fs::MetadataExt as _;

        let shm = Path::new("/dev/shm");
        let site = tempfile::tempdir().unwrap();
        let apart = shm.is_dir()
            && fs::metadata(shm).unwrap().dev() != fs::metadata(site.path()).unwrap().dev();
        if !apart {
            eprintln!("note: no second file system here (/dev/shm); the copy is not tried");
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI must try it");
            return;
        }
        let target = tempfile::tempdir_in(shm).unwrap();
        let out = site.path().join("public");
        std::os::unix::fs::symlink(target.path(), &out).unwrap();
        fs::write(target.path().join("old.html"), "old").unwrap();
        // The folder is osteon's: its record is beside the folder linked to.
        fs::write(super::super::record_path(&out).unwrap(), RECORD).unwrap();
        let stage = Stage::open(&out).unwrap();
        stage.put("a/index.html", b"new page");
        let mut outputs = Outputs::default();
        outputs.files.insert("a/index.html".into(), Vec::new());
        let stats = stage.commit(&outputs).unwrap();
        assert_eq!((stats.written, stats.removed), (1, 1));
        assert_eq!(
            fs::read(target.path().join("a/index.html")).unwrap(),
            b"new page"
        );
        assert!(!target.path().join("old.html").exists());
        assert!(fs::symlink_metadata(&out).unwrap().is_symlink());
        assert!(!site.path().join(".public.osteon-stage").exists());
        // The record sits beside the temporary folder, which takes only itself.
        fs::remove_file(super::super::record_path(&out).unwrap()).unwrap();
    }
}
