//! Where each file of the site is published, and the sources that would be
//! published at the same address: two pages, a page or a static file and a
//! page osteon makes (home, glossary A–Z, topics, 404, search, sitemap,
//! feed, or anything in the search index's folder `search-index/`), or a static
//! file and a page. Without this check the later writer would silently
//! replace the earlier one in the output.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::{Files, Site};
use crate::diagnostic::{Code, Diagnostic};
use crate::url;

/// Who writes an output file.
enum Writer<'a> {
    /// A file osteon makes, described for the reader.
    Generated(String),
    /// A Markdown page, by source path.
    Page(&'a str),
    /// A static file, by the path diagnostics name it with.
    Static(&'a str),
}

impl Writer<'_> {
    fn describe(&self) -> String {
        match self {
            Writer::Generated(what) => what.clone(),
            Writer::Page(path) | Writer::Static(path) => format!("`{path}`"),
        }
    }
}

/// The files osteon makes itself, with what each is.
fn generated(site: &Site) -> Vec<(String, Writer<'static>)> {
    let mut files: Vec<(String, Writer)> = url::GENERATED
        .into_iter()
        .map(|(path, what)| (path.to_string(), Writer::Generated(what.to_string())))
        .collect();
    files.extend(site.topics.iter().map(|(slug, name)| {
        let what = format!("the page of the topic `{name}`");
        (format!("topics/{slug}/index.html"), Writer::Generated(what))
    }));
    files
}

/// Whether osteon itself writes `output` (`glossary/index.html`): such a
/// file stays when a page that claimed the same address is deleted.
pub fn is_generated(site: &Site, output: &str) -> bool {
    generated(site).iter().any(|(path, _)| path == output)
}

/// An error for every source published where another writer already is:
/// generated files first, then pages and static files in path order, so the
/// error is on the file a person added last.
pub(super) fn collisions(site: &Site, files: &Files) -> Vec<Diagnostic> {
    let pages = site.pages().iter().map(|p| {
        (
            url::output_of_source(&p.path),
            Writer::Page(p.path.as_str()),
        )
    });
    let statics = files
        .assets
        .iter()
        .map(|(output, source)| (output.clone(), Writer::Static(source.as_str())));
    let mut taken: BTreeMap<String, Writer> = BTreeMap::new();
    let mut problems = Vec::new();
    for (output, writer) in generated(site).into_iter().chain(pages).chain(statics) {
        // The search index's folder is osteon's, whatever files it holds.
        if output.starts_with(crate::search::FOLDER) {
            let index = Writer::Generated("the search index".to_string());
            problems.extend(collision(&output, &index, &writer));
            continue;
        }
        match taken.entry(output) {
            Entry::Vacant(free) => {
                free.insert(writer);
            }
            Entry::Occupied(first) => problems.extend(collision(first.key(), first.get(), &writer)),
        }
    }
    problems
}

/// The error on `later`, which wants the address `first` already has.
fn collision(output: &str, first: &Writer, later: &Writer) -> Option<Diagnostic> {
    let (file, span) = match later {
        Writer::Page(path) => (*path, 0..0),
        Writer::Static(path) => (*path, 0..0),
        Writer::Generated(_) => return None,
    };
    let address = format!("/{}", output.strip_suffix("index.html").unwrap_or(output));
    let message = format!(
        "{} would be published at `{address}`, where {} is published",
        later.describe(),
        first.describe()
    );
    let hint = match later {
        Writer::Page(_) => "rename the file: a page's address comes from its path",
        _ => "rename or move the static file: it would replace the other",
    };
    Some(Diagnostic::error(Code::DuplicateUrl, file, span, message).with_hint(hint))
}
