//! Holes: what needs other files (shortcode output, glossary notes) is cut
//! out of the body by source offset and marked in the HTML by a comment no
//! author can write; `split_holes` cuts the finished HTML at the markers.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event};

use super::{Problem, Segment, State};
use crate::parse::shortcode;

/// A hole is marked in the HTML as an HTML comment, `<!--osteon:S3-->`.
/// No author can write one: text, code, alt text and link titles reach the
/// HTML escaped (`&lt;!--`), and raw HTML that holds the opening is disarmed
/// (see [`disarm`]). So every marker in the HTML is one of ours, whatever
/// characters the Markdown holds.
const HOLE_OPEN: &str = "<!--osteon:";
const HOLE_CLOSE: &str = "-->";

impl<'a> State<'a, '_> {
    /// Leaves a hole for `render`: a marker in the HTML, or without HTML the
    /// segment itself.
    pub(super) fn hole(&mut self, segment: Segment, block: bool) {
        if self.cx.output.html {
            self.out.push(hole(segment, block));
        } else {
            self.body.segments.push(segment);
        }
    }

    /// Handles text outside code blocks, cutting out shortcode calls.
    pub(super) fn text(&mut self, text: CowStr<'a>, range: Range<usize>) {
        let src = &self.src[range.clone()];
        // Smart punctuation and escapes make some text differ from its source;
        // only text that matches its source byte for byte can be cut by offset.
        // Most text is a slice of the source: no need to compare it byte by byte.
        let same = (src.as_ptr() == text.as_ptr() && src.len() == text.len()) || src == &*text;
        let mut pos = if self.skip.contains(&range.start) {
            self.skip.end
        } else {
            range.start
        };
        if pos >= range.end {
            return;
        }
        if pos > range.start && !same {
            // The tail of a smart-quote or escape event inside a call: drop it.
            return;
        }
        loop {
            let rest = &self.src[pos..range.end];
            let Some(i) = find_braces(rest) else {
                self.push_text(pos, range.end, &text, &range, same);
                return;
            };
            self.push_text(pos, pos + i, &text, &range, same);
            let start = pos + i;
            match shortcode::parse_call(self.src, start) {
                Ok(call) => {
                    pos = call.span.end;
                    self.skip = call.span.clone();
                    let n = self.body.shortcodes.len();
                    self.body.shortcodes.push(call);
                    self.hole(Segment::Shortcode(n), false);
                    if pos >= range.end {
                        return;
                    }
                }
                Err(e) => {
                    self.problems.push(Problem::Shortcode(e));
                    self.push_text(start, start + 2, &text, &range, same);
                    pos = start + 2;
                }
            }
        }
    }

    fn push_text(
        &mut self,
        from: usize,
        to: usize,
        text: &CowStr<'a>,
        range: &Range<usize>,
        same: bool,
    ) {
        if from >= to {
            return;
        }
        let piece: CowStr<'a> = if same {
            self.src[from..to].into()
        } else if from == range.start && to == range.end {
            text.clone()
        } else {
            self.src[from..to].into()
        };
        self.capture(&piece);
        self.emit(Event::Text(piece));
    }

    /// A paragraph that is one shortcode call becomes that call's block output.
    pub(super) fn block_shortcode(&mut self, range: &Range<usize>) -> bool {
        let para = &self.src[range.clone()];
        let trimmed = para.trim();
        if !trimmed.starts_with("{{") || !trimmed.ends_with("}}") {
            return false;
        }
        let start = range.start + (para.len() - para.trim_start().len());
        match shortcode::parse_call(self.src, start) {
            Ok(mut call) if call.span.end == start + trimmed.len() => {
                call.block = true;
                let n = self.body.shortcodes.len();
                self.body.shortcodes.push(call);
                self.hole(Segment::Shortcode(n), true);
                true
            }
            _ => false,
        }
    }
}

fn hole(segment: Segment, block: bool) -> Event<'static> {
    let (kind, n) = match segment {
        Segment::Shortcode(n) => ('S', n),
        Segment::TermNote(n) => ('T', n),
        Segment::Html(_) => unreachable!("only holes are marked"),
    };
    let marker = format!("{HOLE_OPEN}{kind}{n}{HOLE_CLOSE}");
    if block {
        Event::Html(format!("{marker}\n").into())
    } else {
        Event::InlineHtml(marker.into())
    }
}

/// Cuts the HTML at the hole markers.
pub(super) fn split_holes(html: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut pos = 0;
    // `str::find` with a `&str` pattern took a tenth of a build's parse;
    // memchr's SIMD search hardly shows. Openings never overlap each other.
    for start in memchr::memmem::find_iter(html.as_bytes(), HOLE_OPEN) {
        let from = start + HOLE_OPEN.len();
        let Some((segment, len)) = marker_at(&html[from..]) else {
            continue;
        };
        if start > pos {
            segments.push(Segment::Html(pos..start));
        }
        segments.push(segment);
        pos = from + len;
    }
    if pos < html.len() {
        segments.push(Segment::Html(pos..html.len()));
    }
    segments
}

/// The hole a marker names (`S3-->` after its opening) and the marker's
/// remaining length, if `rest` starts with a whole one.
fn marker_at(rest: &str) -> Option<(Segment, usize)> {
    let digits = rest
        .get(1..)?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let n: usize = rest.get(1..1 + digits)?.parse().ok()?;
    if !rest[1 + digits..].starts_with(HOLE_CLOSE) {
        return None;
    }
    let segment = match rest.as_bytes()[0] {
        b'S' => Segment::Shortcode(n),
        b'T' => Segment::TermNote(n),
        _ => return None,
    };
    Some((segment, 1 + digits + HOLE_CLOSE.len()))
}

/// Raw HTML from the author with every hole opening broken up
/// (`<!-- osteon:`, still a comment), so it can never pass for a marker.
pub(super) fn disarm(html: &str) -> Option<String> {
    html.contains(HOLE_OPEN)
        .then(|| html.replace(HOLE_OPEN, "<!-- osteon:"))
}

/// `s.find("{{")`: `memchr` finds each `{`, and a text event rarely has one.
fn find_braces(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    memchr::memchr_iter(b'{', bytes).find(|&at| bytes.get(at + 1) == Some(&b'{'))
}
