//! The last check before writing: every link and id reference in the generated
//! HTML, templates included, resolves to a generated file and id.
//!
//! `resolve` checks the links written in Markdown against the sources; this
//! module checks what was actually produced, so a navigation bar, index or
//! footer that links to a page the site does not have fails the build too.
//! Each page is scanned once with a small tokenizer of its own (`html`, in
//! parallel), then every link is resolved against the set of output paths and
//! the target page's ids (in parallel). A problem repeated on many pages (a
//! template's) is reported once.
//!
//! `serve` keeps an [`Index`] of the output paths between rebuilds and checks
//! only the pages it re-rendered, so a check costs the same on any size of site.

mod access;
mod html;
mod index;
mod links;
mod report;
mod scan;
#[cfg(test)]
mod tests;
mod written;

use std::collections::HashSet;

use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::diagnostic::Diagnostic;
use crate::load::Sources;
use crate::render::Outputs;
use links::{Resolved, check_page, resolve};
use report::{Problem, collapse};
use scan::{Scan, scan_with};

/// The tokenizer, for the search index, which reads the same pages.
pub(crate) use html::{Attr, Token, attribute, tokens};
pub use index::Index;
pub(crate) use scan::{is_void, unescape};

/// What the output check asks of the theme, to name where a problem comes from.
pub trait Templates {
    /// The file a template name was read from (see [`Sources::template_file`]).
    fn file(&self, name: &str) -> String;
    /// Where a template writes `text` as written (a link's address, an id):
    /// the first template file, in name order, and the byte range.
    fn writes(&self, _text: &str) -> Option<(String, Range<usize>)> {
        None
    }
    /// Where the content of output `page` first calls the shortcode `name`:
    /// the source file and line.
    fn call(&self, _page: &str, _name: &str) -> Option<(String, usize)> {
        None
    }
}

impl<F: Fn(&str) -> String> Templates for F {
    fn file(&self, name: &str) -> String {
        self(name)
    }
}

impl Templates for Sources {
    fn file(&self, name: &str) -> String {
        self.template_file(name)
    }

    fn writes(&self, text: &str) -> Option<(String, Range<usize>)> {
        if text.is_empty() {
            return None;
        }
        let literal = self.templates.iter().find_map(|file| {
            let at = memchr::memmem::find(file.text.as_bytes(), text.as_bytes())?;
            Some((file.path.clone(), at..at + text.len()))
        });
        // Else the attribute whose expression built it.
        literal.or_else(|| {
            let found = self.templates.iter().filter_map(|file| {
                written::find(&file.text, text).map(|(span, score)| (&file.path, span, score))
            });
            // The first of the best, in name order.
            let (path, span, _) = found.rev().max_by_key(|(_, _, score)| *score)?;
            Some((path.clone(), span))
        })
    }

    fn call(&self, page: &str, name: &str) -> Option<(String, usize)> {
        let file = (self.content.iter()).find(|f| crate::url::output_of_source(&f.path) == page)?;
        let text = &*self.content_text(file);
        let at = memchr::memmem::find_iter(text.as_bytes(), b"{{").find(|&at| {
            crate::parse::shortcode::parse_call(text, at).is_ok_and(|call| call.name == name)
        })?;
        let line = 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count();
        Some((file.path.clone(), line))
    }
}

/// The theme, for naming the template a problem comes from.
pub type TemplateFile<'a> = &'a dyn Templates;

/// A second reader of the pages the output check tokenizes, so a page is
/// tokenized once for both: the search index's.
pub(crate) trait Reader: Sync {
    type Out: Send;
    type Page<'a>: ReadPage<'a>;
    /// The reader of page `path`, the `slot`th output in path order, if it
    /// reads that page.
    fn page<'a>(&self, slot: usize, path: &str, html: &'a str) -> Option<Self::Page<'a>>;
    /// What it read of a page, once the page's every token was shown to it.
    fn finish(&self, page: Self::Page<'_>) -> Option<Self::Out>;
}

/// A [`Reader`] on one page.
pub(crate) trait ReadPage<'a> {
    fn token(&mut self, token: &Token<'a, '_>);
}

/// No second reader.
struct Alone;

impl Reader for Alone {
    type Out = ();
    type Page<'a> = std::convert::Infallible;
    fn page<'a>(&self, _: usize, _: &str, _: &'a str) -> Option<Self::Page<'a>> {
        None
    }
    fn finish(&self, _: Self::Page<'_>) -> Option<()> {
        None
    }
}

impl ReadPage<'_> for std::convert::Infallible {
    fn token(&mut self, _: &Token) {}
}

/// Checks the generated site; `base_path` is the site's URL path (`/` or `/sub/`).
pub fn verify(outputs: &Outputs, base_path: &str, template_file: TemplateFile) -> Vec<Diagnostic> {
    let site = Index::new(outputs);
    // A new index numbers the paths in order, so slot `i` is `outputs`' `i`th file.
    let scans: Vec<Scan> = outputs
        .files
        .par_iter()
        .map(|(path, bytes)| {
            if is_html(path) {
                scan_page(path, bytes, outputs)
            } else {
                Scan::default()
            }
        })
        .collect();
    check_scans(&site, &scans, base_path, template_file)
}

/// Every page's links, ids and audit, from `scans`, each page's by its slot
/// in `site`.
fn check_scans(
    site: &Index,
    scans: &Vec<Scan>,
    base_path: &str,
    template_file: TemplateFile,
) -> Vec<Diagnostic> {
    let problems: Vec<(usize, Vec<Problem>)> = (0..scans.len())
        .into_par_iter()
        .map(|page| (page, check_page(page, site, scans, base_path)))
        .collect();
    collapse(problems, site, scans, base_path, template_file)
}

/// Checks only the outputs in `pages`, on a site whose outputs are `base`
/// with `overlay` written over it, and whose paths `site` indexes (paths it
/// lacks count as missing): what `serve` re-rendered after an edit. Only those
/// pages and the pages they link to with a fragment are scanned, and nothing
/// is kept per page of the whole site.
pub fn verify_pages<'a>(
    site: &Index,
    base: &'a Outputs,
    overlay: &'a Outputs,
    pages: impl IntoIterator<Item = &'a str>,
    base_path: &str,
    template_file: TemplateFile,
) -> Vec<Diagnostic> {
    let scan_at = |i: usize| {
        let path = site.path(i);
        let from = if overlay.files.contains_key(path) {
            overlay
        } else {
            base
        };
        if is_html(path) {
            let bytes = from.files.get(path).map_or(&[][..], Vec::as_slice);
            scan_page(path, bytes, from)
        } else {
            Scan::default()
        }
    };
    let mut checked: Vec<usize> = pages.into_iter().filter_map(|p| site.file(p)).collect();
    // In path order, so a problem on several pages is reported on the first.
    checked.sort_unstable_by(|&a, &b| site.path(a).cmp(site.path(b)));
    checked.dedup();
    let mut scans: FxHashMap<usize, Scan> = checked
        .par_iter()
        .map(|&i| (i, scan_at(i)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    // The ids of pages linked to with a fragment.
    let mut buf = String::new();
    let mut targets = HashSet::new();
    for &i in &checked {
        for url in &scans[&i].urls {
            if let Resolved::Output {
                target,
                fragment: Some(_),
            } = resolve(url, i, site, base_path, &mut buf)
                && !scans.contains_key(&target)
            {
                targets.insert(target);
            }
        }
    }
    for i in targets {
        scans.insert(i, scan_at(i));
    }
    let problems: Vec<(usize, Vec<Problem>)> = checked
        .par_iter()
        .map(|&i| (i, check_page(i, site, &scans, base_path)))
        .collect();
    collapse(problems, site, &scans, base_path, template_file)
}

/// Scans page `path` of `outputs`, without the link faults its content
/// check reported on their source lines already.
fn scan_page<'a>(path: &str, bytes: &'a [u8], outputs: &Outputs) -> Scan<'a> {
    scan_reading((0, path), bytes, reported(outputs, path), &Alone).0
}

/// The link texts of page `path` its content check reported already: `None`
/// when not known.
fn reported<'o>(outputs: &'o Outputs, path: &str) -> Option<&'o [String]> {
    outputs
        .reported
        .as_ref()
        .map(|by_page| by_page.get(path).map_or(&[][..], Vec::as_slice))
}

/// A page scanned as it was rendered (see [`scan_streamed`]), kept without
/// its bytes.
pub(crate) struct Scanned(scan::Compact);

/// Scans page `path`, the `slot`th output, as it is rendered, with `reader`
/// reading it too; `reported` is what [`Outputs::reported`] would hold for
/// it. The page's bytes can go once it returns: [`verify_scanned`] checks
/// the site from the scans.
pub(crate) fn scan_streamed<R: Reader>(
    (slot, path): (usize, &str),
    bytes: &[u8],
    reported: Option<&[String]>,
    reader: &R,
) -> (Scanned, Option<R::Out>) {
    if !is_html(path) {
        return (Scanned(scan::Compact::default()), None);
    }
    let (scan, read) = scan_reading((slot, path), bytes, reported, reader);
    (Scanned(scan.compact()), read)
}

/// [`verify`] from the `scans` made as the pages were rendered (by output
/// path; any order): `outputs` need only name every output, not hold it.
pub(crate) fn verify_scanned(
    outputs: &Outputs,
    scans: Vec<(String, Scanned)>,
    base_path: &str,
    template_file: TemplateFile,
) -> Vec<Diagnostic> {
    let site = Index::new(outputs);
    let mut kept: Vec<scan::Compact> = Vec::new();
    kept.resize_with(outputs.files.len(), scan::Compact::default);
    for (path, Scanned(scan)) in scans {
        if let Some(slot) = site.file(&path) {
            kept[slot] = scan;
        }
    }
    let by_slot: Vec<Scan<'_>> = kept.par_iter_mut().map(scan::Compact::scan).collect();
    check_scans(&site, &by_slot, base_path, template_file)
}

/// [`scan_page`], with `reader` reading the page, the `slot`th output, too.
fn scan_reading<'a, R: Reader>(
    (slot, path): (usize, &str),
    bytes: &'a [u8],
    reported: Option<&[String]>,
    reader: &R,
) -> (Scan<'a>, Option<R::Out>) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return (Scan::default(), None);
    };
    let mut page = reader.page(slot, path, text);
    let mut scan = scan_with(text, |token| {
        if let Some(page) = &mut page {
            page.token(token);
        }
    });
    scan.audit.forget(reported);
    (scan, page.and_then(|page| reader.finish(page)))
}

fn is_html(path: &str) -> bool {
    path.ends_with(".html")
}
