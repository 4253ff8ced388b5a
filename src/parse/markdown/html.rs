//! Raw HTML in a Markdown body, read with a real HTML tokenizer (html5gum)
//! and checked on its source line like Markdown: its ids claimed, its
//! `href` and `src` links checked against the site, an image without alt
//! text, a table without header cells and a heading out of order reported,
//! and links written from the site root given the base path.
//!
//! An HTML block arrives from pulldown-cmark a line at a time; its lines are
//! read as one text, so a tag written across lines is still one tag.

use std::ops::Range;

use html5gum::{DefaultEmitter, Token, Tokenizer};
use pulldown_cmark::{CowStr, Event};

use super::holes::disarm;
use super::{Link, State, Target, classify};
use crate::url;

/// A start or end tag of raw HTML, its positions in the HTML text.
#[derive(Debug, PartialEq)]
pub(super) struct Tag {
    pub(super) name: String,
    pub(super) end: bool,
    pub(super) span: Range<usize>,
    pub(super) attributes: Vec<Attribute>,
}

#[derive(Debug, PartialEq)]
pub(super) struct Attribute {
    pub(super) name: String,
    pub(super) value: String,
    /// The value's bytes, without its quotes.
    pub(super) span: Range<usize>,
}

impl Tag {
    fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// The tags of `html`, in order. Text, comments and the tokenizer's
/// complaints about malformed HTML are skipped: browsers recover the same way.
pub(super) fn tags(html: &str) -> Vec<Tag> {
    let emitter = DefaultEmitter::<usize>::new_with_span();
    let text = |s: &html5gum::HtmlString| String::from_utf8_lossy(s).into_owned();
    Tokenizer::new_with_emitter(html, emitter)
        .flatten()
        .filter_map(|token| match token {
            Token::StartTag(tag) => Some(Tag {
                name: text(&tag.name),
                end: false,
                span: tag.span.start..tag.span.end,
                attributes: tag
                    .attributes
                    .iter()
                    .map(|(name, value)| Attribute {
                        name: text(name),
                        value: text(&value.value),
                        span: value_span(html, value.span.start..value.span.end),
                    })
                    .collect(),
            }),
            Token::EndTag(tag) => Some(Tag {
                name: text(&tag.name),
                end: true,
                span: tag.span.start..tag.span.end,
                attributes: Vec::new(),
            }),
            _ => None,
        })
        .collect()
}

/// The value's bytes within an attribute's span (`href="x"` → `x`), as
/// written: a value with character references is longer than its text.
fn value_span(html: &str, attribute: Range<usize>) -> Range<usize> {
    let Some(written) = html.get(attribute.clone()) else {
        return attribute;
    };
    let Some(eq) = written.find('=') else {
        return attribute.end..attribute.end;
    };
    let after = &written[eq + 1..];
    let value = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let start = attribute.end - value.len();
    match value.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let end = value[1..].find(q).map_or(value.len(), |i| i + 1);
            start + 1..start + end
        }
        _ => {
            let end = value.find(|c: char| c.is_ascii_whitespace() || c == '>');
            start..start + end.unwrap_or(value.len())
        }
    }
}

/// Where the pieces of a raw HTML text came from in the source: a piece
/// whose text is the source's own maps byte for byte; one pulldown-cmark
/// changed (a line inside a list or quote loses its indent) maps to its start.
#[derive(Default)]
pub(super) struct Pieces {
    /// (offset in the text, range in the source, whether the text is the source's)
    pieces: Vec<(usize, Range<usize>, bool)>,
    pub(super) text: String,
}

impl Pieces {
    pub(super) fn of(text: &str, range: Range<usize>, src: &str) -> Pieces {
        let mut pieces = Pieces::default();
        pieces.push(text, range, src);
        pieces
    }

    pub(super) fn push(&mut self, text: &str, range: Range<usize>, src: &str) {
        let exact = src.get(range.clone()) == Some(text);
        self.pieces.push((self.text.len(), range, exact));
        self.text.push_str(text);
    }

    /// The source range of `span` of the text.
    fn source(&self, span: &Range<usize>) -> Range<usize> {
        let at = self
            .pieces
            .partition_point(|(offset, _, _)| *offset <= span.start)
            .saturating_sub(1);
        let Some((offset, range, exact)) = self.pieces.get(at) else {
            return 0..0;
        };
        if *exact {
            let start = range.start + span.start - offset;
            start..(start + span.len()).min(range.end).max(start)
        } else {
            range.clone()
        }
    }
}

/// A raw table being read: where it starts and whether it has a header cell.
pub(super) struct RawTable {
    span: Range<usize>,
    has_header: bool,
}

impl<'a> State<'a, '_> {
    /// An inline tag, or the lines of an HTML block gathered in `Pieces`:
    /// checked, and passed on with root links rebased and hole openings
    /// disarmed.
    pub(super) fn raw_html(&mut self, pieces: Pieces, block: bool) {
        let tags = tags(&pieces.text);
        for tag in &tags {
            self.check_raw_tag(tag, &pieces);
        }
        let html = if self.cx.output.html {
            rebase(&pieces.text, &tags, self.cx.base_path)
        } else {
            None
        };
        let html = match html {
            Some(html) => disarm(&html).unwrap_or(html),
            None => disarm(&pieces.text).unwrap_or(pieces.text),
        };
        let html = CowStr::from(html);
        self.emit(if block {
            Event::Html(html)
        } else {
            Event::InlineHtml(html)
        });
    }

    fn check_raw_tag(&mut self, tag: &Tag, pieces: &Pieces) {
        let span = pieces.source(&tag.span);
        if tag.end {
            if tag.name == "table"
                && let Some(table) = self.raw_tables.pop()
            {
                self.check_raw_table(table);
            }
            return;
        }
        if let Some(id) = tag.attribute("id") {
            self.claim_id(id.value.clone(), span.clone());
        }
        for attribute in &tag.attributes {
            if matches!(attribute.name.as_str(), "href" | "src") {
                self.raw_link(tag, attribute, pieces.source(&attribute.span));
            }
        }
        match tag.name.as_str() {
            "img" if tag.attribute("alt").is_none() => self.accessibility(
                span,
                "this image has no alt attribute".into(),
                "describe what the image shows in alt=\"…\", or write alt=\"\" if it is purely decorative",
            ),
            "table" => self.raw_tables.push(RawTable {
                span,
                has_header: false,
            }),
            "th" => {
                if let Some(table) = self.raw_tables.last_mut() {
                    table.has_header = true;
                }
            }
            name => {
                if let Some(n) = heading_level(name) {
                    self.check_heading_level(n, &span);
                }
            }
        }
    }

    /// An `href` or `src` of raw HTML, checked like a Markdown link: a page
    /// URL is the address of a source or a static file.
    fn raw_link(&mut self, tag: &Tag, attribute: &Attribute, span: Range<usize>) {
        let dest = attribute.value.trim();
        if dest.is_empty() || url::has_scheme(dest) || dest.starts_with("//") {
            return;
        }
        let target = if dest.starts_with('/') || dest.starts_with('#') {
            classify(dest, self.cx.file)
        } else {
            // Relative to the page's own address, as a browser reads it.
            let (path, rest) = dest.split_at(dest.find(['?', '#']).unwrap_or(dest.len()));
            match url::join(&url::output_of_source(self.cx.file), path) {
                Some(rooted) => classify(&format!("/{rooted}{rest}"), self.cx.file),
                None => Target::Invalid("the path goes above the site folder".to_string()),
            }
        };
        self.body.links.push(Link {
            dest: dest.to_string(),
            span,
            image: tag.name == "img",
            target,
        });
    }

    fn check_raw_table(&mut self, table: RawTable) {
        if !table.has_header {
            self.accessibility(
                table.span,
                "this table has no header cells".into(),
                "mark up each column's header with <th scope=\"col\">, so screen readers can say what each cell means",
            );
        }
    }

    /// Tables of raw HTML still open when the body ends.
    pub(super) fn end_raw_tables(&mut self) {
        while let Some(table) = self.raw_tables.pop() {
            self.check_raw_table(table);
        }
    }
}

fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', n @ b'1'..=b'6'] => Some(n - b'0'),
        _ => None,
    }
}

/// `html` with each root-absolute `href` and `src` given the base path, as a
/// Markdown link written from the root gets it (`<a href="/about/">` →
/// `<a href="/health/about/">`); `None` when nothing changes.
fn rebase(html: &str, tags: &[Tag], base_path: &str) -> Option<String> {
    if base_path == "/" {
        return None;
    }
    let starts: Vec<usize> = tags
        .iter()
        .flat_map(|tag| &tag.attributes)
        .filter(|a| matches!(a.name.as_str(), "href" | "src"))
        .filter(|a| {
            html[a.span.clone()].starts_with('/') && !html[a.span.clone()].starts_with("//")
        })
        .map(|a| a.span.start)
        .collect();
    if starts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(html.len() + starts.len() * base_path.len());
    let mut copied = 0;
    for start in starts {
        out.push_str(&html[copied..start]);
        out.push_str(base_path);
        copied = start + 1;
    }
    out.push_str(&html[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_spans_are_the_values_without_quotes() {
        let html = "<a href=\"/x/\" id='i'>t</a><img\n  src=/y.png>";
        let tags = tags(html);
        let spans: Vec<&str> = tags
            .iter()
            .flat_map(|t| &t.attributes)
            .map(|a| &html[a.span.clone()])
            .collect();
        assert_eq!(spans, ["/x/", "i", "/y.png"]);
        assert_eq!(&html[tags[0].span.clone()], "<a href=\"/x/\" id='i'>");
        assert!(tags[1].end);
    }

    #[test]
    fn root_links_get_the_base_path_and_others_stay() {
        let html = "<a href=\"/x/\">a</a> <img src='//cdn/x.png'> <a href=\"y/\">b</a>";
        let rebased = rebase(html, &tags(html), "/sub/").unwrap();
        assert_eq!(
            rebased,
            "<a href=\"/sub/x/\">a</a> <img src='//cdn/x.png'> <a href=\"y/\">b</a>"
        );
    }

    #[test]
    fn a_piece_changed_by_the_parser_maps_to_its_start() {
        let src = "> <b id=x>";
        let mut pieces = Pieces::default();
        pieces.push("<b id=x>", 2..10, src);
        assert_eq!(pieces.source(&(3..7)), 5..9);
        let mut changed = Pieces::default();
        changed.push("<b id=x>\n", 2..10, src);
        assert_eq!(changed.source(&(3..7)), 2..10);
    }
}
