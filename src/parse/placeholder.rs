//! Placeholders: the text `osteon new` writes for the author to replace,
//! which publishing refuses while it remains.
//!
//! A placeholder starts with [`MARKER`]: a front-matter string whose value
//! starts with it (`description = "TODO: …"`), or a line of the body whose
//! text starts with it, after any indentation and a heading, list or quote
//! marker (`## TODO: …`, `- TODO: …`), outside fenced code. Anywhere else the
//! word is prose, so a sentence that mentions `TODO:` is not refused.

use std::ops::Range;

use crate::parse::meta::split_front_matter;

/// What starts a placeholder.
pub const MARKER: &str = "TODO:";

/// The byte ranges of the placeholders in the Markdown file `text`, each from
/// the marker to the end of its string or line.
pub fn find(text: &str) -> Vec<Range<usize>> {
    // Nearly every file has none: one search decides.
    if memchr::memmem::find(text.as_bytes(), MARKER.as_bytes()).is_none() {
        return Vec::new();
    }
    let Ok(split) = split_front_matter("", text) else {
        return Vec::new();
    };
    let mut found = in_front_matter(text, split.front);
    found.extend(in_body(text, split.body));
    found
}

/// Lines of `text[range]`, each with its offset in `text`, without the newline.
fn lines(text: &str, range: Range<usize>) -> impl Iterator<Item = (usize, &str)> {
    let start = range.start;
    text[range]
        .split_inclusive('\n')
        .scan(start, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line.trim_end_matches(['\n', '\r'])))
        })
}

/// Strings whose value starts with the marker: `"TODO: …"` or `'TODO: …'`.
fn in_front_matter(text: &str, front: Range<usize>) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for (at, line) in lines(text, front) {
        for quote in ['"', '\''] {
            let opening = format!("{quote}{MARKER}");
            let mut from = 0;
            while let Some(i) = line[from..].find(&opening) {
                let start = from + i + 1;
                let end = line[start..].find(quote).map_or(line.len(), |j| start + j);
                found.push(at + start..at + end);
                from = end;
            }
        }
    }
    found.sort_by_key(|r| r.start);
    found
}

/// Body lines whose text starts with the marker, outside fenced code.
fn in_body(text: &str, body: Range<usize>) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    for (at, line) in lines(text, body) {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if let Some(open) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            fence = Some(open);
            continue;
        }
        let content = without_block_marker(trimmed);
        if content.starts_with(MARKER) {
            let start = at + (line.len() - content.len());
            found.push(start..at + line.trim_end().len());
        }
    }
    found
}

/// A line's text after any heading (`## `), quote (`> `) and list (`- `,
/// `1. `) markers.
fn without_block_marker(line: &str) -> &str {
    let mut rest = line;
    loop {
        // A quote needs no space after its marker.
        if let Some(quoted) = rest.strip_prefix('>') {
            rest = quoted.trim_start();
            continue;
        }
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let marker = if rest.starts_with('#') {
            rest.len() - rest.trim_start_matches('#').len()
        } else if rest.starts_with(['-', '*', '+']) {
            1
        } else if digits > 0 && rest[digits..].starts_with(['.', ')']) {
            digits + 1
        } else {
            return rest;
        };
        let after = &rest[marker..];
        // The others do: `-TODO:` is text, not a list item.
        if !after.starts_with([' ', '\t']) {
            return rest;
        }
        rest = after.trim_start();
    }
}

/// How a diagnostic names a placeholder: its text, shortened if long.
pub fn name(placeholder: &str) -> String {
    const LONG: usize = 60;
    match placeholder.char_indices().nth(LONG) {
        Some((cut, _)) => format!("{}…", placeholder[..cut].trim_end()),
        None => placeholder.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn front_matter_strings_that_start_with_the_marker() {
        let text = "+++\ntitle = \"Bones\"\ndescription = \"TODO: one sentence.\"\n\
                    aliases = ['x', 'TODO: another name']\nsummary = \"Not a TODO: here\"\n+++\n";
        assert_eq!(
            placeholders(text),
            ["TODO: one sentence.", "TODO: another name"]
        );
    }

    #[test]
    fn body_lines_that_start_with_the_marker() {
        let text = "+++\ntitle = \"t\"\n+++\n\nTODO: write here.\n\n## TODO: a heading\n\n\
                    - TODO: a point\n1. TODO: a step\n> TODO: a quote\n>TODO: close quote\n  TODO: indented\r\n\n\
                    We mean TODO: as a word.\n-TODO: not a list\n\n```\nTODO: in code\n```\n\n~~~md\nTODO: also code\n~~~\nTODO: after\n";
        assert_eq!(
            placeholders(text),
            [
                "TODO: write here.",
                "TODO: a heading",
                "TODO: a point",
                "TODO: a step",
                "TODO: a quote",
                "TODO: close quote",
                "TODO: indented",
                "TODO: after",
            ]
        );
    }

    #[test]
    fn a_file_without_the_marker_or_front_matter_has_none() {
        assert!(find("+++\ntitle = \"t\"\n+++\nText.\n").is_empty());
        assert!(find("TODO: no front matter\n").is_empty());
        assert!(find("+++\ntitle = \"t\"\n+++\ntodo: lower case\n").is_empty());
    }

    #[test]
    fn long_placeholders_are_shortened_when_named() {
        assert_eq!(name("TODO: short"), "TODO: short");
        let long = format!("TODO: {}", "word ".repeat(20));
        let named = name(&long);
        assert!(
            named.ends_with('…') && named.chars().count() <= 61,
            "{named}"
        );
    }
}
