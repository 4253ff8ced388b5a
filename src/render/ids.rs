//! The ids the theme writes on every page of a kind (`id="main"` in
//! `base.html`), so a heading that takes one (`## Main`) is reported on its
//! own line, by `check` and `build` alike, not as a `duplicate-id` on an
//! output page.

use rustc_hash::FxHashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::{Section, Sources};
use crate::parse::Page;
use crate::parse::markdown::Body;

/// An id a template writes as written text: the file and the byte offset.
#[derive(Clone, Debug)]
pub(super) struct TemplateId {
    file: String,
    offset: usize,
}

/// The ids the theme writes on the pages of each section, by id: looked up
/// for every heading, without making a key.
pub(super) type TemplateIds = FxHashMap<Section, FxHashMap<String, TemplateId>>;

/// The fixed ids of the templates each kind of page is rendered with: the
/// base layout, its partials and the kind's own template. An id made by a
/// template expression is not known until render, and is left to `verify`.
pub(super) fn template_ids(sources: &Sources) -> TemplateIds {
    let mut ids = FxHashMap::default();
    for file in &sources.templates {
        let name = sources.template_name(file);
        let sections: &[Section] = match name {
            "article.html" => &[Section::Article],
            "glossary-entry.html" => &[Section::Glossary],
            "page.html" => &[Section::Page],
            _ if name == "base.html" || name.starts_with("partials/") => {
                &[Section::Article, Section::Glossary, Section::Page]
            }
            _ => &[],
        };
        for (id, offset) in fixed_ids(&file.text) {
            for &section in sections {
                let at = TemplateId {
                    file: file.path.clone(),
                    offset,
                };
                let of_section: &mut FxHashMap<String, TemplateId> =
                    ids.entry(section).or_default();
                of_section.entry(id.to_string()).or_insert(at);
            }
        }
    }
    ids
}

/// `id="x"` and `id='x'` whose value holds no template tag, with the
/// value's offset.
fn fixed_ids(text: &str) -> impl Iterator<Item = (&str, usize)> {
    memchr::memmem::find_iter(text.as_bytes(), b"id=").filter_map(move |at| {
        let before = text[..at].chars().next_back()?;
        if !before.is_ascii_whitespace() {
            return None;
        }
        let rest = &text[at + 3..];
        let quote = rest.chars().next().filter(|q| matches!(q, '"' | '\''))?;
        let end = rest[1..].find(quote)?;
        let value = &rest[1..1 + end];
        (!value.is_empty() && !value.contains(['{', '}'])).then_some((value, at + 4))
    })
}

/// A `duplicate-id` error for each heading of `page` (its `body`) whose id
/// the theme writes on its pages, on the heading's line.
pub(super) fn clashes(
    page: &Page,
    body: &Body,
    ids: &TemplateIds,
    sources: &Sources,
) -> Vec<Diagnostic> {
    body.headings
        .iter()
        .filter_map(|heading| {
            let at = ids.get(&page.section)?.get(heading.id.as_str())?;
            let (line, _) = sources_line(sources, &at.file, at.offset);
            Some(
                Diagnostic::error(
                    Code::DuplicateId,
                    &page.path,
                    heading.span.clone(),
                    format!(
                        "this heading's id `{}` is one the theme already uses on the page",
                        heading.id
                    ),
                )
                .with_hint(format!(
                    "`{}` writes it on line {line}; give the heading another id with {{#another-id}}, or reword it",
                    at.file
                )),
            )
        })
        .collect()
}

fn sources_line(sources: &Sources, file: &str, offset: usize) -> (usize, usize) {
    let text = sources
        .templates
        .iter()
        .find(|f| f.path == file)
        .map_or("", |f| f.text.as_str());
    crate::diagnostic::line_col(text, offset)
}

#[cfg(test)]
mod tests {
    use super::fixed_ids;

    #[test]
    fn only_ids_written_as_text_are_fixed() {
        let text = "<main id=\"main\"><p id='x'></p><a data-id=\"no\"><b id=\"{{ page.slug }}\">";
        let ids: Vec<&str> = fixed_ids(text).map(|(id, _)| id).collect();
        assert_eq!(ids, ["main", "x"]);
    }
}
