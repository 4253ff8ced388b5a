//! Markdown bodies to HTML, once, keeping every link, heading and shortcode
//! with its byte position in the file.
//!
//! The HTML is produced in one pass of pulldown-cmark. What needs the rest of
//! the site (shortcode output, glossary summaries) is left as a numbered hole
//! that `render` fills, so nothing is parsed twice and positions never drift.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use rustc_hash::FxHashSet;

use crate::link_text;
use crate::readability::TextStats;
use crate::shortcode::{self, Call};
use crate::url;

/// A piece of a rendered body: finished HTML, or a hole for `render` to fill.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// A range of `Body::html`: the body is kept as one string, not copied
    /// into pieces.
    Html(Range<usize>),
    /// The output of `shortcodes[i]`.
    Shortcode(usize),
    /// The in-place definition of the glossary term that `links[i]` points to.
    TermNote(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    /// With smart punctuation's quotes and dashes only if the parse made HTML
    /// (see [`parse`]).
    pub text: String,
    pub span: Range<usize>,
}

/// Where a link in the source points, worked out from the link alone.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// `https:`, `mailto:` and other schemes: left as written.
    External,
    /// `#fragment` on the same page.
    SamePage(String),
    /// A Markdown source file, by its path from the site root.
    Source {
        path: String,
        fragment: Option<String>,
    },
    /// A file under `static/`, by its path from the site root.
    Static(String),
    /// A page written from the site root that no source makes (`/`,
    /// `/glossary/`, `/topics/x/`): checked only in the output. Root links to
    /// a source are [`Target::Source`] or [`Target::Static`].
    Absolute,
    /// A path that can never resolve; the reason says why.
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub dest: String,
    /// Byte range of the whole link (`[text](dest)`) in the file.
    pub span: Range<usize>,
    pub image: bool,
    pub target: Target,
}

/// Everything `parse` learns from a Markdown body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    /// The rendered HTML, with hole markers between the segments.
    pub html: String,
    pub segments: Vec<Segment>,
    pub headings: Vec<Heading>,
    /// Every id the body's HTML defines, in order.
    pub ids: Vec<String>,
    pub links: Vec<Link>,
    pub shortcodes: Vec<Call>,
    /// Word, sentence and syllable counts of the prose, for reading level.
    pub stats: TextStats,
}

/// A problem in a body, with its byte range in the file.
#[derive(Debug, PartialEq)]
pub enum Problem {
    Shortcode(shortcode::SyntaxError),
    DuplicateId {
        id: String,
        span: Range<usize>,
    },
    /// Content a reader with a screen reader or low vision cannot use.
    Accessibility {
        span: Range<usize>,
        message: String,
        hint: String,
    },
}

/// A link or image being read, to check its text when it closes.
struct OpenLink {
    text: String,
    span: Range<usize>,
    has_image: bool,
}

/// What the parser needs to know about the file and the site.
pub struct Context<'a> {
    /// The file's path from the site root (`articles/x.md`).
    pub file: &'a str,
    /// The path part of the site's base URL (`/` or `/sub/`).
    pub base_path: &'a str,
    pub output: Output,
}

/// What a parse makes besides the facts every command checks (links, ids,
/// shortcodes, accessibility problems): each costs as much as those facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Output {
    /// The body's HTML. Without it, [`Body::segments`] holds only the holes,
    /// in order, so their problems can still be found.
    pub html: bool,
    /// Word, sentence and syllable counts ([`Body::stats`]); zero without.
    pub stats: bool,
}

impl Output {
    pub const ALL: Output = Output {
        html: true,
        stats: true,
    };
}

/// A hole is marked in the HTML as an HTML comment, `<!--osteon:S3-->`.
/// No author can write one: text, code, alt text and link titles reach the
/// HTML escaped (`&lt;!--`), and raw HTML that holds the opening is disarmed
/// (see [`disarm`]). So every marker in the HTML is one of ours, whatever
/// characters the Markdown holds.
const HOLE_OPEN: &str = "<!--osteon:";
const HOLE_CLOSE: &str = "-->";

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_STRIKETHROUGH
}

/// Parses the body `text[body]` of a file.
pub fn parse(text: &str, body: Range<usize>, cx: &Context) -> (Body, Vec<Problem>) {
    // Smart punctuation changes only text: quotes, `--` and `...`. Without
    // HTML it is skipped, as nothing else depends on it but the ids of
    // headings with `--` (a dash is dropped from an id, hyphens are not),
    // which parse again with it, and the reading level's sentences (`...`
    // ends one, `…` does not). Quotes count alike either way.
    let mut options = options();
    let ellipsis = || memchr::memmem::find(text[body.clone()].as_bytes(), b"...").is_some();
    let smart = cx.output.html || (cx.output.stats && ellipsis());
    if !smart {
        options.remove(Options::ENABLE_SMART_PUNCTUATION);
    }
    loop {
        match parse_with(text, body.clone(), cx, options) {
            Some(done) => return done,
            None => options.insert(Options::ENABLE_SMART_PUNCTUATION),
        }
    }
}

/// [`parse`] with `options`; `None` if a heading's id needs the smart
/// punctuation that `options` leaves out.
fn parse_with(
    text: &str,
    body: Range<usize>,
    cx: &Context,
    options: Options,
) -> Option<(Body, Vec<Problem>)> {
    let mut state = State {
        src: text,
        cx,
        out: Vec::new(),
        body: Body::default(),
        problems: Vec::new(),
        used_ids: FxHashSet::default(),
        skip: 0..0,
        prose: String::new(),
        in_table: false,
        in_heading: false,
        open_link: None,
        open_image: None,
        spare: Vec::new(),
        heading_level: 1,
        header_text: false,
    };
    let mut events = Parser::new_ext(&text[body.clone()], options)
        .into_offset_iter()
        .map(|(e, r)| (e, body.start + r.start..body.start + r.end));
    let mut in_code_block = false;
    // The events of the heading being read, in one buffer for every heading.
    let mut heading = Vec::new();
    while let Some((event, range)) = events.next() {
        if state.skip.contains(&range.start) && !matches!(event, Event::Text(_)) {
            continue;
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                for (e, r) in events.by_ref() {
                    if matches!(e, Event::End(TagEnd::Heading(_))) {
                        break;
                    }
                    heading.push((e, r));
                }
                if id.is_none()
                    && !options.contains(Options::ENABLE_SMART_PUNCTUATION)
                    && has_hyphen_run(&heading)
                {
                    return None;
                }
                state.heading(level, id, classes, attrs, &mut heading, range);
            }
            Event::Start(Tag::Paragraph) if state.block_shortcode(&range) => {
                for (e, _) in events.by_ref() {
                    if matches!(e, Event::End(TagEnd::Paragraph)) {
                        break;
                    }
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                state.emit(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                state.emit(Event::End(TagEnd::CodeBlock));
            }
            Event::Text(t) if !in_code_block => state.text(t, range),
            event => state.event(event, range),
        }
    }
    state.end_block();
    if cx.output.html {
        // HTML is a little longer than its Markdown: one allocation is enough,
        // and the slack goes before the site holds every page.
        let mut html = String::with_capacity(body.len() + body.len() / 2);
        pulldown_cmark::html::push_html(&mut html, state.out.into_iter());
        html.shrink_to_fit();
        state.body.segments = split_holes(&html);
        state.body.html = html;
    }
    Some((state.body, state.problems))
}

/// Whether a heading's text, read without smart punctuation, has `--`: the
/// only text smart punctuation changes that a heading's id keeps.
fn has_hyphen_run(heading: &[(Event, Range<usize>)]) -> bool {
    let text: String = heading
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Text(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    text.contains("--")
}

struct State<'a, 'c> {
    src: &'a str,
    cx: &'c Context<'c>,
    out: Vec<Event<'a>>,
    body: Body,
    problems: Vec<Problem>,
    used_ids: FxHashSet<String>,
    /// Source range of the last shortcode call, whose events are dropped.
    skip: Range<usize>,
    /// Prose of the current paragraph or list item, for reading level.
    prose: String,
    in_table: bool,
    in_heading: bool,
    open_link: Option<OpenLink>,
    open_image: Option<OpenLink>,
    /// Text buffers of closed links, to reuse.
    spare: Vec<String>,
    /// Level of the last heading; the page title is the h1.
    heading_level: u8,
    /// Whether the current table's header row has any text.
    header_text: bool,
}

impl<'a> State<'a, '_> {
    /// Passes an event on to the HTML, if there is to be HTML.
    fn emit(&mut self, event: Event<'a>) {
        if self.cx.output.html {
            self.out.push(event);
        }
    }

    /// Leaves a hole for `render`: a marker in the HTML, or without HTML the
    /// segment itself.
    fn hole(&mut self, segment: Segment, block: bool) {
        if self.cx.output.html {
            self.out.push(hole(segment, block));
        } else {
            self.body.segments.push(segment);
        }
    }

    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.open_link = Some(OpenLink {
                    text: self.spare.pop().unwrap_or_default(),
                    span: range.clone(),
                    has_image: false,
                });
                let href = self.link(&dest_url, range, false, link_type);
                self.emit(Event::Start(Tag::Link {
                    link_type,
                    dest_url: href,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if let Some(link) = &mut self.open_link {
                    link.has_image = true;
                }
                self.open_image = Some(OpenLink {
                    text: self.spare.pop().unwrap_or_default(),
                    span: range.clone(),
                    has_image: true,
                });
                let href = self.link(&dest_url, range, true, link_type);
                self.emit(Event::Start(Tag::Image {
                    link_type,
                    dest_url: href,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                if let Some(image) = self.open_image.take() {
                    if image.text.trim().is_empty() {
                        self.accessibility(
                            image.span,
                            "this image has no alt text".into(),
                            "describe what the image shows: ![a woman doing a balance exercise](…); for a purely decorative image use HTML: <img src=\"…\" alt=\"\">",
                        );
                    }
                    self.recycle(image.text);
                }
                self.emit(Event::End(TagEnd::Image));
            }
            Event::Start(Tag::Paragraph) => {
                self.end_block();
                self.emit(event);
            }
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) | Event::Start(Tag::Item) => {
                self.end_block();
                self.emit(event);
            }
            Event::Start(Tag::Table(_)) => {
                self.end_block();
                self.in_table = true;
                self.emit(event);
            }
            Event::Start(Tag::TableHead) => {
                self.header_text = false;
                self.emit(event);
            }
            Event::End(TagEnd::TableHead) => {
                if !self.header_text {
                    self.accessibility(
                        range,
                        "this table's header row is empty".into(),
                        "give every column a header, so screen readers can say what each cell means",
                    );
                }
                self.emit(event);
            }
            Event::End(TagEnd::Table) => {
                self.in_table = false;
                self.emit(event);
            }
            Event::Code(ref code) => {
                if let Some(link) = &mut self.open_link {
                    link.text.push_str(code);
                }
                if self.in_table {
                    self.header_text = true;
                }
                self.emit(event);
            }
            Event::End(TagEnd::Link) => {
                self.close_link();
                self.emit(Event::End(TagEnd::Link));
                if let Some(i) = self.open_glossary_link() {
                    self.hole(Segment::TermNote(i), false);
                }
            }
            Event::FootnoteReference(label) => {
                self.emit(Event::FootnoteReference(footnote_id(&label).into()));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let id = footnote_id(&label);
                self.claim_id(id.clone(), range);
                self.emit(Event::Start(Tag::FootnoteDefinition(id.into())));
            }
            Event::Html(ref html) | Event::InlineHtml(ref html) => {
                for id in html_ids(html) {
                    self.claim_id(id, range.clone());
                }
                let rebased = rebase_html(html, self.cx.base_path).filter(|_| self.cx.output.html);
                let rebased = match rebased {
                    Some(html) => Some(disarm(&html).unwrap_or(html)),
                    None => disarm(html),
                };
                let event = match (rebased, event) {
                    (Some(html), Event::Html(_)) => Event::Html(html.into()),
                    (Some(html), _) => Event::InlineHtml(html.into()),
                    (None, event) => event,
                };
                self.emit(event);
            }
            event => self.emit(event),
        }
    }

    /// The index of the link just closed, if it points at a glossary entry.
    fn open_glossary_link(&self) -> Option<usize> {
        let i = self.body.links.iter().rposition(|l| !l.image)?;
        match &self.body.links[i].target {
            Target::Source { path, .. } if path.starts_with("glossary/") => Some(i),
            _ => None,
        }
    }

    fn link(
        &mut self,
        dest: &str,
        span: Range<usize>,
        image: bool,
        link_type: LinkType,
    ) -> CowStr<'a> {
        let target = if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            Target::External
        } else {
            classify(dest, self.cx.file)
        };
        let href = match &target {
            _ if !self.cx.output.html => String::new(),
            Target::Source { path, fragment } => {
                let mut href = url::of_source(path, self.cx.base_path);
                if let Some(f) = fragment {
                    href.push('#');
                    href.push_str(f);
                }
                href
            }
            Target::Static(path) => url::of_static(path, self.cx.base_path),
            Target::Absolute => format!("{}{}", self.cx.base_path, &dest[1..]),
            _ => dest.to_string(),
        };
        self.body.links.push(Link {
            dest: dest.to_string(),
            span,
            image,
            target,
        });
        href.into()
    }

    /// Handles text outside code blocks, cutting out shortcode calls.
    fn text(&mut self, text: CowStr<'a>, range: Range<usize>) {
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

    /// Text goes to the open link or image and to the prose being counted.
    fn capture(&mut self, text: &str) {
        if let Some(image) = &mut self.open_image {
            image.text.push_str(text);
            return;
        }
        if let Some(link) = &mut self.open_link {
            link.text.push_str(text);
        }
        if self.in_table {
            self.header_text |= !text.trim().is_empty();
        } else if !self.in_heading && self.cx.output.stats {
            self.prose.push_str(text);
        }
    }

    /// Ends a block of prose: counts it for reading level.
    fn end_block(&mut self) {
        if !self.prose.trim().is_empty() {
            self.body.stats.add_block(&self.prose);
        }
        self.prose.clear();
    }

    fn accessibility(&mut self, span: Range<usize>, message: String, hint: &str) {
        self.problems.push(Problem::Accessibility {
            span,
            message,
            hint: hint.to_string(),
        });
    }

    /// Checks a link's text when it closes: not empty, not vague, not a bare URL.
    fn close_link(&mut self) {
        let Some(link) = self.open_link.take() else {
            return;
        };
        let text = link.text.trim();
        if text.is_empty() && !link.has_image {
            self.accessibility(
                link.span,
                "this link has no text".into(),
                "write words that say where the link goes",
            );
            return self.recycle(link.text);
        }
        match link_text::judge(text) {
            Some(link_text::Fault::Vague(bare)) => self.accessibility(
                link.span,
                format!("the link text `{bare}` does not say where the link goes"),
                "screen-reader users often hear links out of context; name the destination, e.g. [calcium and vitamin D](calcium-and-vitamin-d.md)",
            ),
            Some(link_text::Fault::Address) => self.accessibility(
                link.span,
                "a bare web address is used as link text".into(),
                "name the page instead, e.g. [NHS advice on osteoporosis](https://…)",
            ),
            None => {}
        }
        self.recycle(link.text);
    }

    /// Keeps a link's text buffer for the next link: a page has many.
    fn recycle(&mut self, mut text: String) {
        text.clear();
        self.spare.push(text);
    }

    /// A paragraph that is one shortcode call becomes that call's block output.
    fn block_shortcode(&mut self, range: &Range<usize>) -> bool {
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

    fn heading(
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
        if n == 1 {
            self.accessibility(
                range.clone(),
                "a `#` heading in the body makes a second h1".into(),
                "the page title is the h1; start the body's sections at `##`",
            );
        } else if n > self.heading_level + 1 {
            self.accessibility(
                range.clone(),
                format!("this h{n} skips a level after an h{}", self.heading_level),
                "screen-reader users move by heading level; use one level deeper than the heading above",
            );
        }
        self.heading_level = n;
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
    fn claim_id(&mut self, id: String, span: Range<usize>) {
        if !self.used_ids.insert(id.clone()) {
            self.problems.push(Problem::DuplicateId { id, span });
            return;
        }
        self.body.ids.push(id);
    }

    /// A generated id, made unique GitHub's way with `-1`, `-2`, ….
    fn unique_id(&mut self, base: &str) -> String {
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
fn split_holes(html: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut pos = 0;
    let mut from = 0;
    while let Some(start) = html[from..].find(HOLE_OPEN).map(|i| from + i) {
        from = start + HOLE_OPEN.len();
        let Some((segment, len)) = marker_at(&html[from..]) else {
            continue;
        };
        if start > pos {
            segments.push(Segment::Html(pos..start));
        }
        segments.push(segment);
        pos = from + len;
        from = pos;
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
fn disarm(html: &str) -> Option<String> {
    html.contains(HOLE_OPEN)
        .then(|| html.replace(HOLE_OPEN, "<!-- osteon:"))
}

fn footnote_id(label: &str) -> String {
    format!("fn-{}", slugify(label))
}

/// Ids set in raw HTML inside Markdown (`<span id="x">`).
fn html_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("id=") {
        let before = rest[..i].chars().last();
        rest = &rest[i + 3..];
        if !matches!(before, Some(c) if c.is_whitespace()) {
            continue;
        }
        let quote = rest.chars().next();
        if let Some(q @ ('"' | '\'')) = quote
            && let Some(end) = rest[1..].find(q)
        {
            ids.push(rest[1..1 + end].to_string());
        }
    }
    ids
}

/// Raw HTML with each root-absolute `href` and `src` given the base path, as
/// a Markdown link written from the root gets it (`<a href="/about/">` →
/// `<a href="/health/about/">`); `None` when nothing changes.
fn rebase_html(html: &str, base_path: &str) -> Option<String> {
    if base_path == "/" {
        return None;
    }
    let bytes = html.as_bytes();
    let (mut out, mut copied, mut i) = (String::new(), 0, 1);
    while i < bytes.len() {
        let rest = &bytes[i..];
        let attribute = [&b"href="[..], b"src="]
            .into_iter()
            .find(|a| rest.len() >= a.len() && rest[..a.len()].eq_ignore_ascii_case(a));
        let Some(attribute) = attribute.filter(|_| bytes[i - 1].is_ascii_whitespace()) else {
            i += 1;
            continue;
        };
        let mut value = i + attribute.len();
        if matches!(bytes.get(value), Some(b'"' | b'\'')) {
            value += 1;
        }
        if bytes.get(value) == Some(&b'/') && bytes.get(value + 1) != Some(&b'/') {
            out.push_str(&html[copied..value]);
            out.push_str(base_path);
            copied = value + 1;
        }
        i = value;
    }
    (copied > 0).then(|| out + &html[copied..])
}

/// A heading's id as GitHub makes it: lower-case, spaces to hyphens, letters,
/// digits, hyphens and underscores kept, other punctuation dropped.
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
fn slugify_chars(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            if c == ' ' {
                Some('-')
            } else if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else {
                None
            }
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Works out where `dest`, written in `file`, points.
pub fn classify(dest: &str, file: &str) -> Target {
    if dest.is_empty() {
        return Target::Invalid("the link has no target".to_string());
    }
    if let Some(fragment) = dest.strip_prefix('#') {
        return Target::SamePage(fragment.to_string());
    }
    if url::is_external(dest) {
        return Target::External;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    // Decoded as `verify` decodes the output's links: `my%2Dpage.md` is `my-page.md`.
    let path = url::percent_decode(path);
    if let Some(rooted) = path.strip_prefix('/') {
        // Written from the site root: checked against the sources too.
        return match url::of_root(rooted) {
            url::Root::Source(path) => Target::Source { path, fragment },
            url::Root::Static(path) => Target::Static(path),
            url::Root::Generated => Target::Absolute,
        };
    }
    let Some(path) = url::join(file, &path) else {
        return Target::Invalid("the path goes above the site folder".to_string());
    };
    if path.starts_with("static/") {
        Target::Static(path)
    } else {
        Target::Source { path, fragment }
    }
}

/// `s.find("{{")`: `memchr` finds each `{`, and a text event rarely has one.
fn find_braces(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    memchr::memchr_iter(b'{', bytes).find(|&at| bytes.get(at + 1) == Some(&b'{'))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Everything but heading text is the same with and without smart
        /// punctuation, as `parse` skips it.
        #[test]
        fn smart_punctuation_changes_nothing_but_text(
            text in r#"([a-z]{1,5}|[ .,!?'"\-\n#*_()]|\.\.\.|--|\n\n## |\n\n- |\[(here|"here"|it's)(\.\.\.)?\]\(b\.md\)|\{\{ x\(a="b"\) \}\})*"#
        ) {
            for stats in [false, true] {
                let cx = Context {
                    file: "articles/a.md",
                    base_path: "/",
                    output: Output { html: false, stats },
                };
                let (lean, lean_problems) = parse(&text, 0..text.len(), &cx);
                let (smart, smart_problems) =
                    parse_with(&text, 0..text.len(), &cx, options()).unwrap();
                let without_text = |b: &Body| {
                    let headings: Vec<_> =
                        b.headings.iter().map(|h| (h.level, h.id.clone(), h.span.clone())).collect();
                    (headings, b.segments.clone(), b.ids.clone(), b.links.clone(), b.shortcodes.clone(), b.stats)
                };
                prop_assert_eq!(without_text(&lean), without_text(&smart));
                prop_assert_eq!(lean_problems, smart_problems);
            }
        }
    }

    fn body(md: &str) -> (Body, Vec<Problem>) {
        let cx = Context {
            file: "articles/a.md",
            base_path: "/",
            output: Output::ALL,
        };
        parse(md, 0..md.len(), &cx)
    }

    fn html(b: &Body) -> String {
        b.segments
            .iter()
            .map(|s| match s {
                Segment::Html(r) => b.html[r.clone()].to_string(),
                Segment::Shortcode(n) => format!("[S{n}]"),
                Segment::TermNote(n) => format!("[T{n}]"),
            })
            .collect()
    }

    #[test]
    fn slugify_follows_github() {
        assert_eq!(
            slugify("Long-term use: the facts"),
            "long-term-use-the-facts"
        );
        assert_eq!(slugify("Vitamin D_3 (and you)"), "vitamin-d_3-and-you");
        assert_eq!(slugify(" Ça va — Öl "), "ça-va--öl");
    }

    proptest::proptest! {
        /// The byte-level path for ASCII headings agrees with the general one.
        #[test]
        fn ascii_slugs_match_the_general_rule(text in "[ -~]{0,40}") {
            proptest::prop_assert_eq!(slugify(&text), slugify_chars(text.trim()));
        }
    }

    #[test]
    fn heading_ids_are_unique_and_custom_ids_kept() {
        let (b, p) = body("## Risks\n\n## Risks\n\n## Side effects {#side}\n");
        assert!(p.is_empty());
        assert_eq!(b.ids, ["risks", "risks-1", "side"]);
        assert!(html(&b).contains(r#"<h2 id="risks-1">Risks</h2>"#));
    }

    #[test]
    fn links_are_rewritten_to_urls() {
        let (b, _) = body("[a](b.md#x) [g](../glossary/vitamin-d.md) [s](../static/f.pdf)");
        let h = html(&b);
        assert!(h.contains(r#"href="/articles/b/#x""#), "{h}");
        assert!(
            h.contains(r#"href="/glossary/vitamin-d/">g</a>[T1]"#),
            "{h}"
        );
        assert!(h.contains(r#"href="/f.pdf""#), "{h}");
    }

    #[test]
    fn root_links_and_raw_html_get_the_base_path() {
        let md = "[a](/about/#team) ![c](/img/c.png) [h](/) [g](/glossary/t/)\n\n\
                  <a href=\"/about/\">x</a> <img SRC='/img/d.png' alt=\"d\"> \
                  <a href=\"//cdn.example.org/\">cdn</a> <a href=\"b.md\">rel</a>\n";
        let cx = Context {
            file: "articles/a.md",
            base_path: "/health/",
            output: Output::ALL,
        };
        let (b, _) = parse(md, 0..md.len(), &cx);
        let h = html(&b);
        for expected in [
            r#"href="/health/about/#team""#,
            r#"src="/health/img/c.png""#,
            r#"href="/health/">h"#,
            r#"href="/health/glossary/t/">g</a>[T3]"#,
            r#"<a href="/health/about/">x</a>"#,
            r#"<img SRC='/health/img/d.png'"#,
            r#"href="//cdn.example.org/""#,
            r#"href="b.md""#,
        ] {
            assert!(h.contains(expected), "{expected} in {h}");
        }
        let targets: Vec<&Target> = b.links.iter().map(|l| &l.target).collect();
        assert_eq!(
            targets,
            [
                &Target::Source {
                    path: "pages/about.md".into(),
                    fragment: Some("team".into())
                },
                &Target::Static("static/img/c.png".into()),
                &Target::Absolute,
                &Target::Source {
                    path: "glossary/t.md".into(),
                    fragment: None
                },
            ]
        );
    }

    /// Every escape is decoded, as `verify` decodes the output's links, not
    /// only `%20`; an invalid escape stays as written.
    #[test]
    fn percent_escapes_in_links_are_decoded() {
        let source = |path: &str| Target::Source {
            path: path.into(),
            fragment: None,
        };
        let file = "articles/a.md";
        assert_eq!(
            classify("my%2Dpage.md", file),
            source("articles/my-page.md")
        );
        assert_eq!(
            classify("my%20page.md", file),
            source("articles/my page.md")
        );
        assert_eq!(classify("caf%C3%A9.md", file), source("articles/café.md"));
        assert_eq!(classify("100%25.md", file), source("articles/100%.md"));
        assert_eq!(classify("a%zz.md", file), source("articles/a%zz.md"));
        assert_eq!(classify("%ff.md", file), source("articles/%ff.md"));
        assert_eq!(
            classify("/img/caf%C3%A9.png", file),
            Target::Static("static/img/café.png".into())
        );
        assert_eq!(
            classify("%2E%2E/%2E%2E/x.md", file),
            Target::Invalid("the path goes above the site folder".into())
        );
        assert_eq!(classify("mailto:a%40b.org", file), Target::External);
    }

    #[test]
    fn shortcodes_inline_and_block() {
        let md = "{{ t(a=\"x\") }}\n\nAim for {{ v(d=\"intake\", r=\"a_b\") }} a day.\n";
        let (b, p) = body(md);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(html(&b), "[S0]\n<p>Aim for [S1] a day.</p>\n");
        assert!(b.shortcodes[0].block);
        assert!(!b.shortcodes[1].block);
        assert_eq!(
            &md[b.shortcodes[1].span.clone()],
            "{{ v(d=\"intake\", r=\"a_b\") }}"
        );
    }

    #[test]
    fn no_text_an_author_writes_passes_for_a_hole() {
        // osteon's old markers (private-use characters), and its new ones in
        // text, code, alt text, raw HTML and a raw HTML block.
        let md = "\u{e000}S0\u{e001} <!--osteon:S0--> `<!--osteon:T0-->` \
                  ![a chart <!--osteon:S1-->](x.png) <span><!--osteon:S2--></span> {{ t() }}\n\n\
                  <div>\n<!--osteon:T9-->\n</div>\n";
        let (b, p) = body(md);
        assert!(p.is_empty(), "{p:?}");
        let holes = b
            .segments
            .iter()
            .filter(|s| !matches!(s, Segment::Html(_)))
            .count();
        assert_eq!(holes, 1, "{}", html(&b));
        assert_eq!(b.shortcodes.len(), 1);
        assert!(html(&b).contains("\u{e000}S0\u{e001}"), "{}", html(&b));
    }

    #[test]
    fn code_is_not_a_link_or_shortcode() {
        let (b, p) = body("`[x](y.md)` `{{ t() }}`\n\n```\n[x](y.md) {{ t() }}\n```\n");
        assert!(b.links.is_empty() && b.shortcodes.is_empty() && p.is_empty());
    }
}
