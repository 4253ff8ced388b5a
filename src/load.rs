//! Reads a site folder into memory: the only stage that reads the site's files.
//!
//! Everything after `load` works on [`Sources`] and never touches the disk, so
//! the pipeline can be tested from strings and rebuilt from memory.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostic::{Code, Diagnostic};

/// Which part of the site a Markdown file belongs to; decides its schema and URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Article,
    Glossary,
    Page,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Article, Section::Glossary, Section::Page];

    pub fn dir(self) -> &'static str {
        match self {
            Section::Article => "articles",
            Section::Glossary => "glossary",
            Section::Page => "pages",
        }
    }

    pub fn of_path(path: &str) -> Option<Section> {
        let (dir, _) = path.split_once('/')?;
        Section::ALL.into_iter().find(|s| s.dir() == dir)
    }
}

/// One text file of the site, named by its path relative to the site root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// A file copied to the output as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    /// Path inside the output folder, with `/` separators.
    pub output: String,
    pub bytes: Vec<u8>,
}

/// Everything a build reads, in a stable order.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub config: Option<SourceFile>,
    /// Markdown files under `articles/`, `glossary/` and `pages/`, sorted by path.
    pub content: Vec<SourceFile>,
    /// TOML files under `data/`, sorted by path.
    pub data: Vec<SourceFile>,
    /// Templates of the theme; `path` is relative to the site root, so
    /// diagnostics can name the file.
    pub templates: Vec<SourceFile>,
    /// The theme's and the site's static files.
    pub assets: Vec<Asset>,
    /// Path of the theme's template folder relative to the root, with a trailing `/`.
    pub template_dir: String,
}

impl Sources {
    /// The template's name as the theme refers to it (`article.html`).
    pub fn template_name<'a>(&self, file: &'a SourceFile) -> &'a str {
        file.path
            .strip_prefix(&self.template_dir)
            .unwrap_or(&file.path)
    }
}

/// Reads the site under `root`. Files that cannot be read become diagnostics;
/// only a missing root is an environment error.
pub fn load(root: &Path) -> anyhow::Result<(Sources, Vec<Diagnostic>)> {
    anyhow::ensure!(
        root.is_dir(),
        "the site folder {} does not exist or is not a folder",
        root.display()
    );
    let mut diagnostics = Vec::new();
    let mut sources = Sources {
        config: read_text(root, "site.toml", &mut diagnostics),
        ..Sources::default()
    };
    let theme = sources
        .config
        .as_ref()
        .and_then(|c| theme_name(&c.text))
        .unwrap_or_else(|| "default".to_string());

    let mut markdown = Vec::new();
    for section in Section::ALL {
        let paths = walk(root, section.dir(), &mut diagnostics);
        markdown.extend(paths.into_iter().filter(|p| p.ends_with(".md")));
    }
    // A large site has thousands of small files: read them in parallel, in order.
    let read: Vec<(Option<SourceFile>, Vec<Diagnostic>)> = markdown
        .par_iter()
        .map(|path| {
            let mut problems = Vec::new();
            (read_text(root, path, &mut problems), problems)
        })
        .collect();
    for (file, problems) in read {
        sources.content.extend(file);
        diagnostics.extend(problems);
    }
    for path in walk(root, "data", &mut diagnostics) {
        if path.ends_with(".toml") {
            sources
                .data
                .extend(read_text(root, &path, &mut diagnostics));
        }
    }
    let theme_dir = format!("themes/{theme}");
    sources.template_dir = format!("{theme_dir}/templates/");
    for path in walk(root, &format!("{theme_dir}/templates"), &mut diagnostics) {
        if path.ends_with(".html") || path.ends_with(".xml") || path.ends_with(".txt") {
            sources
                .templates
                .extend(read_text(root, &path, &mut diagnostics));
        }
    }
    for dir in [format!("{theme_dir}/static"), "static".to_string()] {
        for path in walk(root, &dir, &mut diagnostics) {
            let output = path[dir.len() + 1..].to_string();
            match std::fs::read(root.join(&path)) {
                Ok(bytes) => sources.assets.push(Asset { output, bytes }),
                Err(e) => diagnostics.push(unreadable(&path, &e)),
            }
        }
    }
    Ok((sources, diagnostics))
}

/// The `theme` key of `site.toml`, read early because it decides which folder to load.
fn theme_name(config: &str) -> Option<String> {
    let table: toml::Table = config.parse().ok()?;
    table.get("theme")?.as_str().map(str::to_string)
}

/// Relative paths of the files under `root/dir`, sorted; a missing folder is empty.
fn walk(root: &Path, dir: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<String> {
    let base: PathBuf = root.join(dir);
    if !base.is_dir() {
        return Vec::new();
    }
    let mut paths = Vec::new();
    for entry in WalkDir::new(&base).sort_by_file_name() {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !is_hidden(&rel) {
                    paths.push(rel);
                }
            }
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map_or_else(|| dir.to_string(), |p| p.to_string_lossy().into_owned());
                diagnostics.push(Diagnostic::error(
                    Code::Read,
                    &path,
                    0..0,
                    format!("cannot read this folder: {e}"),
                ));
            }
        }
    }
    paths
}

/// Editor swap files and dot-files are never part of the site.
fn is_hidden(path: &str) -> bool {
    path.split('/')
        .any(|part| part.starts_with('.') || part.ends_with('~'))
}

/// Reads one Markdown source again after it changed: `None` with no
/// diagnostic when the file is gone.
pub fn reload_content(root: &Path, path: &str) -> (Option<SourceFile>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    if !root.join(path).is_file() {
        return (None, diagnostics);
    }
    let file = read_text(root, path, &mut diagnostics);
    (file, diagnostics)
}

fn read_text(root: &Path, path: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let bytes = match std::fs::read(root.join(path)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && path == "site.toml" => {
            diagnostics.push(
                Diagnostic::error(Code::Config, path, 0..0, "the site has no site.toml")
                    .with_hint("every site needs a site.toml with title, base_url and language"),
            );
            return None;
        }
        Err(e) => {
            diagnostics.push(unreadable(path, &e));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(SourceFile {
            path: path.to_string(),
            text,
        }),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            diagnostics.push(
                Diagnostic::error(
                    Code::Read,
                    path,
                    valid..valid + 1,
                    "this file is not valid UTF-8",
                )
                .with_hint("save the file as UTF-8 in your editor"),
            );
            // Keep the lossy text so the diagnostic can show a snippet; the
            // error above stops the build before anything is published.
            Some(SourceFile {
                path: path.to_string(),
                text,
            })
        }
    }
}

fn unreadable(path: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::Read,
        path,
        0..0,
        format!("cannot read this file: {e}"),
    )
}
