//! Markdown bodies to HTML, once, keeping every link, heading and shortcode
//! with its byte position in the file.
//!
//! The HTML is produced in one pass of pulldown-cmark. What needs the rest of
//! the site (shortcode output, glossary summaries) is left as a numbered hole
//! that `render` fills, so nothing is parsed twice and positions never drift.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use rustc_hash::FxHashSet;

use crate::diagnostic::Severity;
use crate::parse::readability::TextStats;
use crate::parse::shortcode::{self, Call};

mod accessibility;
mod holes;
mod html;
mod ids;
mod links;

pub use ids::slugify;
pub use links::classify;

use holes::split_holes;
use html::{Pieces, RawTable};
use ids::{footnote_id, has_hyphen_run};
use links::OpenLink;

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
    /// The texts of links that are a bare web address, as the HTML shows
    /// them: reported on their lines here, so the output check, which sees
    /// them again on the page, leaves them out.
    pub bare_addresses: Vec<String>,
}

/// A problem in a body, with its byte range in the file.
#[derive(Debug, PartialEq)]
pub enum Problem {
    Shortcode(shortcode::SyntaxError),
    DuplicateId {
        id: String,
        span: Range<usize>,
    },
    /// Content a reader with a screen reader or low vision cannot use, or
    /// (a warning) finds hard to use.
    Accessibility {
        span: Range<usize>,
        message: String,
        hint: String,
        severity: Severity,
    },
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
        html_block: None,
        raw_tables: Vec::new(),
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
    state.end_raw_tables();
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
    /// The lines of the HTML block being read.
    html_block: Option<Pieces>,
    /// Tables of raw HTML not yet closed.
    raw_tables: Vec<RawTable>,
}

impl<'a> State<'a, '_> {
    /// Passes an event on to the HTML, if there is to be HTML.
    fn emit(&mut self, event: Event<'a>) {
        if self.cx.output.html {
            self.out.push(event);
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
            Event::End(TagEnd::Image) => self.end_image(),
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
                self.check_table_head(range);
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
            Event::Start(Tag::HtmlBlock) => {
                self.html_block = Some(Pieces::default());
                self.emit(event);
            }
            Event::Html(html) => match &mut self.html_block {
                Some(pieces) => pieces.push(&html, range, self.src),
                None => self.raw_html(Pieces::of(&html, range, self.src), true),
            },
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(pieces) = self.html_block.take() {
                    self.raw_html(pieces, true);
                }
                self.emit(event);
            }
            Event::InlineHtml(html) => self.raw_html(Pieces::of(&html, range, self.src), false),
            event => self.emit(event),
        }
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
}

#[cfg(test)]
mod tests;
