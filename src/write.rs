//! Writes the rendered site to the output folder: the only code that writes.
//!
//! Only files whose bytes changed are written, each to a temporary file that is
//! then renamed over the old one, so a reader never sees half a file. Files that
//! no longer belong are removed. A marker file records a write in progress, so
//! the next build knows to repair an interrupted one (it compares every file
//! anyway, so repair is the same code as an ordinary build).

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;

use crate::render::Outputs;

/// Present in every output folder osteon has written; without it osteon
/// refuses to delete anything from a non-empty folder.
pub const MARKER: &str = ".osteon";
/// Present while a write is under way.
pub const IN_PROGRESS: &str = ".osteon-writing";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// The previous write was interrupted and has been repaired.
    pub repaired: bool,
}

pub fn write(outputs: &Outputs, out: &Path) -> anyhow::Result<WriteStats> {
    prepare(out)?;
    let repaired = out.join(IN_PROGRESS).exists();
    fs::write(out.join(IN_PROGRESS), b"")
        .with_context(|| format!("cannot write to the output folder {}", out.display()))?;

    let results: Vec<io::Result<bool>> = outputs
        .files
        .par_iter()
        .map(|(path, bytes)| write_if_changed(&out.join(path), bytes))
        .collect();
    let mut stats = WriteStats {
        repaired,
        ..WriteStats::default()
    };
    for (result, path) in results.into_iter().zip(outputs.files.keys()) {
        match result.with_context(|| format!("cannot write {}", out.join(path).display()))? {
            true => stats.written += 1,
            false => stats.unchanged += 1,
        }
    }
    stats.removed = remove_stale(out, outputs)?;
    fs::write(
        out.join(MARKER),
        b"This folder is written by osteon build; files not in the site are removed.\n",
    )?;
    fs::remove_file(out.join(IN_PROGRESS))?;
    Ok(stats)
}

/// Creates the folder, or checks that an existing one is osteon's to manage.
fn prepare(out: &Path) -> anyhow::Result<()> {
    if !out.exists() {
        return fs::create_dir_all(out)
            .with_context(|| format!("cannot create the output folder {}", out.display()));
    }
    anyhow::ensure!(
        out.is_dir(),
        "the output path {} is not a folder",
        out.display()
    );
    let empty = fs::read_dir(out)?.next().is_none();
    anyhow::ensure!(
        empty || out.join(MARKER).exists(),
        "the output folder {} is not empty and was not made by osteon; \
         osteon will not delete files it did not write. Choose an empty folder with --output",
        out.display()
    );
    Ok(())
}

/// Writes `bytes` to `path` unless it already holds them; true if written.
///
/// A file that exists is replaced through a temporary file and a rename, so a
/// reader never sees half of it. A new file is written in place: no reader
/// has it yet, and if the write is cut short the in-progress marker makes the
/// next build compare, and so rewrite, it.
fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    let existing = fs::symlink_metadata(path).ok();
    match &existing {
        Some(meta)
            if meta.is_file() && meta.len() == bytes.len() as u64 && fs::read(path)? == bytes =>
        {
            return Ok(false);
        }
        Some(meta) if meta.is_dir() => fs::remove_dir_all(path)?,
        Some(_) => {
            let tmp = path.with_file_name(format!(
                ".{}.osteon-tmp",
                path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
            ));
            fs::write(&tmp, bytes)?;
            fs::rename(&tmp, path)?;
            return Ok(true);
        }
        None => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
        }
    }
    fs::write(path, bytes)?;
    Ok(true)
}

/// Removes every file and empty folder under `out` that the site does not have.
fn remove_stale(out: &Path, outputs: &Outputs) -> anyhow::Result<usize> {
    let keep: HashSet<&str> = outputs.files.keys().map(String::as_str).collect();
    let mut removed = 0;
    let mut dirs = Vec::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry?;
        let rel = entry
            .path()
            .strip_prefix(out)?
            .to_string_lossy()
            .replace('\\', "/");
        if entry.file_type().is_dir() {
            dirs.push(entry.path().to_path_buf());
        } else if !keep.contains(rel.as_str()) && rel != MARKER && rel != IN_PROGRESS {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    // Deepest first, so a folder emptied of sub-folders goes too.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in dirs {
        if fs::read_dir(&dir)?.next().is_none() {
            fs::remove_dir(&dir)?;
        }
    }
    Ok(removed)
}
