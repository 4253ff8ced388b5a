//! Link text that says nothing out of context: the one rule for the
//! accessibility check of Markdown links (`markdown`) and of the links
//! templates emit (`verify`), so content and templates are held to the same
//! phrases.
//!
//! Screen-reader users often list a page's links, or jump from link to link,
//! and hear each link's text without the sentence around it. Each fault has
//! one severity ([`Fault::severity`]) wherever it is found.

use crate::diagnostic::Severity;

/// Link texts that say nothing out of context, compared without case.
pub const VAGUE: [&str; 9] = [
    "click here",
    "here",
    "click",
    "read more",
    "more",
    "this page",
    "this",
    "link",
    "this link",
];

/// A web address used as link text starts with one of these (without case).
const ADDRESS: [&str; 3] = ["http://", "https://", "www."];

/// What is wrong with a link's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault<'a> {
    /// One of the [`VAGUE`] phrases: the text as written, without the
    /// closing `.`, `!` or `…` it may end with (`check` reads `...` where
    /// `build` reads `…`, so both quote it alike).
    Vague(&'a str),
    /// A bare web address (`https://…`, `www.…`).
    Address,
}

impl Fault<'_> {
    /// How much the fault matters, the same for content and templates.
    /// Vague text says nothing about where the link goes: an error. A bare
    /// address does say it, only in a form that is slow to listen to (a
    /// screen reader spells it out) and hard to read: a warning, so it never
    /// stops a page being published on its own, and an error under
    /// `--strict`, like every warning.
    pub fn severity(&self) -> Severity {
        match self {
            Fault::Vague(_) => Severity::Error,
            Fault::Address => Severity::Warning,
        }
    }
}

/// What is wrong with link `text` (trimmed, not empty), if anything.
pub fn judge(text: &str) -> Option<Fault<'_>> {
    let bare = text.trim_end_matches(['.', '!', '…']);
    // Some non-ASCII letters lower-case to ASCII (the Kelvin sign to `k`).
    let lower;
    let folded = if bare.is_ascii() {
        bare
    } else {
        lower = bare.to_lowercase();
        &lower
    };
    if VAGUE
        .iter()
        .any(|phrase| phrase.eq_ignore_ascii_case(folded))
    {
        return Some(Fault::Vague(bare));
    }
    let starts = |prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    ADDRESS
        .iter()
        .any(|prefix| starts(prefix))
        .then_some(Fault::Address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vague_phrases_are_judged_without_case_or_closing_dots() {
        for phrase in VAGUE {
            assert_eq!(judge(phrase), Some(Fault::Vague(phrase)));
            let shouted = phrase.to_uppercase();
            assert_eq!(judge(&shouted), Some(Fault::Vague(shouted.as_str())));
        }
        assert_eq!(judge("Click here..."), Some(Fault::Vague("Click here")));
        assert_eq!(judge("here!"), Some(Fault::Vague("here")));
        assert_eq!(judge("More…"), Some(Fault::Vague("More")));
        assert_eq!(judge("lin\u{212a}"), Some(Fault::Vague("lin\u{212a}")));
    }

    #[test]
    fn bare_addresses_are_judged_without_case() {
        for text in ["https://example.org", "HTTP://x", "www.nhs.uk", "WWW.x"] {
            assert_eq!(judge(text), Some(Fault::Address), "{text}");
        }
    }

    #[test]
    fn text_that_names_its_destination_passes() {
        for text in [
            "Calcium advice",
            "Here is why",
            "click here for calcium",
            "more about vitamin D",
            "http:/x",
            "wwwx",
            "héré",
            "é",
        ] {
            assert_eq!(judge(text), None, "{text}");
        }
    }
}
