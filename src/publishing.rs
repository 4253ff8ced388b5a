//! Publishing checks for health content: review dates (overdue reviews as
//! warnings; a review dated ahead of today or due before it was made as
//! errors), for articles and data files alike, reading level as warnings,
//! placeholders and empty bodies on a published page as errors, and the
//! per-article report.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::{Section, Sources};
use crate::parse::meta::{ArticleMeta, Date, ReadingLimits, SiteConfig, split_front_matter};
use crate::parse::placeholder;
use crate::parse::{Meta, Page};
use crate::resolve::Site;

/// The rules an article is held to, and the date they are judged on.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub today: Date,
    /// Highest grades allowed before a `reading-level` warning.
    pub max_reading_grade: ReadingLimits,
    /// How long a review lasts when an article gives no `review_due`.
    pub review_limit_months: u32,
}

impl Policy {
    pub fn new(config: &SiteConfig, today: Date) -> Policy {
        Policy {
            today,
            max_reading_grade: config.max_reading_grade.unwrap_or_default(),
            review_limit_months: config.review_limit_months.unwrap_or(12),
        }
    }

    /// The date by which an article must be reviewed again.
    pub fn due(&self, meta: &ArticleMeta) -> Date {
        self.due_of(meta.reviewed, meta.review_due)
    }

    /// The date by which something reviewed on `reviewed` must be reviewed
    /// again: `review_due`, or `review_limit_months` later.
    fn due_of(&self, reviewed: Date, review_due: Option<Date>) -> Date {
        review_due.unwrap_or_else(|| {
            let months = jiff::Span::new().months(i64::from(self.review_limit_months));
            Date(reviewed.0.saturating_add(months))
        })
    }

    /// Overdue once the due date has passed; an article due today is not late.
    pub fn overdue(&self, meta: &ArticleMeta) -> bool {
        self.due(meta) < self.today
    }

    /// The latest `reviewed` date that has come: tomorrow, since a machine's
    /// today (CI's, often UTC) can be a day behind the editor's.
    fn latest_review(&self) -> Date {
        Date(self.today.0.tomorrow().unwrap_or(self.today.0))
    }
}

/// What a file's review dates are about, for the messages.
#[derive(Clone, Copy)]
enum Reviewed {
    /// An article: its clinical review.
    Article,
    /// A data file: its figures checked against their source.
    Data,
}

/// The review-date problems of a file whose source is `text`: a `reviewed`
/// date still to come or a `review_due` before it (errors: the page would
/// tell readers of a review that has not happened, and the overdue check
/// would go quiet), or a review that is overdue (a warning).
fn review_problems(
    path: &str,
    text: &str,
    (reviewed, review_due): (Date, Option<Date>),
    kind: Reviewed,
    policy: &Policy,
) -> Vec<Diagnostic> {
    let code = match kind {
        Reviewed::Article => Code::FrontMatter,
        Reviewed::Data => Code::Data,
    };
    let mut out = Vec::new();
    if reviewed > policy.latest_review() {
        out.push(
            Diagnostic::error(
                code,
                path,
                key_span(text, "reviewed"),
                format!(
                    "`reviewed` is {reviewed}, a date still to come (today is {})",
                    policy.today
                ),
            )
            .with_hint(
                "write the date the review was done; the date the next one is due goes in `review_due`",
            ),
        );
    }
    if let Some(due) = review_due.filter(|due| *due < reviewed) {
        out.push(
            Diagnostic::error(
                code,
                path,
                key_span(text, "review_due"),
                format!("`review_due` is {due}, before `reviewed` ({reviewed})"),
            )
            .with_hint("the next review falls after the last one; check the year"),
        );
    }
    if !out.is_empty() || policy.due_of(reviewed, review_due) >= policy.today {
        return out;
    }
    let (what, hint) = match kind {
        Reviewed::Article => (
            "the clinical review",
            "have the article reviewed, then update `reviewed` and `review_due`",
        ),
        Reviewed::Data => (
            "the review of these figures",
            "check the figures against their source, then update `reviewed` and `review_due`",
        ),
    };
    let (key, message) = match review_due {
        Some(due) => (
            "review_due",
            format!("{what} was due on {due} and is overdue"),
        ),
        None => (
            "reviewed",
            format!(
                "last reviewed on {reviewed}, more than {} months ago, and no review_due is set",
                policy.review_limit_months
            ),
        ),
    };
    out.push(
        Diagnostic::warning(Code::ReviewOverdue, path, key_span(text, key), message)
            .with_hint(hint),
    );
    out
}

/// Byte range of a front-matter key's line, for pointing a warning at it.
fn key_span(text: &str, key: &str) -> std::ops::Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with(key)
            && line[line.find(key).unwrap_or(0) + key.len()..]
                .trim_start()
                .starts_with('=')
        {
            return offset..offset + line.trim_end().len();
        }
        offset += line.len();
    }
    0..0
}

/// The problems [`check_page`] finds on every published page, and the
/// review dates of every data file.
pub fn check(site: &Site, sources: &Sources, policy: &Policy) -> Vec<Diagnostic> {
    let texts: HashMap<&str, &str> = sources
        .content
        .iter()
        .map(|f| (f.path.as_str(), f.text.as_str()))
        .collect();
    let mut out: Vec<Diagnostic> = site
        .pages()
        .iter()
        .flat_map(|page| {
            let text = texts.get(page.path.as_str()).copied().unwrap_or("");
            check_page(page, text, policy)
        })
        .collect();
    out.extend(check_data(site, sources, policy));
    out
}

/// The review dates of the data files.
pub fn check_data(site: &Site, sources: &Sources, policy: &Policy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for source in &sources.data {
        let name = crate::url::slug(&source.path).trim_end_matches(".toml");
        // A file with errors is not in the site; they are reported already.
        if let Some(file) = site.parsed.data.files.get(name) {
            let dates = (file.reviewed, file.review_due);
            let (path, text) = (&source.path, &source.text);
            out.extend(review_problems(path, text, dates, Reviewed::Data, policy));
        }
    }
    out
}

/// The problems of one page, whose source text is `text`: its placeholders
/// or a body with no text, and for an article its review dates and reading
/// level.
pub fn check_page(page: &Page, text: &str, policy: &Policy) -> Vec<Diagnostic> {
    let mut out = placeholders(&page.path, text);
    out.extend(empty_body(page, text));
    let Meta::Article(meta) = &page.meta else {
        return out;
    };
    let dates = (meta.reviewed, meta.review_due);
    out.extend(review_problems(
        &page.path,
        text,
        dates,
        Reviewed::Article,
        policy,
    ));
    let stats = &page.body.stats;
    let limits = policy.max_reading_grade;
    let grades = [
        (
            "Flesch–Kincaid",
            limits.flesch_kincaid,
            stats.flesch_kincaid(),
        ),
        ("SMOG", limits.smog, stats.smog()),
    ];
    for (measure, limit, grade) in grades {
        let Some(max) = limit.filter(|max| grade > *max) else {
            continue;
        };
        out.push(
            Diagnostic::warning(
                Code::ReadingLevel,
                &page.path,
                key_span(text, "title"),
                format!("the {measure} reading grade is {grade:.1}, above the site's limit of {max:.1}"),
            )
            .with_hint("use shorter sentences and everyday words; `osteon report` shows every article's grades"),
        );
    }
    out
}

/// A page being published that still holds text `osteon new` wrote for its
/// author to replace: an error at each placeholder. Drafts that are not
/// published are never checked, so they may keep theirs.
fn placeholders(path: &str, text: &str) -> Vec<Diagnostic> {
    placeholder::find(text)
        .into_iter()
        .map(|span| {
            let message = format!(
                "`{}` is a placeholder, still to be replaced",
                placeholder::name(&text[span.clone()])
            );
            Diagnostic::error(Code::Placeholder, path, span, message).with_hint(format!(
                "write the real text in its place; text starting with `{}` is never published, except in a draft",
                placeholder::MARKER
            ))
        })
        .collect()
}

/// An article or page being published with nothing below its front matter:
/// an error on the closing `+++`, where its text goes. Like a placeholder,
/// it is text still to be written (a half-saved file, or the text pasted
/// above the fence), and it would be listed on the home page, in topics, the
/// sitemap and the feed as a page with nothing to read. A glossary entry's
/// summary is its text, so its body may be empty; a draft not published may
/// be empty too.
fn empty_body(page: &Page, text: &str) -> Option<Diagnostic> {
    let kind = match page.section {
        Section::Article => "article",
        Section::Page => "page",
        Section::Glossary => return None,
    };
    let split = split_front_matter(&page.path, text).ok()?;
    if !text[split.body.clone()].trim().is_empty() {
        return None;
    }
    let fence = split.front.end..split.body.start;
    let fence = fence.start..fence.start + text[fence].trim_end().len();
    Some(
        Diagnostic::error(
            Code::Placeholder,
            &page.path,
            fence,
            format!("this {kind} has no text: nothing follows its front matter"),
        )
        .with_hint(format!(
            "write the {kind} below this line, or set `draft = true` until it is written"
        )),
    )
}

/// One row of `osteon report`.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub path: String,
    pub title: String,
    pub words: usize,
    pub reading_minutes: usize,
    pub flesch_kincaid: f64,
    pub smog: f64,
    pub glossary_terms: usize,
    pub links_in: usize,
    pub links_out: usize,
    pub reviewed: Date,
    pub review_due: Date,
    pub overdue: bool,
}

/// The report's rows, one per article, sorted by path.
pub fn report(site: &Site, policy: &Policy) -> Vec<Row> {
    let pages = site.pages();
    pages
        .iter()
        .enumerate()
        .filter_map(|(i, page)| {
            let Meta::Article(meta) = &page.meta else {
                return None;
            };
            let stats = page.body.stats;
            let round = |x: f64| (x * 10.0).round() / 10.0;
            Some(Row {
                path: page.path.clone(),
                title: meta.title.clone(),
                words: stats.words,
                reading_minutes: stats.reading_minutes(),
                flesch_kincaid: round(stats.flesch_kincaid()),
                smog: round(stats.smog()),
                glossary_terms: site.outlinks[i]
                    .iter()
                    .filter(|&&j| pages[j].section == Section::Glossary)
                    .count(),
                links_in: site.backlinks[i].len(),
                links_out: site.outlinks[i].len(),
                reviewed: meta.reviewed,
                review_due: policy.due(meta),
                overdue: policy.overdue(meta),
            })
        })
        .collect()
}

/// The report as a table for people.
pub fn render_table(rows: &[Row]) -> String {
    let header = [
        "article", "words", "min", "FK", "SMOG", "terms", "in", "out", "reviewed", "due", "overdue",
    ];
    let cells: Vec<[String; 11]> = rows
        .iter()
        .map(|r| {
            [
                r.path
                    .trim_start_matches("articles/")
                    .trim_end_matches(".md")
                    .to_string(),
                r.words.to_string(),
                r.reading_minutes.to_string(),
                format!("{:.1}", r.flesch_kincaid),
                format!("{:.1}", r.smog),
                r.glossary_terms.to_string(),
                r.links_in.to_string(),
                r.links_out.to_string(),
                r.reviewed.to_string(),
                r.review_due.to_string(),
                if r.overdue {
                    "OVERDUE".into()
                } else {
                    "no".into()
                },
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: &[String]| {
        row.iter()
            .enumerate()
            .map(|(c, v)| {
                if c == 0 {
                    format!("{v:<w$}", w = widths[c])
                } else {
                    format!("{v:>w$}", w = widths[c])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(&header.map(String::from));
    out.push('\n');
    out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
    out.push('\n');
    for row in &cells {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date(s.parse().unwrap())
    }

    fn meta(reviewed: &str, due: Option<&str>) -> ArticleMeta {
        ArticleMeta {
            title: "t".into(),
            description: "d".into(),
            reviewed: date(reviewed),
            review_due: due.map(date),
            topics: vec![],
            draft: false,
            references: vec![],
        }
    }

    fn policy(today: &str) -> Policy {
        Policy {
            today: date(today),
            max_reading_grade: ReadingLimits::default(),
            review_limit_months: 12,
        }
    }

    #[test]
    fn review_due_is_overdue_from_the_day_after() {
        let m = meta("2025-01-01", Some("2026-06-30"));
        assert!(!policy("2026-06-29").overdue(&m));
        assert!(!policy("2026-06-30").overdue(&m));
        assert!(policy("2026-07-01").overdue(&m));
    }

    #[test]
    fn without_review_due_the_limit_applies() {
        let m = meta("2025-03-31", None);
        assert_eq!(policy("2026-01-01").due(&m), date("2026-03-31"));
        assert!(!policy("2026-03-31").overdue(&m));
        assert!(policy("2026-04-01").overdue(&m));
        let short = Policy {
            review_limit_months: 6,
            ..policy("2025-10-01")
        };
        assert!(short.overdue(&m));
    }

    #[test]
    fn key_span_finds_the_line() {
        let text = "+++\ntitle = \"x\"\nreview_due = 2026-01-01\n+++\n";
        assert_eq!(
            &text[key_span(text, "review_due")],
            "review_due = 2026-01-01"
        );
    }
}
