//! The accessibility gate that needs no browser: lang, one h1, heading order,
//! alt text, table headers and link text, noted during the scan of each page.

use super::html::{self, Attr};
use super::report::{Hint, Problem};
use super::unescape;
use crate::diagnostic::Code;
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
    /// Texts of links with no text, or text that says nothing out of context.
    bad_links: Vec<String>,
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
                if (text.is_empty() && !labelled) || link_text::judge(&text).is_some() {
                    self.bad_links.push(text.into_owned());
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
    let mut add = |message: String, hint: &str| {
        problems.push(Problem {
            code: Code::Accessibility,
            message,
            hint: Hint::Template(hint.to_string()),
        })
    };
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
    for text in &audit.bad_links {
        let message = if text.is_empty() {
            "a link has no text and no aria-label".to_string()
        } else {
            format!("the link text `{text}` does not say where the link goes")
        };
        add(message, "link text must make sense out of context");
    }
}
