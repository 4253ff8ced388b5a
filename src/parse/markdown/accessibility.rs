//! Accessibility checks on the body as it is read: image alt text, link
//! text, empty table headers and heading levels, each reported on its source.

use std::ops::Range;

use pulldown_cmark::{Event, TagEnd};

use super::{Problem, State};
use crate::diagnostic::Severity;
use crate::link_text;

impl<'a> State<'a, '_> {
    /// Checks an image's alt text when it closes.
    pub(super) fn end_image(&mut self) {
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

    /// Checks that the table's header row, just closed, has some text.
    pub(super) fn check_table_head(&mut self, range: Range<usize>) {
        if !self.header_text {
            self.accessibility(
                range,
                "this table's header row is empty".into(),
                "give every column a header, so screen readers can say what each cell means",
            );
        }
    }

    /// Checks a heading's level against the page title (the h1) and the
    /// heading above it, then records it.
    pub(super) fn check_heading_level(&mut self, n: u8, range: &Range<usize>) {
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
    }

    pub(super) fn accessibility(&mut self, span: Range<usize>, message: String, hint: &str) {
        self.problem(span, message, hint, Severity::Error);
    }

    fn problem(&mut self, span: Range<usize>, message: String, hint: &str, severity: Severity) {
        self.problems.push(Problem::Accessibility {
            span,
            message,
            hint: hint.to_string(),
            severity,
        });
    }

    /// Checks a link's text when it closes: not empty, not vague, not a bare URL.
    pub(super) fn close_link(&mut self) {
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
            Some(fault @ link_text::Fault::Vague(bare)) => self.problem(
                link.span,
                format!("the link text `{bare}` does not say where the link goes"),
                "screen-reader users often hear links out of context; name the destination, e.g. [calcium and vitamin D](calcium-and-vitamin-d.md)",
                fault.severity(),
            ),
            Some(fault @ link_text::Fault::Address) => {
                self.body.bare_addresses.push(text.to_string());
                self.problem(
                    link.span,
                    "a bare web address is used as link text".into(),
                    "a screen reader spells an address out; name the page instead, e.g. [NHS advice on osteoporosis](https://…)",
                    fault.severity(),
                );
            }
            None => {}
        }
        self.recycle(link.text);
    }
}
