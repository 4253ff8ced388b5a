//! Writes the rendered site to the output folder, and the new files of
//! `osteon new` and `osteon init`: the only code that writes files.
//!
//! A build stages the files whose bytes changed beside the output folder
//! and renames them in once the site has no errors (see [`Stage`]), so a
//! reader never sees half a file. Files that no longer belong are removed.
//!
//! osteon's own bookkeeping stays out of the folder that gets deployed: a
//! record beside it (`.public.osteon` next to `public/`) says that osteon
//! owns the folder, so may remove files from it, and whether a write is under
//! way. It is written before the first file is moved in, a first build's
//! included, so a write cut short at any point leaves a folder the next build
//! knows to be its own and repairs (it compares every file anyway, so repair
//! is the same code as an ordinary build). A non-empty folder without a record
//! is not touched.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::render::Outputs;

mod fingerprint;
mod stage;
pub use fingerprint::{Inputs, remember, unchanged};
pub use stage::Stage;

/// The marker that versions before the record kept inside the output
/// folder: a folder holding it is osteon's, and the next build removes it.
pub const MARKER: &str = ".osteon";
/// Those versions' marker of a write under way, inside the output folder.
pub const IN_PROGRESS: &str = ".osteon-writing";

/// The record's text while a write is under way; once done, the same
/// without the last line, and after a build with no diagnostic, with the
/// build's fingerprint instead (see [`unchanged`]).
const RECORD: &str = "# osteon's record of the output folder beside it: while this file exists,\n\
                      # `osteon build` owns that folder and removes files there that the site\n\
                      # does not have. Delete it only together with the folder.\n";
const WRITING: &str = "writing = true\n";

/// The record of the output folder `out`: `.NAME.osteon` beside it, so the
/// folder holds only the site.
pub fn record_path(out: &Path) -> anyhow::Result<PathBuf> {
    let real = out
        .canonicalize()
        .with_context(|| format!("cannot find the output folder {}", out.display()))?;
    let (Some(parent), Some(name)) = (real.parent(), real.file_name()) else {
        anyhow::bail!("the output folder cannot be {}", real.display());
    };
    Ok(parent.join(format!(".{}.osteon", name.to_string_lossy())))
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// The previous write was interrupted and has been repaired.
    pub repaired: bool,
}

/// An output folder osteon may write: its record, and whether the last write
/// to it was cut short.
struct Claim {
    record: PathBuf,
    repaired: bool,
    /// The folder was empty (or new).
    empty: bool,
}

/// Creates the folder, or checks that an existing one is osteon's to manage:
/// empty, or with a record (or an older version's marker inside).
fn prepare(out: &Path) -> anyhow::Result<Claim> {
    if !out.exists() {
        fs::create_dir_all(out)
            .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    }
    anyhow::ensure!(
        out.is_dir(),
        "the output path {} is not a folder",
        out.display()
    );
    let record = record_path(out)?;
    let text = fs::read_to_string(&record).ok();
    // The old marker was a file: a `.osteon/` folder (a site's cache, when
    // the output is pointed at a site) claims nothing.
    let owned = text.is_some() || out.join(MARKER).is_file();
    let empty = fs::read_dir(out)?.next().is_none();
    anyhow::ensure!(
        empty || owned,
        "the output folder {} is not empty and was not made by osteon \
         (there is no record {} beside it); osteon will not delete files it did not write. \
         Choose an empty folder with --output",
        out.display(),
        record.display()
    );
    let writing = text.is_some_and(|t| t.lines().any(|l| l == WRITING.trim_end()));
    Ok(Claim {
        record,
        repaired: writing || out.join(IN_PROGRESS).exists(),
        empty,
    })
}

/// Removes every file and empty folder under `out` that the site does not have.
fn remove_stale(out: &Path, outputs: &Outputs) -> anyhow::Result<usize> {
    let keep: HashSet<&str> = outputs.files.keys().map(String::as_str).collect();
    // The folders that hold a file the site has stay: only the others are
    // looked into once the stale files are gone.
    let kept_folders: HashSet<&str> = keep
        .iter()
        .flat_map(|path| path.match_indices('/').map(|(at, _)| &path[..at]))
        .collect();
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
            if !kept_folders.contains(rel.as_str()) {
                dirs.push(entry.path().to_path_buf());
            }
        } else if !keep.contains(rel.as_str()) {
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

/// Writes osteon's own file `path` (relative to the site folder `root`,
/// such as `.osteon/cache/external-links.json`), creating its folders, through
/// a temporary file and a rename so a run cut short leaves the old file
/// whole. It is never in the output folder.
pub fn cache_file(root: &Path, path: &str, text: &str) -> anyhow::Result<()> {
    let path = root.join(path);
    let parent = path.parent().expect("a cache file is in a folder");
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = path.with_extension("osteon-tmp");
    fs::write(&tmp, text)
        .and_then(|()| fs::rename(&tmp, &path))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Creates the file `path` holding `text`, and the folders it needs: what
/// `osteon new` writes. A path that exists is an error, and the file is
/// opened only if it is new, so nothing is ever overwritten.
pub fn new_file(path: &Path, text: &str) -> anyhow::Result<()> {
    anyhow::ensure!(!path.exists(), "{} already exists", path.display());
    fs::create_dir_all(path.parent().expect("has a parent"))?;
    create_new(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a new site's `files` (paths relative to `dir`) into `dir`,
/// creating it if it is missing: what `osteon init` writes. A folder that
/// holds anything but hidden files (`.git`, say) is refused and left as it
/// was; a hidden file already there (a `.gitignore`) is the publisher's and is
/// kept. Returns the paths written, in the order given.
pub fn new_site(dir: &Path, files: &[(PathBuf, String)]) -> anyhow::Result<Vec<PathBuf>> {
    refuse_unless_empty(dir)?;
    let mut written = Vec::new();
    for (path, text) in files {
        let target = dir.join(path);
        if target.exists() {
            continue;
        }
        fs::create_dir_all(target.parent().expect("inside dir"))
            .with_context(|| format!("cannot create the folder for {}", target.display()))?;
        create_new(&target, text).with_context(|| format!("cannot write {}", target.display()))?;
        written.push(path.clone());
    }
    Ok(written)
}

/// Writes `text` to `path` only if no file is there, even one that appeared
/// since the caller looked.
fn create_new(path: &Path, text: &str) -> io::Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// An error unless `dir` is missing, empty, or holds only hidden files.
fn refuse_unless_empty(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    anyhow::ensure!(
        dir.is_dir(),
        "{} is a file, not a folder; nothing was changed",
        dir.display()
    );
    let mut held: Vec<String> = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    held.retain(|name| !name.starts_with('.'));
    held.sort();
    if held.is_empty() {
        return Ok(());
    }
    let shown = match held.len() {
        1..=3 => held.join(", "),
        n => format!("{} and {} more", held[..3].join(", "), n - 3),
    };
    anyhow::bail!(
        "{} is not empty (it holds {shown}); nothing was changed\n\
         `osteon init` writes a new site only into an empty or new folder, so it never \
         overwrites your files: give it a new folder, for example `osteon init my-site`",
        dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(files: &[(&str, &str)]) -> Outputs {
        Outputs {
            files: files
                .iter()
                .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
                .collect(),
            reported: None,
        }
    }

    /// Stages `outputs` for `out` and commits them.
    fn write(outputs: &Outputs, out: &Path) -> anyhow::Result<WriteStats> {
        let stage = Stage::open(out)?;
        for (path, bytes) in &outputs.files {
            stage.put(path, bytes);
        }
        stage.commit(outputs)
    }

    /// A first write that fails half-way (here a file that stands where a
    /// folder must go) leaves a folder the next write claims and repairs.
    #[test]
    fn a_first_write_cut_short_is_repaired_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // The folder is osteon's, and holds a file `b`.
        write(&outputs(&[("b", "a file")]), &out).unwrap();
        let failing = outputs(&[("a.html", "a"), ("b/c.html", "c")]);
        assert!(write(&failing, &out).is_err());

        let good = outputs(&[("a.html", "A"), ("d.html", "d")]);
        let stats = write(&good, &out).unwrap();
        assert!(stats.repaired);
        let mut files: Vec<String> = walkdir::WalkDir::new(&out)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(&out)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        files.sort();
        assert_eq!(files, ["a.html", "d.html"]);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "A");
        assert!(!write(&good, &out).unwrap().repaired);
    }

    /// `new` creates the folders a file needs, and never replaces a file.
    #[test]
    fn a_new_file_is_never_written_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("articles/a.md");
        new_file(&path, "first").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "first");
        let e = new_file(&path, "second").unwrap_err();
        assert_eq!(e.to_string(), format!("{} already exists", path.display()));
        assert_eq!(fs::read_to_string(&path).unwrap(), "first");
    }

    /// `init` writes only into a folder that holds nothing but hidden
    /// files, and keeps those.
    #[test]
    fn a_new_site_keeps_hidden_files_and_refuses_others() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir_all(&site).unwrap();
        fs::write(site.join(".gitignore"), "mine").unwrap();
        let files = [
            (PathBuf::from(".gitignore"), "theirs".to_string()),
            (PathBuf::from("pages/about.md"), "about".to_string()),
        ];
        let written = new_site(&site, &files).unwrap();
        assert_eq!(written, [PathBuf::from("pages/about.md")]);
        assert_eq!(fs::read_to_string(site.join(".gitignore")).unwrap(), "mine");
        assert_eq!(
            fs::read_to_string(site.join("pages/about.md")).unwrap(),
            "about"
        );

        let e = new_site(&site, &files).unwrap_err().to_string();
        assert!(
            e.contains("is not empty (it holds pages); nothing was changed"),
            "{e}"
        );
    }

    /// A site's `.osteon/` folder (its link cache) is not the old marker
    /// file: an output pointed at a site folder is refused, not emptied.
    #[test]
    fn a_cache_folder_does_not_claim_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir_all(site.join(".osteon/cache")).unwrap();
        fs::write(site.join("site.toml"), "mine").unwrap();
        let e = write(&outputs(&[("index.html", "x")]), &site)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not empty and was not made by osteon"), "{e}");
        assert_eq!(fs::read_to_string(site.join("site.toml")).unwrap(), "mine");
        cache_file(&site, ".osteon/cache/x.json", "{}").unwrap();
        assert_eq!(
            fs::read_to_string(site.join(".osteon/cache/x.json")).unwrap(),
            "{}"
        );
    }
}
