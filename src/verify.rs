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

mod html;

use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::link_text;
use crate::render::Outputs;
use crate::url;
use html::{Attr, Token};

/// The file a template name was read from (see [`crate::load::Sources::template_file`]),
/// for naming the template a problem comes from.
pub type TemplateFile<'a> = &'a dyn Fn(&str) -> String;

/// Checks the generated site; `base_path` is the site's URL path (`/` or `/sub/`).
pub fn verify(outputs: &Outputs, base_path: &str, template_file: TemplateFile) -> Vec<Diagnostic> {
    let site = Index::new(outputs);
    // A new index numbers the paths in order, so slot `i` is `outputs`' `i`th file.
    let scans: Vec<Scan> = outputs
        .files
        .par_iter()
        .map(|(path, bytes)| {
            if is_html(path) {
                scan(bytes)
            } else {
                Scan::default()
            }
        })
        .collect();
    let problems: Vec<(usize, Vec<Problem>)> = (0..scans.len())
        .into_par_iter()
        .map(|page| (page, check_page(page, &site, &scans, base_path)))
        .collect();
    collapse(problems, &site, &scans, base_path, template_file)
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
    let bytes = |i: usize| {
        let path = site.path(i);
        overlay
            .files
            .get(path)
            .or_else(|| base.files.get(path))
            .map_or(&[][..], Vec::as_slice)
    };
    let scan_at = |i: usize| {
        if is_html(site.path(i)) {
            scan(bytes(i))
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

fn is_html(path: &str) -> bool {
    path.ends_with(".html")
}

/// Where each output lives: by path, and by folder for `index.html` files.
/// Each path keeps its number (slot) while it is indexed; the slot of a removed
/// path is reused.
#[derive(Debug, Default)]
pub struct Index {
    /// By slot; `""` for a free slot (no output has an empty path).
    paths: Vec<Box<str>>,
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

    fn path(&self, slot: usize) -> &str {
        &self.paths[slot]
    }

    fn file(&self, path: &str) -> Option<usize> {
        self.files.get(path).copied()
    }

    fn folder(&self, folder: &str) -> Option<usize> {
        self.folders.get(folder).copied()
    }

    /// The URL a visitor would use for output `i`.
    fn url(&self, i: usize, base_path: &str) -> String {
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

/// The scans a check looks pages up in: every page's, or a few pages'.
trait Scans<'a>: Sync {
    fn of(&self, page: usize) -> &Scan<'a>;
}

impl<'a> Scans<'a> for Vec<Scan<'a>> {
    fn of(&self, page: usize) -> &Scan<'a> {
        &self[page]
    }
}

impl<'a> Scans<'a> for FxHashMap<usize, Scan<'a>> {
    fn of(&self, page: usize) -> &Scan<'a> {
        // A page not scanned is looked up only for what it defines, and only
        // when it is not HTML; `verify_pages` scans every page it needs.
        static NOT_HTML: LazyLock<Scan<'static>> = LazyLock::new(Scan::default);
        self.get(&page).unwrap_or(&NOT_HTML)
    }
}

/// What one page defines and refers to, borrowed from its bytes where possible.
#[derive(Debug, Default)]
struct Scan<'a> {
    html: bool,
    ids: FxHashSet<Cow<'a, str>>,
    /// Ids defined more than once, each listed once.
    duplicates: Vec<Cow<'a, str>>,
    /// URL-bearing attribute values, as written (entities decoded).
    urls: Vec<Cow<'a, str>>,
    /// `(attribute, value)` for attributes naming ids on the same page.
    idrefs: Vec<(&'static str, Cow<'a, str>)>,
    audit: Audit,
}

/// What a reader using assistive technology meets on a page: the accessibility
/// gate that needs no browser.
#[derive(Clone, Debug, Default, PartialEq)]
struct Audit {
    lang: bool,
    h1: usize,
    /// Heading levels that skip one, as `(from, to)`.
    skips: Vec<(u8, u8)>,
    last_level: u8,
    images_without_alt: usize,
    tables_without_headers: usize,
    /// Texts of links with no text, or text that says nothing out of context.
    bad_links: Vec<String>,
    /// Tables open now, with whether each has a header cell yet.
    tables: Vec<bool>,
    /// Whether the link open now has a label already; `None` outside links.
    link: Option<bool>,
    /// The text of the link open now, as written.
    link_text: String,
}

/// What the audit must do when an element ends.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ends {
    Nothing,
    Link,
    Table,
}

impl Audit {
    /// Notes the start tag of element `tag` (in lower case).
    fn start(&mut self, tag: &str, attrs: &[Attr]) -> Ends {
        let has_text = |name| html::attribute(attrs, name).is_some_and(|v| !v.trim().is_empty());
        match tag {
            "a" if html::attribute(attrs, "href").is_some() => {
                self.link = Some(has_text("aria-label"));
                self.link_text.clear();
                return Ends::Link;
            }
            "img" => match html::attribute(attrs, "alt") {
                None => self.images_without_alt += 1,
                Some(alt) if !alt.trim().is_empty() => {
                    if let Some(labelled) = &mut self.link {
                        *labelled = true;
                    }
                }
                Some(_) => {}
            },
            "th" => {
                if let Some(top) = self.tables.last_mut() {
                    *top = true;
                }
            }
            "table" => {
                self.tables.push(false);
                return Ends::Table;
            }
            "html" => self.lang = has_text("lang"),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = tag.as_bytes()[1] - b'0';
                if level == 1 {
                    self.h1 += 1;
                }
                if self.last_level > 0 && level > self.last_level + 1 {
                    self.skips.push((self.last_level, level));
                }
                self.last_level = level;
            }
            _ => {}
        }
        Ends::Nothing
    }

    fn end(&mut self, ends: Ends) {
        match ends {
            Ends::Nothing => {}
            Ends::Table => {
                if self.tables.pop() == Some(false) {
                    self.tables_without_headers += 1;
                }
            }
            Ends::Link => {
                let Some(labelled) = self.link.take() else {
                    return;
                };
                let text = unescape(self.link_text.trim());
                if (text.is_empty() && !labelled) || link_text::judge(&text).is_some() {
                    self.bad_links.push(text.into_owned());
                }
            }
        }
    }

    fn text(&mut self, text: &str) {
        if self.link.is_some() {
            self.link_text.push_str(text);
        }
    }
}

impl<'a> Scan<'a> {
    fn define(&mut self, id: Cow<'a, str>) {
        if id.is_empty() {
            return;
        }
        if self.ids.contains(id.as_ref()) {
            if !self.duplicates.contains(&id) {
                self.duplicates.push(id);
            }
        } else {
            self.ids.insert(id);
        }
    }

    /// Notes the ids, URLs and id references among the attributes of element
    /// `tag` (in lower case).
    fn attributes(&mut self, tag: &str, attrs: &[Attr<'a>], buf: &mut String) {
        for attr in attrs {
            let Some(value) = attr.value else {
                continue;
            };
            let Some(role) = role(tag, html::lower(attr.name, buf)) else {
                continue;
            };
            let value = unescape(value);
            match role {
                Role::Id => self.define(value),
                Role::Url => self.urls.push(value),
                Role::SrcSet => self.urls.extend(srcset(value)),
                Role::IdRef(attr) => self.idrefs.push((attr, value)),
            }
        }
    }
}

/// What an attribute means for the check.
#[derive(Clone, Copy)]
enum Role {
    Id,
    Url,
    SrcSet,
    IdRef(&'static str),
}

/// The role of attribute `name` on element `tag`, both in lower case.
fn role(tag: &str, name: &str) -> Option<Role> {
    let on = |tags: &[&str]| tags.contains(&tag);
    Some(match name {
        "id" => Role::Id,
        "name" if tag == "a" => Role::Id,
        "href" if on(&["a", "area", "link", "use", "image"]) => Role::Url,
        "src"
            if on(&[
                "img", "script", "source", "iframe", "embed", "video", "audio", "track", "input",
            ]) =>
        {
            Role::Url
        }
        "srcset" if on(&["img", "source"]) => Role::SrcSet,
        "action" if tag == "form" => Role::Url,
        "formaction" if on(&["button", "input"]) => Role::Url,
        "poster" if tag == "video" => Role::Url,
        "data" if tag == "object" => Role::Url,
        "for" if on(&["label", "output"]) => Role::IdRef("for"),
        "headers" if on(&["td", "th"]) => Role::IdRef("headers"),
        "list" if tag == "input" => Role::IdRef("list"),
        "popovertarget" => Role::IdRef("popovertarget"),
        "commandfor" => Role::IdRef("commandfor"),
        "aria-controls" => Role::IdRef("aria-controls"),
        "aria-labelledby" => Role::IdRef("aria-labelledby"),
        "aria-describedby" => Role::IdRef("aria-describedby"),
        "aria-details" => Role::IdRef("aria-details"),
        "aria-owns" => Role::IdRef("aria-owns"),
        "aria-flowto" => Role::IdRef("aria-flowto"),
        "aria-errormessage" => Role::IdRef("aria-errormessage"),
        "aria-activedescendant" => Role::IdRef("aria-activedescendant"),
        _ => return None,
    })
}

/// Scans one page, slicing names and values out of the page's own bytes so
/// that no attribute allocates unless it has an entity.
fn scan(bytes: &[u8]) -> Scan<'_> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Scan::default();
    };
    let mut out = Scan {
        html: true,
        ..Scan::default()
    };
    let mut audit = Audit::default();
    let mut buf = String::new();
    // The elements open now. As in lol_html, an end tag closes the latest open
    // element of its name and every element opened after it; a stray one, none.
    let mut open: Vec<(&str, Ends)> = Vec::new();
    html::tokens(text, |token| match token {
        Token::Start {
            name,
            lower,
            attrs,
            self_closing,
            foreign,
        } => {
            let ends = audit.start(lower, attrs);
            out.attributes(lower, attrs, &mut buf);
            if (foreign && !self_closing) || (!foreign && !is_void(lower)) {
                open.push((name, ends));
            }
        }
        Token::End { name } => {
            if let Some(&(open_name, ends)) = open.last()
                && open_name.eq_ignore_ascii_case(name)
            {
                open.pop();
                if ends != Ends::Nothing {
                    audit.end(ends);
                }
            } else if let Some(at) = open.iter().rposition(|(n, _)| n.eq_ignore_ascii_case(name)) {
                for (_, ends) in open.drain(at..) {
                    if ends != Ends::Nothing {
                        audit.end(ends);
                    }
                }
            }
        }
        Token::Text(text) => audit.text(text),
    });
    out.audit = audit;
    out
}

/// Whether HTML element `tag` (in lower case) never has an end tag, by the
/// list lol_html uses.
fn is_void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// The URLs of a `srcset`: comma-separated candidates, each a URL and a descriptor.
fn srcset(value: Cow<'_, str>) -> Vec<Cow<'_, str>> {
    fn candidates(s: &str) -> impl Iterator<Item = &str> {
        s.split(',')
            .filter_map(|c| c.split_ascii_whitespace().next())
    }
    match value {
        Cow::Borrowed(s) => candidates(s).map(Cow::Borrowed).collect(),
        Cow::Owned(s) => candidates(&s).map(|u| Cow::Owned(u.to_string())).collect(),
    }
}

/// Decodes the character references URLs and ids use: `&amp;`, `&quot;`,
/// `&#39;`, `&#x27;` and the like. Unknown references are left as written.
pub(crate) fn unescape(raw: &str) -> Cow<'_, str> {
    if html::find(raw.as_bytes(), 0, b'&').is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| {
            let name = &rest[1..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => number.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }
            }?;
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `s` split at the first `c`, without it; short URLs are faster to search byte by byte.
fn split_at_byte(s: &str, c: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == c)?;
    Some((&s[..at], &s[at + 1..]))
}

/// The segments of a path, as `path.split('/')` gives them.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let path = rest?;
        let (segment, next) = match split_at_byte(path, b'/') {
            Some((segment, next)) => (segment, Some(next)),
            None => (path, None),
        };
        rest = next;
        Some(segment)
    })
}

/// Where a URL points, once resolved against the page it is on.
enum Resolved<'u> {
    /// Another site or scheme, or nothing to check.
    Skip,
    Output {
        target: usize,
        fragment: Option<&'u str>,
    },
    /// `wanted` is the site URL it would have, for suggestions.
    Missing { wanted: String },
}

/// Resolves `url`, found on output `page`, to an output. `buf` is scratch space.
fn resolve<'u>(
    url: &'u str,
    page: usize,
    site: &Index,
    base_path: &str,
    buf: &mut String,
) -> Resolved<'u> {
    let url = url.trim_ascii();
    if url::is_external(url) {
        return Resolved::Skip;
    }
    let (rest, fragment) = match split_at_byte(url, b'#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    let path = split_at_byte(rest, b'?').map_or(rest, |(path, _)| path);
    if path.is_empty() {
        return Resolved::Output {
            target: page,
            fragment,
        };
    }
    let path = url::percent_decode(path);
    buf.clear();
    let relative = if let Some(absolute) = path.strip_prefix('/') {
        let base = base_path.trim_start_matches('/');
        match absolute.strip_prefix(base) {
            Some(relative) => relative,
            None if format!("{absolute}/") == base => "",
            None => {
                return Resolved::Missing {
                    wanted: format!("{base_path}{absolute}"),
                };
            }
        }
    } else {
        let from = site.path(page);
        buf.push_str(from.rsplit_once('/').map_or("", |(folder, _)| folder));
        &path
    };
    let last = match relative.bytes().rposition(|b| b == b'/') {
        Some(slash) => &relative[slash + 1..],
        None => relative,
    };
    let folder = matches!(last, "" | "." | "..");
    for segment in segments(relative) {
        match segment {
            "" | "." => {}
            ".." => {
                if buf.is_empty() {
                    return Resolved::Missing {
                        wanted: format!("{base_path}{}", relative.trim_start_matches("../")),
                    };
                }
                buf.truncate(buf.rfind('/').unwrap_or(0));
            }
            segment => {
                if !buf.is_empty() {
                    buf.push('/');
                }
                buf.push_str(segment);
            }
        }
    }
    let target = if folder {
        site.folder(buf)
    } else {
        site.file(buf).or_else(|| site.folder(buf))
    };
    match target {
        Some(target) => Resolved::Output { target, fragment },
        None => {
            let slash = if folder && !buf.is_empty() { "/" } else { "" };
            Resolved::Missing {
                wanted: format!("{base_path}{buf}{slash}"),
            }
        }
    }
}

/// One problem on one page, before repeats across pages are collapsed.
struct Problem {
    code: Code,
    /// Without the page count, so the same problem on two pages compares equal.
    message: String,
    hint: Hint,
}

/// What the hint is worked out from, once per collapsed problem.
enum Hint {
    /// A missing URL: suggest the closest generated URL.
    Url(String),
    /// A missing id on output `page`: suggest the closest id there.
    Anchor {
        page: usize,
        id: String,
    },
    /// An idref on the same page.
    IdRef(String),
    /// A template's accessibility problem, with its advice.
    Template(String),
    Duplicate,
}

/// Where the links the Markdown check did not see come from.
const ORIGIN: &str = "this link is not a relative Markdown link (those are checked against the \
                      sources), so it comes from a template, a shortcode, raw HTML or a `/…` \
                      Markdown link";

fn check_page<'a>(
    page: usize,
    site: &Index,
    scans: &impl Scans<'a>,
    base_path: &str,
) -> Vec<Problem> {
    let scan = scans.of(page);
    let mut problems = Vec::new();
    let mut buf = String::new();
    for url in &scan.urls {
        match resolve(url, page, site, base_path, &mut buf) {
            Resolved::Skip => {}
            Resolved::Missing { wanted } => problems.push(Problem {
                code: Code::BrokenLink,
                message: format!(
                    "the generated page links to `{url}`, which the site does not have"
                ),
                hint: Hint::Url(wanted),
            }),
            Resolved::Output { target, fragment } => {
                let Some(fragment) = fragment.filter(|f| !f.is_empty() && !f.starts_with(":~:"))
                else {
                    continue;
                };
                // Only HTML has ids; a fragment on a PDF (`#page=2`) means something else.
                let to = scans.of(target);
                let fragment = url::percent_decode(fragment);
                if !to.html || to.ids.contains(fragment.as_ref()) {
                    continue;
                }
                let message = if target == page {
                    format!(
                        "the generated page links to `{url}`, but this page has no id `{fragment}`"
                    )
                } else {
                    format!(
                        "the generated page links to `{url}`, but `{}` has no id `{fragment}`",
                        site.path(target)
                    )
                };
                problems.push(Problem {
                    code: Code::BrokenAnchor,
                    message,
                    hint: Hint::Anchor {
                        page: target,
                        id: fragment.into_owned(),
                    },
                });
            }
        }
    }
    for (attr, value) in &scan.idrefs {
        for id in value.split_ascii_whitespace() {
            if !scan.ids.contains(id) {
                problems.push(Problem {
                    code: Code::BrokenAnchor,
                    message: format!("`{attr}` refers to `#{id}`, which is not on this page"),
                    hint: Hint::IdRef(id.to_string()),
                });
            }
        }
    }
    audit_problems(&scan.audit, scan.html, &mut problems);
    for id in &scan.duplicates {
        problems.push(Problem {
            code: Code::DuplicateId,
            message: format!("the id `{id}` is used more than once on the generated page"),
            hint: Hint::Duplicate,
        });
    }
    problems
}

/// Accessibility problems of a generated page. Content problems were reported
/// on their source lines before rendering, so these come from templates.
fn audit_problems(audit: &Audit, html: bool, problems: &mut Vec<Problem>) {
    if !html {
        return;
    }
    let mut add = |message: String, hint: &str| {
        problems.push(Problem {
            code: Code::Accessibility,
            message,
            hint: Hint::Template(hint.to_string()),
        })
    };
    if !audit.lang {
        add(
            "the page's <html> element has no lang".into(),
            "screen readers choose their voice from lang; write <html lang=\"{{ site.language }}\">",
        );
    }
    if audit.h1 != 1 {
        add(
            format!("the page has {} h1 headings instead of one", audit.h1),
            "every page needs exactly one h1: its title",
        );
    }
    for (from, to) in &audit.skips {
        add(
            format!("a heading jumps from h{from} to h{to}"),
            "screen-reader users move by heading level; do not skip one",
        );
    }
    if audit.images_without_alt > 0 {
        add(
            format!(
                "{} image(s) have no alt attribute",
                audit.images_without_alt
            ),
            "describe each image in alt, or write alt=\"\" if it is decorative",
        );
    }
    if audit.tables_without_headers > 0 {
        add(
            format!(
                "{} table(s) have no header cells",
                audit.tables_without_headers
            ),
            "mark up column or row headers with <th scope>",
        );
    }
    for text in &audit.bad_links {
        let message = if text.is_empty() {
            "a link has no text and no aria-label".to_string()
        } else {
            format!("the link text `{text}` does not say where the link goes")
        };
        add(message, "link text must make sense out of context");
    }
}

/// One diagnostic per distinct problem, on the first page that has it,
/// counting the pages; `problems` are each page's, in path order.
fn collapse<'a>(
    problems: Vec<(usize, Vec<Problem>)>,
    site: &Index,
    scans: &impl Scans<'a>,
    base_path: &str,
    template_file: TemplateFile,
) -> Vec<Diagnostic> {
    struct Seen {
        problem: Problem,
        page: usize,
        last_page: usize,
        pages: usize,
    }
    let mut seen: Vec<Seen> = Vec::new();
    let mut index: BTreeMap<(Code, String), usize> = BTreeMap::new();
    for (page, list) in problems {
        for problem in list {
            match index.entry((problem.code, problem.message.clone())) {
                Entry::Occupied(e) => {
                    let s = &mut seen[*e.get()];
                    if s.last_page != page {
                        s.last_page = page;
                        s.pages += 1;
                    }
                }
                Entry::Vacant(e) => {
                    e.insert(seen.len());
                    seen.push(Seen {
                        problem,
                        page,
                        last_page: page,
                        pages: 1,
                    });
                }
            }
        }
    }
    let urls: Vec<String> = if seen.iter().any(|s| matches!(s.problem.hint, Hint::Url(_))) {
        // `closest` does not depend on the order of its candidates.
        (0..site.paths.len())
            .filter(|&i| !site.path(i).is_empty())
            .map(|i| site.url(i, base_path))
            .collect()
    } else {
        Vec::new()
    };
    seen.into_iter()
        .map(|s| {
            let page = site.path(s.page);
            if let Hint::Template(advice) = &s.problem.hint {
                let pages = if s.pages > 1 {
                    format!(" and {} other pages", s.pages - 1)
                } else {
                    String::new()
                };
                let file = template_file(crate::render::template_of(page));
                let message = format!("{} (on {page}{pages})", s.problem.message);
                return Diagnostic::error(s.problem.code, &file, 0..0, message)
                    .with_hint(advice.clone());
            }
            let mut message = s.problem.message;
            if s.pages > 1 {
                message.push_str(&format!(" (on {} pages)", s.pages));
            }
            let origin = if s.pages > 1 {
                "the same link is on several pages, so it most likely comes from a template"
            } else {
                ORIGIN
            };
            let hint = match &s.problem.hint {
                Hint::Url(wanted) => match closest(wanted, urls.iter().map(String::as_str)) {
                    Some(best) => format!("{origin}; did you mean `{best}`?"),
                    None => origin.to_string(),
                },
                Hint::Anchor { page, id } => {
                    match closest(id, scans.of(*page).ids.iter().map(Cow::as_ref)) {
                        Some(best) => format!("{origin}; did you mean `#{best}`?"),
                        None => origin.to_string(),
                    }
                }
                Hint::IdRef(id) => {
                    let ids = &scans.of(s.page).ids;
                    match closest(id, ids.iter().map(Cow::as_ref)) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => "the element it names must be on the same page, with that id"
                            .to_string(),
                    }
                }
                Hint::Template(advice) => advice.clone(),
                Hint::Duplicate => "ids must be unique on a page, or links and labels reach only \
                                    the first; a template may write an id the content also uses"
                    .to_string(),
            };
            Diagnostic::error(s.problem.code, page, 0..0, message).with_hint(hint)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    use lol_html::html_content::{Element, TextType};
    use lol_html::{HtmlRewriter, Settings, doc_text, element};

    /// Names a template as the built-in theme's source folder would.
    fn theme_file(name: &str) -> String {
        format!("themes/default/templates/{name}")
    }

    fn t(name: &str) -> String {
        format!("t/{name}")
    }

    /// Verifies a site of `(output path, HTML)` pairs; one line per diagnostic.
    fn check(files: &[(&str, &str)], base_path: &str) -> Vec<String> {
        let outputs = Outputs {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
                .collect(),
        };
        verify(&outputs, base_path, &theme_file)
            .iter()
            // The accessibility gate has tests of its own, below.
            .filter(|d| d.code != Code::Accessibility)
            .map(|d| {
                format!(
                    "{} {}: {} | {}",
                    d.code.as_str(),
                    d.file,
                    d.message,
                    d.hint.as_deref().unwrap_or("")
                )
            })
            .collect()
    }

    fn page(body: &str) -> String {
        format!(
            "<!DOCTYPE html><html><head><link rel=stylesheet href=/style.css></head>\
             <body><nav><a href=/>Home</a> <a href=/about/>About</a></nav>\
             <main id=main>{body}</main></body></html>"
        )
    }

    fn site(home: &str, about: &str) -> Vec<String> {
        let (home, about) = (page(home), page(about));
        check(
            &[
                ("index.html", &home),
                ("about/index.html", &about),
                ("articles/x/index.html", &page("<h2 id=risk>Risk</h2>")),
                ("style.css", "body{}"),
            ],
            "/",
        )
    }

    #[test]
    fn a_good_site_has_no_problems() {
        let home = "<a href='/articles/x/#risk'>x</a> <a href=articles/x/>x</a> \
                    <a href=#main>skip</a> <a href=\"#\">top</a> <a href=about>about</a>";
        assert_eq!(site(home, ""), Vec::<String>::new());
    }

    #[test]
    fn a_broken_template_link_is_reported_once_with_its_page_count() {
        let nav = |href: &str| {
            format!("<!DOCTYPE html><html><body><a href={href}>About</a><p>x</p></body></html>")
        };
        let pages = |href: &str| {
            check(
                &[
                    ("index.html", &nav(href)),
                    ("about/index.html", &nav(href)),
                    ("articles/x/index.html", &nav(href)),
                ],
                "/",
            )
        };
        assert_eq!(pages("/about/"), Vec::<String>::new());
        assert_eq!(
            pages("/abut/"),
            [
                "broken-link about/index.html: the generated page links to `/abut/`, which the \
              site does not have (on 3 pages) | the same link is on several pages, so it most \
              likely comes from a template; did you mean `/about/`?"
            ]
        );
    }

    #[test]
    fn a_broken_link_on_one_page_names_where_it_may_come_from() {
        let problems = site("<a href=/articles/y/>y</a>", "");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with(
                "broken-link index.html: the generated page links to `/articles/y/`, which the \
                 site does not have | this link is not a relative Markdown link"
            ),
            "{problems:?}"
        );
        assert!(problems[0].ends_with("did you mean `/articles/x/`?"));
    }

    #[test]
    fn anchors_must_be_ids_on_the_target_page() {
        assert_eq!(
            site("<a href=/articles/x/#risk>x</a>", ""),
            Vec::<String>::new()
        );
        let problems = site("<a href=/articles/x/#risks>x</a>", "");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with(
                "broken-anchor index.html: the generated page links to `/articles/x/#risks`, \
                 but `articles/x/index.html` has no id `risks` |"
            ),
            "{problems:?}"
        );
        assert!(problems[0].ends_with("did you mean `#risk`?"));
        assert_eq!(site("<a href=#main>x</a>", ""), Vec::<String>::new());
        assert_eq!(
            site("<a href=#mian>x</a>", "").len(),
            1,
            "a same-page fragment is checked too"
        );
    }

    #[test]
    fn relative_links_resolve_from_the_page_folder() {
        let x = |href: &str| {
            check(
                &[
                    (
                        "articles/x/index.html",
                        &format!("<a href='{href}'>y</a><img src=../../img/a.png alt=''>"),
                    ),
                    ("articles/y/index.html", "<p id=a>y</p>"),
                    ("img/a.png", ""),
                ],
                "/",
            )
        };
        assert_eq!(x("../y/"), Vec::<String>::new());
        assert_eq!(x("../y/#a"), Vec::<String>::new());
        assert_eq!(x("./../y/index.html?q=1"), Vec::<String>::new());
        assert_eq!(x("../z/").len(), 1);
        assert_eq!(x("../../../y/").len(), 1, "climbing above the root");
    }

    #[test]
    fn stylesheets_and_files_must_exist() {
        let x = |css: &str| {
            check(
                &[
                    ("index.html", &format!("<link rel=stylesheet href={css}>")),
                    ("style.css", ""),
                    ("a b.pdf", ""),
                ],
                "/",
            )
        };
        assert_eq!(x("style.css"), Vec::<String>::new());
        assert_eq!(x("a%20b.pdf#page=2"), Vec::<String>::new());
        assert_eq!(x("styles.css").len(), 1);
    }

    #[test]
    fn site_absolute_links_start_with_the_base_path() {
        let x = |href: &str| {
            check(
                &[
                    ("index.html", &format!("<a href={href}>a</a>")),
                    ("about/index.html", ""),
                ],
                "/sub/",
            )
        };
        assert_eq!(x("/sub/about/"), Vec::<String>::new());
        assert_eq!(x("/sub/"), Vec::<String>::new());
        assert_eq!(x("/sub"), Vec::<String>::new());
        let problems = x("/about/");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].ends_with("did you mean `/sub/about/`?"),
            "{problems:?}"
        );
    }

    #[test]
    fn external_links_are_not_checked() {
        for href in [
            "https://example.org/x",
            "http://x",
            "mailto:a@b.c",
            "tel:+1",
            "data:text/plain,x",
            "//cdn.example.org/x.js",
        ] {
            assert_eq!(
                site(&format!("<a href={href}>x</a>"), ""),
                Vec::<String>::new()
            );
        }
        assert_eq!(site("<a href=missing>x</a>", "").len(), 1);
    }

    #[test]
    fn idrefs_must_name_ids_on_the_same_page() {
        let x = |attrs: &str| {
            site(
                &format!(
                    "<button {attrs}>Menu</button><div id=menu popover>m</div><h2 id=t>T</h2>"
                ),
                "",
            )
        };
        assert_eq!(
            x("popovertarget=menu aria-labelledby='t main'"),
            Vec::<String>::new()
        );
        assert_eq!(
            x("popovertarget=menus"),
            [
                "broken-anchor index.html: `popovertarget` refers to `#menus`, which is not on this \
              page | did you mean `menu`?"
            ]
        );
        assert_eq!(
            x("aria-labelledby='t nothing'"),
            [
                "broken-anchor index.html: `aria-labelledby` refers to `#nothing`, which is not on \
              this page | the element it names must be on the same page, with that id"
            ]
        );
        assert_eq!(site("<label for=main>m</label>", ""), Vec::<String>::new());
        assert_eq!(site("<label for=q>m</label>", "").len(), 1);
    }

    #[test]
    fn duplicate_ids_are_reported_once_per_id() {
        assert_eq!(
            site("<h2 id=top>a</h2><h2 id=main2>b</h2>", ""),
            Vec::<String>::new()
        );
        assert_eq!(
            site("<h2 id=main>a</h2><h2 id=main>b</h2>", ""),
            [
                "duplicate-id index.html: the id `main` is used more than once on the generated \
              page | ids must be unique on a page, or links and labels reach only the first; a \
              template may write an id the content also uses"
            ]
        );
        let on_both = site("<h2 id=main>a</h2>", "<h2 id=main>a</h2>");
        assert_eq!(on_both.len(), 1);
        assert!(on_both[0].contains("(on 2 pages)"), "{on_both:?}");
    }

    #[test]
    fn an_index_updated_in_place_finds_what_a_new_one_finds() {
        let outputs = |files: &[(&str, &str)]| Outputs {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
                .collect(),
        };
        let home = page("<a href=/about/#team>About</a> <a href=articles/x/>X</a>");
        let base = outputs(&[
            ("index.html", &home),
            ("about/index.html", &page("<h2 id=team>T</h2>")),
            ("articles/x/index.html", &page("")),
            ("style.css", ""),
        ]);
        let mut index = Index::new(&base);
        let home_only = |index: &Index| -> Vec<String> {
            verify_pages(index, &base, &Outputs::default(), ["index.html"], "/", &t)
                .iter()
                .filter(|d| d.code != Code::Accessibility)
                .map(|d| format!("{} {}", d.code.as_str(), d.message))
                .collect()
        };
        assert_eq!(home_only(&index), Vec::<String>::new());
        assert!(index.remove("about/index.html") && !index.remove("about/index.html"));
        assert_eq!(
            home_only(&index),
            [
                "broken-link the generated page links to `/about/`, which the site does not have",
                "broken-link the generated page links to `/about/#team`, which the site does not \
                 have",
            ]
        );
        assert!(index.remove("articles/x/index.html"));
        assert_eq!(home_only(&index).len(), 3);
        // Slots are reused; the folder map follows.
        assert!(index.insert("articles/x/index.html") && !index.insert("articles/x/index.html"));
        assert!(index.insert("about/index.html"));
        assert_eq!(index.len(), 4);
        assert_eq!(index.paths.len(), 4);
        assert_eq!(home_only(&index), Vec::<String>::new());
        // A page the base lacks is checked from the overlay.
        let overlay = outputs(&[("about/index.html", &page("<h2 id=people>T</h2>"))]);
        let found: Vec<Code> = verify_pages(&index, &base, &overlay, ["index.html"], "/", &t)
            .iter()
            .map(|d| d.code)
            .filter(|&code| code != Code::Accessibility)
            .collect();
        assert_eq!(found, [Code::BrokenAnchor]);
    }

    #[test]
    fn entities_in_attributes_are_decoded() {
        let problems = site("<a href='/articles/x/?a=1&amp;b=2#ris&#107;'>x</a>", "");
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(unescape("a&amp;b&#x27;&bogus;"), "a&b'&bogus;");
    }

    #[test]
    fn srcset_candidates_are_checked() {
        let x = |srcset: &str| {
            check(
                &[
                    (
                        "index.html",
                        &format!("<img src=a.png srcset='{srcset}' alt=''>"),
                    ),
                    ("a.png", ""),
                    ("b.png", ""),
                ],
                "/",
            )
        };
        assert_eq!(x("a.png 1x, /b.png 2x"), Vec::<String>::new());
        assert_eq!(x("a.png 1x, /c.png 2x").len(), 1);
    }

    fn audit(pages: &[(&str, &str)]) -> Vec<String> {
        let outputs = Outputs {
            files: pages
                .iter()
                .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
                .collect(),
        };
        verify(&outputs, "/", &theme_file)
            .iter()
            .filter(|d| d.code == Code::Accessibility)
            .map(|d| format!("{}: {}", d.file, d.message))
            .collect()
    }

    const GOOD: &str = "<!doctype html><html lang=en><body><h1>T</h1><h2>S</h2><h3>s</h3><h2>S2</h2>\
        <img src=x.png alt=\"\"><table><tr><th>H</th></tr><tr><td>1</td></tr></table>\
        <a href=#x id=x>Calcium advice</a><a href=#x aria-label=Home><img src=x.png alt=\"\"></a></body></html>";

    #[test]
    fn an_accessible_page_passes_the_gate() {
        assert_eq!(
            audit(&[("articles/a/index.html", GOOD), ("x.png", "")]),
            Vec::<String>::new()
        );
    }

    /// The audit of a page whose one link reads `text`.
    fn link(text: &str) -> Vec<String> {
        audit(&[
            (
                "articles/a/index.html",
                &GOOD.replace("Calcium advice", text),
            ),
            ("x.png", ""),
        ])
    }

    #[test]
    fn link_text_is_judged_in_lower_case() {
        for text in [
            "Click Here",
            "HERE",
            " more ",
            "HTTPS://example.org",
            "lin\u{212a}",
        ] {
            assert_eq!(link(text).len(), 1, "{text:?}");
        }
        for text in ["Calcium advice", "Here is why", "http:/x", "héré"] {
            assert_eq!(link(text), Vec::<String>::new(), "{text:?}");
        }
    }

    /// Templates are held to the phrases content is held to
    /// ([`link_text::VAGUE`]), with the same closing dots and web addresses.
    #[test]
    fn template_link_text_is_judged_as_content_is() {
        for text in link_text::VAGUE.into_iter().chain([
            "Click",
            "This link",
            "here.",
            "Read more\u{2026}",
            "www.nhs.uk",
        ]) {
            let found = link(text);
            assert_eq!(found.len(), 1, "{text:?}");
            assert!(
                found[0].contains(&format!("the link text `{text}` does not say")),
                "{found:?}"
            );
        }
    }

    #[test]
    fn template_accessibility_problems_name_the_template() {
        let bad = GOOD
            .replace("lang=en", "")
            .replace("<h3>s</h3>", "<h4>s</h4><h1>Again</h1>")
            .replace("alt=\"\">", ">")
            .replace("<th>H</th>", "<td>H</td>")
            .replace("Calcium advice", "click here")
            .replace(" aria-label=Home", "");
        let found = audit(&[
            ("articles/a/index.html", &bad),
            ("articles/b/index.html", &bad),
            ("x.png", ""),
        ]);
        let t = "themes/default/templates/article.html";
        assert_eq!(
            found,
            [
                format!(
                    "{t}: the page's <html> element has no lang (on articles/a/index.html and 1 other pages)"
                ),
                format!(
                    "{t}: the page has 2 h1 headings instead of one (on articles/a/index.html and 1 other pages)"
                ),
                format!(
                    "{t}: a heading jumps from h2 to h4 (on articles/a/index.html and 1 other pages)"
                ),
                format!(
                    "{t}: 2 image(s) have no alt attribute (on articles/a/index.html and 1 other pages)"
                ),
                format!(
                    "{t}: 1 table(s) have no header cells (on articles/a/index.html and 1 other pages)"
                ),
                format!(
                    "{t}: the link text `click here` does not say where the link goes (on articles/a/index.html and 1 other pages)"
                ),
                format!(
                    "{t}: a link has no text and no aria-label (on articles/a/index.html and 1 other pages)"
                ),
            ]
        );
    }

    /// The scan as lol_html tokenizes the page: the oracle for `html::tokens`.
    /// Only the tokenizer differs; `Audit` and `Scan` note what it finds.
    fn reference_scan(bytes: &[u8]) -> Scan<'_> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Scan::default();
        };
        let out = RefCell::new(Scan {
            html: true,
            ..Scan::default()
        });
        // End-tag handlers must be 'static.
        let audit = Rc::new(RefCell::new(Audit::default()));
        let settings = Settings::new()
            .with_strict(false)
            .append_element_content_handler(element!("*", |el: &mut Element| {
                let start = el.source_location().bytes().start + 1;
                let len = text[start..]
                    .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
                    .unwrap_or(text.len() - start);
                let tag = &text[start..start + len];
                let attrs: Vec<Attr> = el
                    .attributes()
                    .iter()
                    .map(|a| Attr {
                        name: &text[a.name_source_location().unwrap().bytes()],
                        value: a.value_source_location().map(|v| &text[v.bytes()]),
                    })
                    .collect();
                let tag = tag.to_ascii_lowercase();
                let ends = audit.borrow_mut().start(&tag, &attrs);
                out.borrow_mut()
                    .attributes(&tag, &attrs, &mut String::new());
                if ends != Ends::Nothing {
                    let audit = Rc::clone(&audit);
                    let _ = el.on_end_tag(Box::new(move |_| {
                        audit.borrow_mut().end(ends);
                        Ok(())
                    }));
                }
                Ok(())
            }))
            .append_document_content_handler(doc_text!(|t| {
                // Raw text (`<script>`, `<title>`, …) is no link text.
                if matches!(t.text_type(), TextType::Data | TextType::CDataSection) {
                    audit.borrow_mut().text(t.as_str());
                }
                Ok(())
            }));
        let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
        rewriter.write(bytes).unwrap();
        rewriter.end().unwrap();
        let mut out = out.into_inner();
        out.audit = audit.borrow().clone();
        out
    }

    /// Scans `page` with `scan` and with lol_html and compares what they found.
    fn same_as_lol_html(name: &str, page: &str) {
        let (mine, lol) = (scan(page.as_bytes()), reference_scan(page.as_bytes()));
        assert_eq!(mine.html, lol.html, "html, {name}");
        assert_eq!(mine.ids, lol.ids, "ids, {name}");
        assert_eq!(mine.duplicates, lol.duplicates, "duplicates, {name}");
        assert_eq!(mine.urls, lol.urls, "urls, {name}");
        assert_eq!(mine.idrefs, lol.idrefs, "idrefs, {name}");
        assert_eq!(mine.audit, lol.audit, "audit, {name}");
    }

    /// Pages that lead a naive tokenizer astray, each after a start that opens a
    /// link (so any text mistaken for link text shows) and a table.
    const TRICKY: &[&str] = &[
        "<!DOCTYPE html><html lang=en><head><title>A <a href=/in-title>title</a></title>\
         <meta charset=utf-8><link rel=stylesheet href=/s.css></head><body><h1>T</h1></body></html>",
        "<!doctype html><HTML LANG='  '><H1>T</H1><H3>skip</H3><h2>S</h2><h4>s</h4></HTML>",
        "<!-- <a href=/in-comment id=c>x</a> --><a href=/after id=a1>After</a>\
         <!--><a href=/empty-comment>x</a><!---><a href=/dash-comment>y</a>\
         <!-- a -- b --!><a href=/bang id=bang>z</a><!----><!-- x --->",
        "<a href=/s>Go<script>var s = \"</a>\"; var t = '<a href=/in-script id=s>more</a>';\
         if (a<b && c>d) {}</script> on</a><script src=/app.js></script>\
         <script>x = \"</scripts>\" + '<a href=/still-script>'</script >",
        "<A HREF=/Upper ID=Up>Click Here</A><IMG SRC=/x.png><TABLE><TR><TD>1</TD></TR></TABLE>\
         <Table><tr><TH>h</th></TABLE><LABEL FOR=Up>l</LABEL>",
        "<a href=/unquoted?a=1&amp;b=2 id=u>un</a><a href='/single#x' id='s q'>single</a>\
         <a href=\"/double&#x2F;x\" title=\"a > b\" id=\"&amp;\">double</a><a href=\"/gt>x\">gt</a>",
        "<input disabled id=d list=dl><datalist id=dl></datalist><a href>valueless</a>\
         <a href=>empty</a><a href=\"\">empty quoted</a><img alt src=/v.png><img alt=x alt>",
        "<br/><hr /><img src=/y.png alt=\"a > b\"/><a href=\"/sc\" />text</a><p/>\
         <a href=/sc2/>more</a>",
        "<a href=/n><em>text</em> <strong>more</strong></a><a href=/i><img src=/i.png alt=Icon></a>\
         <a href=/e><img src=/e.png alt=\"\"></a><a href=/l aria-label=\" \">here</a>\
         <a href=/lab aria-label=Home></a><a href=/ent>&#104;ere</a><a href=/url>https://x.org</a>",
        "<a href=/s><svg><title>Open</title><path d=M0/></svg></a><svg><style>.a{}</style>\
         <a href=/svg-a/>svg link</svg><svg><![CDATA[<a href=/cdata>]]></svg>\
         <![CDATA[<a href=/bogus>]]><svg/><div><a href=/after-svg>after</a></div>",
        "<svg><desc><style><a href=/in-desc-style></style></desc><style><a href=/svg-style>\
         </style><foreignObject><p>p</p><title><a href=/fo-title></title></foreignObject>\
         <a href=/svg-cdata><![CDATA[label]]></a></svg><a href=/html-cdata><![CDATA[x]]></a>",
        "<svg><b>bold</b><style><a href=/after-b></style></svg><math><p><style><a href=/after-p>\
         </style></math><svg><title/><style><a href=/svg-style-2></style></svg>",
        "<svg><a href=\"/svg-self-closing\"/></a></svg>",
        "<img src=/v.png alt=v><a href=/void>he</img>re</a><wbr><a href=/wbr>mo</wbr>re</a>",
        "<textarea id=ta><a href=/ta></textarea><style>a[href=\"</a>\"]{}</style>\
         <noscript><a href=/ns>x</a></noscript><a href=/after-raw>raw</a>",
        "<?xml version=\"1.0\"?><a href=/pi>x</a></><a href=/x1>y</ 3>z</a> a < b <3 \
         <a href=/first href=/second id=one id=two>dup</a>",
        "<p><a href=/u>read more</p><table><tr><th>h</th></table>\
         <table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>\
         <table><td><table><td>x</table><div><a href=/d>more</div>",
        "<math><mi><a href=/m>x</a></mi><style><a href=/math-style></style></math><a\nhref = \"/ws\"\tid = 'w'>ws</a>\
         <a =x href=/eq>eq</a><a href=/ü title=é>café</a><p é=1 id=é>p</p>\
         <a href=#x name=x id=y>named</a><button popovertarget=m aria-controls='a b'>b</button>",
        "<a href=/eof>unterminated <b",
        "<a href=/eof2 title=\"unterminated",
        "<a href=/eof3 id=unquoted",
        "<a href=/pt>link<plaintext><a href=/in-plaintext id=pt>",
        "<img srcset=\"/a.png 1x, /b&amp;c.png 2x\" alt=\"\"><form action=/f><button formaction=/b>\
         </button></form><video poster=/p.png><source src=/v.mp4><track src=/t.vtt></video>\
         <object data=/o.svg></object><td headers=h1>x</td><output for=o>o</output>",
    ];

    #[test]
    fn the_tokenizer_agrees_with_lol_html_on_tricky_pages() {
        for (i, page) in TRICKY.iter().enumerate() {
            same_as_lol_html(&format!("tricky page {i}: {page}"), page);
        }
        // A stray end tag of a void element must not close the link.
        for void in [
            "area", "base", "basefont", "bgsound", "br", "col", "embed", "hr", "img", "input",
            "keygen", "link", "meta", "param", "source", "track", "wbr",
        ] {
            same_as_lol_html(void, &format!("<{void}><a href=/v>he</{void}>re</a>"));
        }
        for raw in [
            "script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes",
            "noscript",
        ] {
            let page = format!("<a href=/r>x<{raw}><a href=/in-{raw}></{raw}></a><p id={raw}>");
            same_as_lol_html(raw, &page);
        }
    }

    #[test]
    fn the_tokenizer_agrees_with_lol_html_on_the_shipped_site() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let (sources, problems) = crate::load::load(&root).unwrap();
        assert!(!problems.iter().any(Diagnostic::is_error), "{problems:?}");
        let options = crate::Options {
            root,
            ..Default::default()
        };
        let compiled = crate::compile(&sources, &options);
        let outputs = compiled.outputs.expect("the shipped site builds");
        let mut pages = 0;
        for (path, bytes) in &outputs.files {
            if is_html(path) {
                same_as_lol_html(path, std::str::from_utf8(bytes).unwrap());
                pages += 1;
            }
        }
        assert!(pages > 20, "only {pages} pages");
    }
}
