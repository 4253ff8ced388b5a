//! Filling the holes of a page's body: shortcode output, rendered once per
//! call, and glossary notes, rendered once each before the pages.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use tera::Context;

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::parse::Page;
use crate::parse::markdown::{Body, Segment, Target};
use crate::parse::shortcode::CallKey;
use crate::url;

use super::errors::{innermost_message, template_diagnostic};
use super::pages::{Renderer, map};

/// The glossary notes of a page's `body`, in order: each term's path and
/// the note's number on the page.
fn note_keys(body: &Body) -> impl Iterator<Item = (&str, usize)> {
    body.segments
        .iter()
        .filter_map(|segment| match segment {
            Segment::TermNote(n) => Some(*n),
            _ => None,
        })
        .enumerate()
        .filter_map(|(k, n)| match &body.links[n].target {
            Target::Source { path, .. } => Some((path.as_str(), k + 1)),
            _ => None,
        })
}

/// What a glossary note is wrapped in, so the term, its button and the
/// punctuation right after it never wrap onto separate lines ("DEXA scan ?"
/// with ", not by symptoms" below): a word joiner (U+2060) between the
/// link's last letter and the button, which a browser would otherwise break
/// before, and a span the theme keeps on one line (`.term-tail`, with
/// `white-space: nowrap`) that takes in the punctuation.
const TAIL_OPEN: &str = "<span class=\"term-tail\">&#8288;";
const TAIL_CLOSE: &str = "</span>";

/// The punctuation that closes a phrase at the start of `html`, which stays
/// with the glossary note before it. Only characters that reach the HTML as
/// themselves (not as `&…;`), so an entity is never cut.
fn closing_punctuation(html: &str) -> &str {
    const CLOSING: &[char] = &[
        ',', '.', ';', ':', '!', '?', ')', ']', '}', '\'', '\u{2019}', '\u{201D}', '\u{BB}',
        '\u{2026}',
    ];
    let rest = html.trim_start_matches(CLOSING);
    &html[..html.len() - rest.len()]
}

impl<'a> Renderer<'a> {
    /// Renders, once each and in parallel, the glossary notes the pages of
    /// `bodies` show. A note that fails is left for `term_note` to report on
    /// its page. Notes are keyed by the term's own path, which outlives the
    /// bodies (a build frees each once its page is rendered).
    pub(super) fn render_notes<'b>(&mut self, bodies: impl Iterator<Item = &'b Body>) {
        let site = self.site;
        let keys: FxHashSet<(&'a str, usize)> = bodies
            .flat_map(note_keys)
            .filter_map(|(path, count)| Some((site.page(path)?.path.as_str(), count)))
            .collect();
        let this = &*self;
        let notes = keys
            .into_par_iter()
            .filter_map(|(path, count)| {
                let note = this.render_note(path, count).ok()?;
                Some(((path, count), note.into()))
            })
            .collect();
        self.notes = notes;
    }

    /// The body's HTML with every hole filled.
    pub(super) fn content(&self, page: &Page, body: &Body) -> (String, Vec<Diagnostic>) {
        let mut html = String::with_capacity(body.html.len() + 1024);
        let problems = self.fill(page, body, |piece| html.push_str(piece));
        (html, problems)
    }

    /// Renders the body's holes and passes each piece of HTML, in order, to
    /// `emit`; `check` passes one that keeps nothing, to find the problems only.
    pub(super) fn fill(
        &self,
        page: &Page,
        body: &Body,
        mut emit: impl FnMut(&str),
    ) -> Vec<Diagnostic> {
        let mut problems = super::ids::clashes(page, body, &self.template_ids, self.sources);
        let mut notes = 0;
        // Bytes at the start of the next HTML that a note took in.
        let mut taken = 0;
        let (segments, html) = (&body.segments, body.html.as_str());
        for (k, segment) in segments.iter().enumerate() {
            match segment {
                Segment::Html(r) => emit(&html[r.start + std::mem::take(&mut taken)..r.end]),
                Segment::Shortcode(n) => match self.shortcode(page, body, *n) {
                    // Inline output is trimmed so a template's final newline adds no space.
                    Ok(out) if !body.shortcodes[*n].block => emit(out.trim()),
                    Ok(out) => emit(&out),
                    Err(d) => problems.push(d),
                },
                Segment::TermNote(n) => {
                    notes += 1;
                    match self.term_note(body, *n, notes) {
                        Ok(out) if out.trim().is_empty() => {}
                        Ok(out) => {
                            let after = match segments.get(k + 1) {
                                Some(Segment::Html(r)) => closing_punctuation(&html[r.clone()]),
                                _ => "",
                            };
                            taken = after.len();
                            emit(TAIL_OPEN);
                            emit(out.trim());
                            emit(after);
                            emit(TAIL_CLOSE);
                        }
                        Err(d) => problems.push(d),
                    }
                }
            }
        }
        problems
    }

    fn shortcode(&self, page: &Page, body: &Body, n: usize) -> Result<Arc<str>, Diagnostic> {
        let call = &body.shortcodes[n];
        let name = format!("shortcodes/{}.html", call.name);
        // Its template failed to load and is reported; the call is not unknown.
        if self.theme.is_broken(&name) {
            return Ok("".into());
        }
        if !self.theme.contains_template(&name) {
            let known: Vec<&str> = self
                .theme
                .template_names()
                .filter_map(|t| t.strip_prefix("shortcodes/")?.strip_suffix(".html"))
                .collect();
            let d = Diagnostic::error(
                Code::UnknownShortcode,
                &page.path,
                call.span.clone(),
                format!("there is no shortcode `{}`", call.name),
            );
            let mut known_sorted = known.clone();
            known_sorted.sort_unstable();
            return Err(match closest(&call.name, known.iter().copied()) {
                Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                None => d.with_hint(format!(
                    "the theme's shortcodes are {}",
                    known_sorted
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            });
        }
        self.memoized(call.key(), || {
            let mut context = Context::new();
            for (key, value) in &call.args {
                context.insert(key.clone(), value);
            }
            self.theme.render(&name, &context).map_err(|e| {
                Diagnostic::error(
                    Code::Shortcode,
                    &page.path,
                    call.span.clone(),
                    format!(
                        "the shortcode `{}` failed: {}",
                        call.name,
                        innermost_message(&e)
                    ),
                )
            })
        })
    }

    /// `render`'s output, made once for each `key`, which must determine it.
    /// Errors are not kept: each page reports its own.
    fn memoized(
        &self,
        key: CallKey,
        render: impl FnOnce() -> Result<String, Diagnostic>,
    ) -> Result<Arc<str>, Diagnostic> {
        if let Some(out) = self.memo.lock().expect("not poisoned").get(&key) {
            return Ok(out.clone());
        }
        let out: Arc<str> = render()?.into();
        self.memo
            .lock()
            .expect("not poisoned")
            .insert(key, out.clone());
        Ok(out)
    }

    /// The in-place summary of the glossary term that link `n` points to.
    fn term_note(&self, body: &Body, n: usize, count: usize) -> Result<Arc<str>, Diagnostic> {
        let Target::Source { path, .. } = &body.links[n].target else {
            return Ok("".into());
        };
        if let Some(note) = self.notes.get(&(path.as_str(), count)) {
            return Ok(note.clone());
        }
        // Only a note that failed is not ready: render it again for its error.
        self.render_note(path, count).map(Arc::from)
    }

    /// The note of the term at `path`, numbered `count` on its page.
    fn render_note(&self, path: &str, count: usize) -> Result<String, Diagnostic> {
        let (Some(term), true) = (
            self.site.page(path),
            self.theme.contains_template("partials/term.html"),
        ) else {
            return Ok(String::new());
        };
        let mut context = Context::new();
        context.insert_value(
            "term",
            map([
                ("term", term.meta.title().into()),
                ("summary", term.meta.description().into()),
                ("url", url::of_source(&term.path, &self.base_path).into()),
                ("id", format!("term-{}-{count}", term.slug()).into()),
            ]),
        );
        self.theme
            .render("partials/term.html", &context)
            .map_err(|e| template_diagnostic(&e, self.sources))
    }
}
