//! One pass over a page: the ids it defines, the URLs and id references it
//! holds, and what the accessibility gate notes, sliced from the page's bytes.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::access::{Audit, Ends};
use super::html::{self, Attr, Token};

/// The scans a check looks pages up in: every page's, or a few pages'.
pub(super) trait Scans<'a>: Sync {
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
pub(super) struct Scan<'a> {
    pub(super) html: bool,
    pub(super) ids: FxHashSet<Cow<'a, str>>,
    /// Ids defined more than once, each listed once.
    pub(super) duplicates: Vec<Cow<'a, str>>,
    /// URL-bearing attribute values, as written (entities decoded).
    pub(super) urls: Vec<Cow<'a, str>>,
    /// `(attribute, value)` for attributes naming ids on the same page.
    pub(super) idrefs: Vec<(&'static str, Cow<'a, str>)>,
    pub(super) audit: Audit,
}

/// A [`Scan`] kept without the page's bytes: every string it sliced, copied
/// into one buffer, so a page's scan is a few allocations, not one for each
/// id and URL (a large site keeps a scan for every page until the check).
#[derive(Debug, Default)]
pub(crate) struct Compact {
    html: bool,
    text: String,
    ids: Vec<Range<u32>>,
    duplicates: Vec<Range<u32>>,
    urls: Vec<Range<u32>>,
    idrefs: Vec<(&'static str, Range<u32>)>,
    audit: Audit,
}

impl Scan<'_> {
    /// The scan, with its own copy of what it sliced from the page.
    pub(super) fn compact(self) -> Compact {
        let mut text = String::new();
        let mut keep = |s: &str| {
            let start = text.len() as u32;
            text.push_str(s);
            start..text.len() as u32
        };
        let ids = self.ids.iter().map(|id| keep(id)).collect();
        let duplicates = self.duplicates.iter().map(|id| keep(id)).collect();
        let urls = self.urls.iter().map(|url| keep(url)).collect();
        let idrefs = (self.idrefs.iter())
            .map(|(attr, id)| (*attr, keep(id)))
            .collect();
        text.shrink_to_fit();
        Compact {
            html: self.html,
            text,
            ids,
            duplicates,
            urls,
            idrefs,
            audit: self.audit,
        }
    }
}

impl Compact {
    /// The scan again, borrowing its strings from this copy (and taking its audit).
    pub(super) fn scan(&mut self) -> Scan<'_> {
        let text = &self.text;
        let at = |r: &Range<u32>| Cow::Borrowed(&text[r.start as usize..r.end as usize]);
        Scan {
            html: self.html,
            ids: self.ids.iter().map(at).collect(),
            duplicates: self.duplicates.iter().map(at).collect(),
            urls: self.urls.iter().map(at).collect(),
            idrefs: self.idrefs.iter().map(|(attr, r)| (*attr, at(r))).collect(),
            audit: std::mem::take(&mut self.audit),
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
    pub(super) fn attributes(&mut self, tag: &str, attrs: &[Attr<'a>], buf: &mut String) {
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
#[cfg(test)]
pub(super) fn scan(bytes: &[u8]) -> Scan<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => scan_with(text, |_| {}),
        Err(_) => Scan::default(),
    }
}

/// [`scan`], with each token shown to `also` as well: a second reader of the
/// page (the search index's) costs no second pass.
pub(super) fn scan_with<'a>(text: &'a str, mut also: impl FnMut(&Token<'a, '_>)) -> Scan<'a> {
    let mut out = Scan {
        html: true,
        ..Scan::default()
    };
    let mut audit = Audit::default();
    let mut buf = String::new();
    // The elements open now. As in lol_html, an end tag closes the latest open
    // element of its name and every element opened after it; a stray one, none.
    let mut open: Vec<(&str, Ends)> = Vec::new();
    html::tokens(text, |token| {
        also(&token);
        scan_token(token, &mut out, &mut audit, &mut open, &mut buf);
    });
    out.audit = audit;
    out
}

/// Notes one token of a page in `out` and `audit`; `open` holds the elements open.
fn scan_token<'a>(
    token: Token<'a, '_>,
    out: &mut Scan<'a>,
    audit: &mut Audit,
    open: &mut Vec<(&'a str, Ends)>,
    buf: &mut String,
) {
    match token {
        Token::Start {
            name,
            lower,
            attrs,
            self_closing,
            foreign,
        } => {
            let ends = audit.start(lower, attrs);
            out.attributes(lower, attrs, buf);
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
    }
}

/// Whether HTML element `tag` (in lower case) never has an end tag, by the
/// list lol_html uses (the search reader skips the same elements).
pub(crate) fn is_void(tag: &str) -> bool {
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
