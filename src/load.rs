//! Reads a site folder into memory: the only stage that reads the site's files.
//!
//! Everything after `load` works on [`Sources`] and never touches the disk, so
//! the pipeline can be tested from strings and rebuilt from memory.

use std::collections::BTreeMap;
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
    /// The file it comes from, as diagnostics name it: `static/img/a.png`,
    /// `theme:default/static/style.css`.
    pub source: String,
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
    /// The templates pages are rendered with: the site's own under
    /// `templates/` and the theme's that they do not override, sorted by
    /// path. `path` names the file used, so diagnostics can name it:
    /// `templates/base.html`, `themes/NAME/templates/base.html`, or
    /// `theme:default/templates/base.html` for the built-in theme.
    pub templates: Vec<SourceFile>,
    /// The theme's static files and the site's, which replace the theme's of
    /// the same path.
    pub assets: Vec<Asset>,
    /// The theme's template folder as diagnostics name it, with a trailing `/`.
    pub template_dir: String,
    /// The site folder, where [`Sources::content_text`] reads a content file
    /// again once its text was released.
    pub root: PathBuf,
    /// Set once the content texts were freed, each as soon as it was parsed
    /// (see [`crate::parse::parse_releasing`]).
    pub(crate) released: bool,
}

impl Sources {
    /// The text of a content file, read again from the disk once released
    /// (lossily, as `load` read it; empty if it can no longer be read).
    pub fn content_text<'a>(&self, file: &'a SourceFile) -> std::borrow::Cow<'a, str> {
        if !self.released {
            return file.text.as_str().into();
        }
        match std::fs::read(self.root.join(&file.path)) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned().into(),
            Err(_) => "".into(),
        }
    }

    /// The template's name as the theme refers to it (`article.html`).
    pub fn template_name<'a>(&self, file: &'a SourceFile) -> &'a str {
        file.path
            .strip_prefix(SITE_TEMPLATES)
            .or_else(|| file.path.strip_prefix(&self.template_dir))
            .unwrap_or(&file.path)
    }

    /// The file a template name was read from, for naming it in a diagnostic:
    /// the site's override if there is one, else the theme's file.
    pub fn template_file(&self, name: &str) -> String {
        self.templates
            .iter()
            .find(|f| self.template_name(f) == name)
            .map_or_else(
                || format!("{}{name}", self.template_dir),
                |f| f.path.clone(),
            )
    }
}

/// The site's own templates, which override the theme's of the same name.
pub const SITE_TEMPLATES: &str = "templates/";

/// The theme a site gets with no `theme` key, or `theme = "default"`.
pub const DEFAULT_THEME: &str = "default";

/// How diagnostics name a file of the built-in theme: `theme:default/templates/base.html`.
pub const BUILT_IN_PREFIX: &str = "theme:default/";

/// The default theme, compiled into the binary from `themes/default/` (see
/// build.rs), so a site needs no theme folder and every copy of osteon
/// renders the same. It never changes while osteon runs.
static BUILT_IN: include_dir::Dir = include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/default");

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
        root: root.to_path_buf(),
        ..Sources::default()
    };
    let theme = theme_folder(root, sources.config.as_ref(), &mut diagnostics);
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
    // By name, so the site's own files replace the theme's of the same name.
    let mut templates = BTreeMap::new();
    let mut assets = BTreeMap::new();
    match &theme {
        Some(dir) => {
            sources.template_dir = format!("{dir}/templates/");
            read_templates(
                root,
                &sources.template_dir,
                &mut templates,
                &mut diagnostics,
            );
            read_assets(
                root,
                &format!("{dir}/static/"),
                &mut assets,
                &mut diagnostics,
            );
        }
        None => {
            sources.template_dir = format!("{BUILT_IN_PREFIX}templates/");
            built_in(&mut templates, &mut assets);
        }
    }
    read_templates(root, SITE_TEMPLATES, &mut templates, &mut diagnostics);
    read_assets(root, "static/", &mut assets, &mut diagnostics);
    sources.templates = templates.into_values().collect();
    sources.templates.sort_by(|a, b| a.path.cmp(&b.path));
    sources.assets = assets.into_values().collect();
    Ok((sources, diagnostics))
}

/// The folder of the theme `site.toml` names, or `None` for the built-in
/// one. Read early, because it decides which files to load; a theme with no
/// folder is an error on its line, and the built-in theme stands in for it so
/// that error is the only one.
fn theme_folder(
    root: &Path,
    config: Option<&SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ThemeKey {
        theme: Option<toml::Spanned<String>>,
    }
    let config = config?;
    // A `site.toml` that does not parse is reported by `parse`.
    let key: ThemeKey = toml::from_str(&config.text).ok()?;
    let theme = key.theme?;
    let name = theme.get_ref();
    if name == DEFAULT_THEME {
        return None;
    }
    let dir = format!("themes/{name}");
    // A name is one folder inside themes/, never a path out of it.
    let is_name = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']);
    if is_name && root.join(&dir).is_dir() {
        return Some(dir);
    }
    let message = if is_name {
        format!("there is no theme `{name}`: the folder {dir}/ does not exist")
    } else {
        format!("`{name}` is not a theme name")
    };
    diagnostics.push(
        Diagnostic::error(Code::Config, &config.path, theme.span(), message).with_hint(
            "name a folder in themes/ that holds templates/ and static/, or remove this line to use the built-in theme",
        ),
    );
    None
}

/// Reads the `.html`, `.xml` and `.txt` files under `root/dir` into
/// `templates`, by template name.
fn read_templates(
    root: &Path,
    dir: &str,
    templates: &mut BTreeMap<String, SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for path in walk(root, dir.trim_end_matches('/'), diagnostics) {
        if is_template(&path) {
            let name = path[dir.len()..].to_string();
            templates.extend(read_text(root, &path, diagnostics).map(|file| (name, file)));
        }
    }
}

fn is_template(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".xml") || path.ends_with(".txt")
}

/// Reads the files under `root/dir` into `assets`, by output path.
fn read_assets(
    root: &Path,
    dir: &str,
    assets: &mut BTreeMap<String, Asset>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for path in walk(root, dir.trim_end_matches('/'), diagnostics) {
        let output = path[dir.len()..].to_string();
        match std::fs::read(root.join(&path)) {
            Ok(bytes) => {
                let asset = Asset {
                    output: output.clone(),
                    source: path.clone(),
                    bytes,
                };
                assets.insert(output, asset);
            }
            Err(e) => diagnostics.push(unreadable(&path, &e)),
        }
    }
}

/// The built-in theme's templates and static files.
fn built_in(templates: &mut BTreeMap<String, SourceFile>, assets: &mut BTreeMap<String, Asset>) {
    for (path, bytes) in built_in_files(&BUILT_IN) {
        if let Some(name) = path.strip_prefix("templates/") {
            if is_template(name) {
                // The theme is ours and checked by the tests: it is UTF-8.
                let text = String::from_utf8_lossy(bytes).into_owned();
                let path = format!("{BUILT_IN_PREFIX}{path}");
                templates.insert(name.to_string(), SourceFile { path, text });
            }
        } else if let Some(output) = path.strip_prefix("static/") {
            let asset = Asset {
                output: output.to_string(),
                source: format!("{BUILT_IN_PREFIX}{path}"),
                bytes: bytes.to_vec(),
            };
            assets.insert(output.to_string(), asset);
        }
    }
}

/// Every file of an embedded folder, with its path inside it.
fn built_in_files(dir: &'static include_dir::Dir<'static>) -> Vec<(String, &'static [u8])> {
    let mut files = Vec::new();
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(sub) => files.extend(built_in_files(sub)),
            include_dir::DirEntry::File(file) => {
                let path = file.path().to_string_lossy().replace('\\', "/");
                if !is_hidden(&path) {
                    files.push((path, file.contents()));
                }
            }
        }
    }
    files
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

/// osteon's own file `path` in the site folder `root` (such as
/// `.osteon/cache/external-links.json`): `None` when there is none yet.
pub fn cache_file(root: &Path, path: &str) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(root.join(path)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // A cache that cannot be read is only a saving lost.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Ok(None),
        Err(e) => Err(anyhow::anyhow!(
            "cannot read {}: {e}",
            root.join(path).display()
        )),
    }
}

/// Whether `path`, relative to the site folder `root`, is a folder there:
/// how `serve` tells a changed folder from a changed page, and finds the
/// source folders to watch.
pub fn is_folder(root: &Path, path: &Path) -> bool {
    root.join(path).is_dir()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_told_from_a_file_and_a_missing_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("articles/old.md")).unwrap();
        std::fs::write(dir.path().join("articles/new.md"), "").unwrap();
        assert!(is_folder(dir.path(), Path::new("articles/old.md")));
        assert!(!is_folder(dir.path(), Path::new("articles/new.md")));
        assert!(!is_folder(dir.path(), Path::new("articles/gone.md")));
    }
}
