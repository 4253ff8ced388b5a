//! The tests templates make of a page's text, read from their source:
//! `{% if page.slug == "bones" %}` writes something on one page only, so
//! `check`, which renders one page of each shape (see
//! [`super::pages::shape`]), must tell the page that passes the test from the
//! others. Found: `page.FIELD == "…"` and `!=`, either way round, and
//! `"…" in page.FIELD`, with either quote.

use crate::load::Sources;
use crate::parse::Page;

/// One test: the field of `page` it reads, and the text it compares with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TextTest {
    field: String,
    literal: String,
    /// `"…" in page.FIELD`, rather than equality.
    contains: bool,
}

impl TextTest {
    /// Whether `page` passes the test: never for a field that is not text
    /// of the page's own.
    pub(crate) fn passes(&self, page: &Page) -> bool {
        let text = match self.field.as_str() {
            "slug" => page.slug(),
            "title" => page.meta.title(),
            "description" => page.meta.description(),
            "path" => page.path.as_str(),
            "kind" => super::pages::section_name(page.section),
            _ => return false,
        };
        self.compare(text)
    }

    fn compare(&self, text: &str) -> bool {
        match self.contains {
            true => text.contains(&self.literal),
            false => text == self.literal,
        }
    }
}

/// Every test of a page's text in the site's templates, each once.
pub(crate) fn text_tests(sources: &Sources) -> Vec<TextTest> {
    let mut tests = Vec::new();
    for file in &sources.templates {
        for test in tests_in(&file.text) {
            if !tests.contains(&test) {
                tests.push(test);
            }
        }
    }
    tests
}

/// The tests of `page.FIELD` in one template's text.
fn tests_in(text: &str) -> Vec<TextTest> {
    let mut tests = Vec::new();
    for (at, _) in text.match_indices("page.") {
        // `somepage.x` is another variable.
        if text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        let rest = &text[at + "page.".len()..];
        let field_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let field = &rest[..field_len];
        if field.is_empty() {
            continue;
        }
        let after = rest[field_len..].trim_start();
        let before = text[..at].trim_end();
        let found = [
            (after.strip_prefix("=="), false),
            (after.strip_prefix("!="), false),
        ]
        .into_iter()
        .find_map(|(rest, contains)| Some((literal_at(rest?.trim_start())?, contains)))
        .or_else(|| {
            let (operator, contains) = [("==", false), ("!=", false), (" in", true)]
                .into_iter()
                .find(|(op, _)| before.ends_with(op))?;
            let before = before[..before.len() - operator.len()].trim_end();
            Some((literal_before(before)?, contains))
        });
        if let Some((literal, contains)) = found {
            tests.push(TextTest {
                field: field.to_string(),
                literal: literal.to_string(),
                contains,
            });
        }
    }
    tests
}

/// The quoted text `s` starts with.
fn literal_at(s: &str) -> Option<&str> {
    let quote = s.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let body = &s[1..];
    body.find(quote).map(|end| &body[..end])
}

/// The quoted text `s` ends with.
fn literal_before(s: &str) -> Option<&str> {
    let quote = s.chars().next_back().filter(|c| matches!(c, '"' | '\''))?;
    let body = &s[..s.len() - 1];
    body.rfind(quote).map(|start| &body[start + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, String, bool)> {
        tests_in(text)
            .into_iter()
            .map(|t| (t.field, t.literal, t.contains))
            .collect()
    }

    #[test]
    fn equality_and_containment_either_way_round() {
        assert_eq!(
            found(r#"{% if page.slug == "z" %}x{% elif 'Bones' != page.title %}y{% endif %}"#),
            [
                ("slug".into(), "z".into(), false),
                ("title".into(), "Bones".into(), false)
            ]
        );
        assert_eq!(
            found(r#"{% if "hip" in page.description %}x{% endif %}"#),
            [("description".into(), "hip".into(), true)]
        );
    }

    #[test]
    fn what_is_not_a_test_of_text_is_left_alone() {
        for text in [
            "{% if page.toc | length > 3 %}",
            "{{ page.slug }}",
            "{% if somepage.slug == \"z\" %}",
            "{% if page.slug == other %}",
            "{% if page.slug == \"unclosed %}",
            "page.",
            "ünï page.ß == \"é\"",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
