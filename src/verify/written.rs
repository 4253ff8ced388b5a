//! Where a template writes a link it builds from an expression:
//! `href="/print/{{ page.slug }}/"` writes `/print/bones/`, which no template
//! holds as written. The attribute's literal parts, in order, must match the
//! link; the attribute that matches with the most literal text wins.

use std::ops::Range;

/// The attributes a link or an id is written in.
const ATTRIBUTES: [&str; 4] = ["href=\"", "src=\"", "id=\"", "action=\""];

/// The byte range of the attribute value in `template` that best explains
/// `written`, and how many literal bytes it matched: `None` if no attribute
/// with an expression and some literal text matches.
pub(super) fn find(template: &str, written: &str) -> Option<(Range<usize>, usize)> {
    let mut best: Option<(Range<usize>, usize)> = None;
    for attribute in ATTRIBUTES {
        for (at, _) in template.match_indices(attribute) {
            let start = at + attribute.len();
            let Some(value) = value_at(template, start) else {
                continue;
            };
            let literals = literal_parts(value);
            let score = literals.iter().map(|l| l.len()).sum::<usize>();
            let better = best.as_ref().is_none_or(|(_, s)| score > *s);
            if score > 0 && better && matches(&literals, written) {
                best = Some((start..start + value.len(), score));
            }
        }
    }
    best
}

/// The attribute value starting at `start`, up to its closing quote, with
/// at least one `{{ … }}` in it; quotes inside an expression do not end it.
fn value_at(template: &str, start: usize) -> Option<&str> {
    let rest = &template[start..];
    let mut i = 0;
    let mut expression = false;
    while i < rest.len() {
        if rest[i..].starts_with("{{") || rest[i..].starts_with("{%") {
            let close = if rest[i..].starts_with("{{") {
                "}}"
            } else {
                "%}"
            };
            expression |= close == "}}";
            i += rest[i..].find(close)? + 2;
        } else if rest[i..].starts_with(['"', '\n', '<', '>']) {
            return (expression && rest[i..].starts_with('"')).then(|| &rest[..i]);
        } else {
            i += rest[i..].chars().next()?.len_utf8();
        }
    }
    None
}

/// The text of `value` outside `{{ … }}` and `{% … %}`, piece by piece.
fn literal_parts(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find("{{").into_iter().chain(rest.find("{%")).min() {
        parts.push(&rest[..open]);
        let close = if rest[open..].starts_with("{{") {
            "}}"
        } else {
            "%}"
        };
        let Some(end) = rest[open..].find(close) else {
            return parts;
        };
        rest = &rest[open + end + 2..];
    }
    parts.push(rest);
    parts
}

/// Whether `written` can be what an attribute value of these `literals` (at
/// least two: it has an expression) wrote: the first part starts it, the
/// last ends it, the others come in order between.
fn matches(literals: &[&str], written: &str) -> bool {
    let [first, middle @ .., last] = literals else {
        return false;
    };
    if !written.starts_with(first) || !written.ends_with(last) {
        return false;
    }
    let mut at = first.len();
    for part in middle {
        match written[at..].find(part) {
            Some(found) => at += found + part.len(),
            None => return false,
        }
    }
    at + last.len() <= written.len()
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn an_expression_built_link_is_found_by_its_literal_parts() {
        let template =
            "<a href=\"{{ base }}\">home</a>\n<a href=\"/print/{{ page.slug }}/\">print</a>\n";
        let (range, score) = find(template, "/print/bones/").unwrap();
        assert_eq!(&template[range], "/print/{{ page.slug }}/");
        assert_eq!(score, "/print/".len() + 1);
        assert_eq!(find(template, "/other/bones/"), None);
    }

    #[test]
    fn quotes_inside_an_expression_do_not_end_the_value() {
        let template = r#"<img src="/img/{{ name | default(value="x") }}.png" alt="">"#;
        let (range, _) = find(template, "/img/x.png").unwrap();
        assert_eq!(
            &template[range],
            r#"/img/{{ name | default(value="x") }}.png"#
        );
        assert_eq!(find(template, "/img/x.jpg"), None);
    }

    #[test]
    fn the_attribute_with_most_literal_text_wins() {
        let template = "<a href=\"/{{ a }}\">x</a><a href=\"/guides/{{ b }}/print/\">y</a>\n";
        let (range, _) = find(template, "/guides/bones/print/").unwrap();
        assert_eq!(&template[range], "/guides/{{ b }}/print/");
        // Only expressions: it could be any link, so it explains none.
        assert_eq!(find("<a href=\"{{ r.url }}\">r</a>", "/x/"), None);
        // Hostile input: unclosed expressions and multi-byte text.
        assert_eq!(find("<a href=\"/é/{{ x", "/é/y"), None);
        assert_eq!(
            find("<a href=\"/é/{{ x }}ü\">", "/é/yü").map(|(_, s)| s),
            Some(6)
        );
    }
}
