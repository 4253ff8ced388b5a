//! Problems found in a site, each pointing at a byte range of one source file.
//!
//! Every stage returns its diagnostics instead of stopping, so one run reports
//! every problem. Positions are byte ranges into the original text; lines and
//! columns are worked out only when a diagnostic is printed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of problem a diagnostic reports; the names are the contract's codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    BrokenLink,
    BrokenAnchor,
    FrontMatter,
    UnknownShortcode,
    Shortcode,
    Data,
    Template,
    DuplicateId,
    ReviewOverdue,
    /// `site.toml` is missing, unreadable or invalid.
    Config,
    /// A source file could not be read or is not UTF-8.
    Read,
    /// A slug breaks the naming rule (lower-case letters, digits, hyphens).
    Slug,
    /// Content or a template that some readers cannot use (WCAG).
    Accessibility,
    /// (warning) The body's reading grade is above `max_reading_grade`.
    ReadingLevel,
    /// Text that `osteon new` wrote for the author to replace (`TODO: …`),
    /// on a page being published.
    Placeholder,
    /// Two glossary entries (or one, twice) claim the same term or alias.
    DuplicateTerm,
    /// Two sources (pages, static files, or a page osteon makes) would be
    /// published at the same address.
    DuplicateUrl,
    /// osteon itself failed (a bug): `serve` reports a rebuild that panicked.
    Internal,
    /// An external address no reader can follow (`htps://`, `https://`
    /// with no host, `javascript:`, a `mailto:` with no valid address).
    MalformedUrl,
    /// (warning, `check --external`) An external address answers 4xx or
    /// 5xx after its redirects, or gets no answer.
    DeadLink,
    /// (warning, `check --external`) An external address redirects
    /// permanently; the hint is the new address.
    RedirectedLink,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BrokenLink => "broken-link",
            Code::BrokenAnchor => "broken-anchor",
            Code::FrontMatter => "front-matter",
            Code::UnknownShortcode => "unknown-shortcode",
            Code::Shortcode => "shortcode",
            Code::Data => "data",
            Code::Template => "template",
            Code::DuplicateId => "duplicate-id",
            Code::ReviewOverdue => "review-overdue",
            Code::Config => "config",
            Code::Read => "read",
            Code::Slug => "slug",
            Code::Accessibility => "accessibility",
            Code::ReadingLevel => "reading-level",
            Code::Placeholder => "placeholder",
            Code::DuplicateTerm => "duplicate-term",
            Code::DuplicateUrl => "duplicate-url",
            Code::Internal => "internal",
            Code::MalformedUrl => "malformed-url",
            Code::DeadLink => "dead-link",
            Code::RedirectedLink => "redirected-link",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    /// Byte range in the file; empty when the problem is the file as a whole.
    pub span: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, file: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.to_string(),
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(code: Code, file: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, span, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The texts of the files diagnostics point into, so they can be printed with
/// line numbers and snippets.
#[derive(Default)]
pub struct SourceMap {
    texts: BTreeMap<String, String>,
}

impl SourceMap {
    pub fn insert(&mut self, file: &str, text: &str) {
        self.texts.insert(file.to_string(), text.to_string());
    }

    pub fn text(&self, file: &str) -> &str {
        self.texts.get(file).map_or("", String::as_str)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: &str, offset: usize) -> (usize, usize) {
        line_col(self.text(file), offset)
    }
}

/// 1-based line and column of `offset` in `text`; the column counts characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Sorts diagnostics by file, then position, then code, and drops exact repeats.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.span.start, a.code, &a.message).cmp(&(
            &b.file,
            b.span.start,
            b.code,
            &b.message,
        ))
    });
    diagnostics.dedup();
}

/// Renders diagnostics for people, with a source snippet and hint for each.
pub fn render_human(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diagnostics {
        let text = sources.text(&d.file);
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let span = clamp_span(text, &d.span);
        let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
        let snippet = Snippet::source(text)
            .path(d.file.as_str())
            .annotation(AnnotationKind::Primary.span(span));
        let mut report = vec![title.element(snippet)];
        if let Some(hint) = &d.hint {
            report.push(Group::with_title(
                Level::HELP.secondary_title(hint.as_str()),
            ));
        }
        let _ = writeln!(out, "{}\n", renderer.render(&report));
    }
    out
}

/// Keeps a span inside the text and on one line, so snippets stay short.
fn clamp_span(text: &str, span: &Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(text, span.start);
    let end = floor_char_boundary(text, span.end.max(start));
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    start..end.min(line_end)
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'static str,
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

/// Renders the contract's JSON form: one object with a `diagnostics` array.
pub fn render_json(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let report = JsonReport {
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let (line, column) = sources.line_col(&d.file, d.span.start);
                JsonDiagnostic {
                    severity: d.severity,
                    code: d.code.as_str(),
                    file: &d.file,
                    line,
                    column,
                    message: &d.message,
                    hint: d.hint.as_deref(),
                }
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).expect("diagnostics serialize") + "\n"
}

/// The closest candidate to `wanted`, if any is close enough to be a likely
/// typo: edit distance first (so `risks-2` finds `risks-1`, not `risks`), then
/// a shared prefix to break ties.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            let score = strsim::normalized_damerau_levenshtein(wanted, c);
            (score, strsim::jaro_winkler(wanted, c), c)
        })
        .filter(|(score, _, _)| *score >= 0.6)
        .max_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then_with(|| b.2.cmp(a.2))
        })
        .map(|(_, _, c)| c)
}

/// ` and N other pages` after the first page a problem is on, `pages` in all;
/// empty for one page.
pub fn and_others(pages: usize) -> String {
    match pages {
        0 | 1 => String::new(),
        2 => " and 1 other page".to_string(),
        n => format!(" and {} other pages", n - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let text = "+++\ntitle = \"é\"\n+++\nbody";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (2, 1));
        let body = text.find("body").unwrap();
        assert_eq!(line_col(text, body), (4, 1));
        let after_e = text.find('é').unwrap() + 'é'.len_utf8();
        assert_eq!(line_col(text, after_e), (2, 11));
    }

    #[test]
    fn closest_finds_typos_only() {
        let pages = ["calcium-and-vitamin-d.md", "menopause-age.md"];
        assert_eq!(
            closest("calcium-and-vitamin-d.md ", pages),
            Some("calcium-and-vitamin-d.md")
        );
        assert_eq!(closest("zzz", pages), None);
    }
}
