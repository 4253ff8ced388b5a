//! Where each output lives, by path and by folder, kept between `serve`'s rebuilds.

use rustc_hash::FxHashMap;

use crate::render::Outputs;

/// Where each output lives: by path, and by folder for `index.html` files.
/// Each path keeps its number (slot) while it is indexed; the slot of a removed
/// path is reused.
#[derive(Debug, Default)]
pub struct Index {
    /// By slot; `""` for a free slot (no output has an empty path).
    pub(super) paths: Vec<Box<str>>,
    free: Vec<usize>,
    files: FxHashMap<Box<str>, usize>,
    /// `articles/x` → the slot of `articles/x/index.html`; `""` for the home page.
    folders: FxHashMap<Box<str>, usize>,
}

impl Index {
    /// Indexes the paths of `outputs`, numbering them in order from 0.
    pub fn new(outputs: &Outputs) -> Index {
        let n = outputs.files.len();
        let mut index = Index {
            paths: Vec::with_capacity(n),
            free: Vec::new(),
            files: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            folders: FxHashMap::with_capacity_and_hasher(n, Default::default()),
        };
        for path in outputs.files.keys() {
            index.insert(path);
        }
        index
    }

    /// Adds `path`, if it is not indexed yet; returns whether it was added.
    pub fn insert(&mut self, path: &str) -> bool {
        if path.is_empty() || self.files.contains_key(path) {
            return false;
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.paths[slot] = path.into();
                slot
            }
            None => {
                self.paths.push(path.into());
                self.paths.len() - 1
            }
        };
        self.files.insert(path.into(), slot);
        if let Some(folder) = folder_of(path) {
            self.folders.insert(folder.into(), slot);
        }
        true
    }

    /// Removes `path`, if it is indexed; returns whether it was removed.
    pub fn remove(&mut self, path: &str) -> bool {
        let Some(slot) = self.files.remove(path) else {
            return false;
        };
        if let Some(folder) = folder_of(path) {
            self.folders.remove(folder);
        }
        self.paths[slot] = "".into();
        self.free.push(slot);
        true
    }

    /// How many paths are indexed.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The indexed paths, in no particular order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths
            .iter()
            .map(AsRef::as_ref)
            .filter(|p| !p.is_empty())
    }

    pub(super) fn path(&self, slot: usize) -> &str {
        &self.paths[slot]
    }

    pub(super) fn file(&self, path: &str) -> Option<usize> {
        self.files.get(path).copied()
    }

    pub(super) fn folder(&self, folder: &str) -> Option<usize> {
        self.folders.get(folder).copied()
    }

    /// The URL a visitor would use for output `i`.
    pub(super) fn url(&self, i: usize, base_path: &str) -> String {
        let path = self.path(i);
        let path = path.strip_suffix("index.html").unwrap_or(path);
        format!("{base_path}{path}")
    }
}

/// The folder an `index.html` output is served for: `articles/x` for
/// `articles/x/index.html`, `""` for the home page.
fn folder_of(path: &str) -> Option<&str> {
    if path == "index.html" {
        Some("")
    } else {
        path.strip_suffix("/index.html")
    }
}
