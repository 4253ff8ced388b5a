//! Ids: heading ids as GitHub makes them (`slugify`, `-1` for a repeat,
//! `{#custom}` kept), footnote ids, and ids set in raw HTML, each claimed
//! once per body.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::{Heading, Problem, State};

/// Whether a heading's text, read without smart punctuation, has `--`: the
/// only text smart punctuation changes that a heading's id keeps.
pub(super) fn has_hyphen_run(heading: &[(Event, Range<usize>)]) -> bool {
    let text: String = heading
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Text(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    text.contains("--")
}

impl<'a> State<'a, '_> {
    pub(super) fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
        inner: &mut Vec<(Event<'a>, Range<usize>)>,
        range: Range<usize>,
    ) {
        let text: String = inner
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        self.end_block();
        let n = level as u8;
        self.check_heading_level(n, &range);
        let id = match id {
            Some(id) => {
                self.claim_id(id.to_string(), range.clone());
                id.to_string()
            }
            None => self.unique_id(&slugify(&text)),
        };
        self.body.headings.push(Heading {
            level: level as u8,
            id: id.clone(),
            text,
            span: range.clone(),
        });
        self.emit(Event::Start(Tag::Heading {
            level,
            id: Some(id.into()),
            classes,
            attrs,
        }));
        self.in_heading = true;
        for (e, r) in inner.drain(..) {
            match e {
                Event::Text(t) => self.text(t, r),
                e => self.event(e, r),
            }
        }
        self.in_heading = false;
        self.emit(Event::End(TagEnd::Heading(level)));
    }

    /// Records an id set by hand; a repeat is a `duplicate-id` problem.
    pub(super) fn claim_id(&mut self, id: String, span: Range<usize>) {
        if !self.used_ids.insert(id.clone()) {
            self.problems.push(Problem::DuplicateId { id, span });
            return;
        }
        self.body.ids.push(id);
    }

    /// A generated id, made unique GitHub's way with `-1`, `-2`, ….
    pub(super) fn unique_id(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let mut id = base.to_string();
        let mut n = 0;
        while self.used_ids.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.used_ids.insert(id.clone());
        self.body.ids.push(id.clone());
        id
    }
}

pub(super) fn footnote_id(label: &str) -> String {
    format!("fn-{}", slugify(label))
}

/// A heading's id as GitHub makes it: lower-case, spaces to hyphens, letters,
/// digits, hyphens and connector punctuation (`_` and its kin, see
/// [`is_connector`]) kept, other punctuation dropped.
pub fn slugify(text: &str) -> String {
    let text = text.trim();
    if text.is_ascii() {
        // Most headings: byte by byte, without Unicode case tables.
        let mut id = String::with_capacity(text.len());
        for b in text.bytes() {
            match b {
                b' ' => id.push('-'),
                b'-' | b'_' => id.push(char::from(b)),
                b if b.is_ascii_alphanumeric() => id.push(char::from(b.to_ascii_lowercase())),
                _ => {}
            }
        }
        return id;
    }
    slugify_chars(text)
}

/// [`slugify`] for any text, a character at a time.
pub(super) fn slugify_chars(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c == ' ' {
                Some('-')
            } else if c.is_alphanumeric() || c == '-' || is_connector(c) {
                Some(c)
            } else {
                None
            }
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Unicode's connector punctuation (general category Pc), which GitHub's
/// heading ids keep as they keep `_`: all ten characters of it.
fn is_connector(c: char) -> bool {
    matches!(
        c,
        '_' | '\u{203F}'
            | '\u{2040}'
            | '\u{2054}'
            | '\u{FE33}'
            | '\u{FE34}'
            | '\u{FE4D}'
            | '\u{FE4E}'
            | '\u{FE4F}'
            | '\u{FF3F}'
    )
}
