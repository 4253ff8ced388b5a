//! The accessibility gate that needs no browser: lang, one h1, heading order,
//! alt text, table headers and link text, noted during the scan of each page.

use super::html::{self, Attr};
use super::report::{Hint, Problem};
use super::unescape;
use crate::diagnostic::{Code, Severity};
use crate::link_text;

/// What a reader using assistive technology meets on a page: the accessibility
/// gate that needs no browser.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Audit {
    lang: bool,
    h1: usize,
    /// Heading levels that skip one, as `(from, to)`.
    skips: Vec<(u8, u8)>,
    last_level: u8,
    images_without_alt: usize,
    tables_without_headers: usize,
    /// Texts of links with no text, or text that says nothing out of
    /// context (an error) or is a bare web address (a warning), with how
    /// much each matters (`link_text::Fault::severity`).
    bad_links: Vec<(String, Severity)>,
    /// Tables open now, with whether each has a header cell yet.
    tables: Vec<bool>,
    /// Whether the link open now has a label already; `None` outside links.
    link: Option<bool>,
    /// The text of the link open now, as written.
    link_text: String,
}

/// What the audit must do when an element ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Ends {
    Nothing,
    Link,
    Table,
}

impl Audit {
    /// Notes the start tag of element `tag` (in lower case).
    pub(super) fn start(&mut self, tag: &str, attrs: &[Attr]) -> Ends {
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

    pub(super) fn end(&mut self, ends: Ends) {
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
                let severity = if text.is_empty() {
                    (!labelled).then_some(Severity::Error)
                } else {
                    link_text::judge(&text).map(|fault| fault.severity())
                };
                if let Some(severity) = severity {
                    self.bad_links.push((text.into_owned(), severity));
                }
            }
        }
    }

    /// Leaves out the link faults the content check reported on their
    /// source lines already: one for each text in `reported`, or, when what
    /// it reported is not known, every warning (such a page was checked when
    /// it was rendered). Errors never reach here from content: a page whose
    /// content has one is not checked.
    pub(super) fn forget(&mut self, reported: Option<&[String]>) {
        match reported {
            None => self.bad_links.retain(|(_, s)| *s == Severity::Error),
            Some(texts) => {
                for text in texts {
                    let found = self
                        .bad_links
                        .iter()
                        .position(|(t, s)| t == text && *s == Severity::Warning);
                    if let Some(i) = found {
                        self.bad_links.remove(i);
                    }
                }
            }
        }
    }

    pub(super) fn text(&mut self, text: &str) {
        if self.link.is_some() {
            self.link_text.push_str(text);
        }
    }
}

/// Accessibility problems of a generated page. Content problems were reported
/// on their source lines before rendering, so these come from templates.
pub(super) fn problems(audit: &Audit, html: bool, problems: &mut Vec<Problem>) {
    if !html {
        return;
    }
    let mut add_as = |severity: Severity, message: String, hint: &str| {
        problems.push(Problem {
            code: Code::Accessibility,
            severity,
            message,
            hint: Hint::Template(hint.to_string()),
            written: None,
        })
    };
    let mut add = |message: String, hint: &str| add_as(Severity::Error, message, hint);
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
    for (text, severity) in &audit.bad_links {
        let (message, hint) = if text.is_empty() {
            (
                "a link has no text and no aria-label".to_string(),
                "link text must make sense out of context",
            )
        } else if *severity == Severity::Warning {
            (
                format!("a bare web address, `{text}`, is used as link text"),
                "a screen reader spells an address out; name the page it leads to",
            )
        } else {
            (
                format!("the link text `{text}` does not say where the link goes"),
                "link text must make sense out of context",
            )
        };
        add_as(*severity, message, hint);
    }
}
