//! HTML minification with minify-html, kept behind this module because
//! minifiers have broken other generators' output: closing tags, entities,
//! scripts and styles are left alone.
//!
//! The theme's templates are minified once, when they are loaded, rather than
//! every page after rendering: minify-html costs about twice as much as the rest
//! of a build, and the template text is where the removable whitespace is. The
//! Markdown HTML that fills a page is already compact (pulldown-cmark writes one
//! newline between blocks).

use std::ops::Range;

/// The conservative settings: only whitespace and comments go; every tag,
/// closing tag, attribute quote a value needs, entity, script and style is kept.
fn cfg() -> minify_html::Cfg {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.keep_comments = false;
    cfg.minify_css = false;
    cfg.minify_js = false;
    cfg.minify_doctype = false;
    cfg.allow_noncompliant_unquoted_attribute_values = false;
    cfg.allow_optimal_entities = false;
    cfg.allow_removing_spaces_between_attributes = false;
    cfg.keep_input_type_text_attr = true;
    cfg.remove_bangs = false;
    cfg.remove_processing_instructions = false;
    cfg
}

/// Minifies a whole HTML document: the reference the template minifier is
/// tested against.
pub fn html(source: &str) -> Vec<u8> {
    minify_html::minify(source.as_bytes(), &cfg())
}

// Each tag of a template is stood in for by a marker holding its number
// between two private-use characters, which template authors never type.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Minifies a Tera template, or `None` when it cannot be done safely; the
/// template is then used as written.
///
/// Each tag is replaced by a marker before minify-html sees the template.
/// An expression (`{{ }}`) becomes text with a space in it, so whitespace
/// beside it is collapsed as it would be beside the text it prints, never
/// removed, and an attribute value holding one keeps its quotes. A statement
/// or comment (`{% %}`, `{# #}`) prints no text, so it becomes a processing
/// instruction: minify-html keeps those as they are and removes the whitespace
/// beside them where it removes whitespace between blocks. A tag inside a start
/// tag (`<a {% if %}…>`) would be read as attribute names and cannot come back,
/// so such a template is kept as written.
pub fn template(source: &str) -> Option<String> {
    if source.contains([OPEN, CLOSE]) {
        return None;
    }
    let tags = tags(source)?;
    let mut marked = String::with_capacity(source.len() + tags.len() * 8);
    let mut last = 0;
    for (n, tag) in tags.iter().enumerate() {
        marked.push_str(&source[last..tag.start]);
        if is_expression(&source[tag.clone()]) {
            marked.push_str(&format!("{OPEN}{n} {CLOSE}"));
        } else {
            marked.push_str(&format!("<?{OPEN}{n}{CLOSE}?>"));
        }
        last = tag.end;
    }
    marked.push_str(&source[last..]);
    if marker_in_start_tag(&marked) {
        return None;
    }
    let minified = String::from_utf8(minify_html::minify(marked.as_bytes(), &cfg())).ok()?;
    let texts: Vec<&str> = tags.iter().map(|t| &source[t.clone()]).collect();
    restore(&minified, &texts)
}

/// Whether a marker stands between the attributes of a start tag, outside a
/// quoted value, where minify-html would read it as attribute names. A scan
/// this simple may also flag a marker that is safe (in a comment, say); that
/// only keeps the template as written.
fn marker_in_start_tag(marked: &str) -> bool {
    let bytes = marked.as_bytes();
    let mut quote = None;
    let mut in_tag = false;
    for (i, &b) in bytes.iter().enumerate() {
        match (in_tag, quote) {
            (true, Some(q)) if b == q => quote = None,
            (true, Some(_)) => {}
            (true, None) => match b {
                b'"' | b'\'' => quote = Some(b),
                b'>' => in_tag = false,
                // The first byte of OPEN in UTF-8.
                0xEE if marked[i..].starts_with(OPEN) => return true,
                b'<' if marked[i..].starts_with("<?") => return true,
                _ => {}
            },
            (false, _) => {
                in_tag = b == b'<' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
            }
        }
    }
    false
}

fn is_expression(tag: &str) -> bool {
    tag.starts_with("{{")
}

/// The byte ranges of the template's tags, in order; `None` if one is not closed.
fn tags(source: &str) -> Option<Vec<Range<usize>>> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(offset) = source[at..].find('{') {
        let start = at + offset;
        let closer = match bytes.get(start + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                at = start + 1;
                continue;
            }
        };
        let end = start + 2 + source[start + 2..].find(closer)? + 2;
        out.push(start..end);
        at = end;
    }
    Some(out)
}

/// Puts each tag back in place of its marker. `None` unless every marker comes
/// back once, in its own form, with the statements in their order and each
/// expression between the same statements as before: minify-html may reorder
/// the attributes of a tag, but no expression may leave its `{% if %}` or
/// `{% for %}`.
fn restore(minified: &str, tags: &[&str]) -> Option<String> {
    let statements_before: Vec<usize> = tags
        .iter()
        .scan(0, |seen, tag| {
            let before = *seen;
            *seen += usize::from(!is_expression(tag));
            Some(before)
        })
        .collect();
    let mut out = String::with_capacity(minified.len() + tags.len() * 16);
    let mut found = vec![false; tags.len()];
    let mut statements = 0;
    let mut rest = minified;
    while let Some(open) = rest.find(OPEN) {
        let (number, after) = rest[open + OPEN.len_utf8()..].split_once(CLOSE)?;
        let expression = number.ends_with(' ');
        let n: usize = number.trim_end().parse().ok()?;
        let tag = *tags.get(n)?;
        let mut before = &rest[..open];
        let mut after = after;
        if expression != is_expression(tag) || std::mem::replace(&mut found[n], true) {
            return None;
        }
        if statements_before[n] != statements {
            return None;
        }
        if !expression {
            statements += 1;
            before = before.strip_suffix("<?")?;
            after = after.strip_prefix("?>")?;
        }
        out.push_str(before);
        out.push_str(tag);
        rest = after;
    }
    out.push_str(rest);
    (found.iter().all(|&f| f) && !out.contains(CLOSE)).then_some(out)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use lol_html::html_content::{Element, TextChunk};
    use lol_html::{RewriteStrSettings, element, rewrite_str, text};

    /// The document as a list of start tags with attributes and of non-blank
    /// text runs: two documents with the same list read the same. minify-html
    /// decodes entities where the decoded text means the same (`&amp;` before a
    /// space), so both sides are compared decoded.
    fn structure(html: &str) -> Vec<String> {
        let items = RefCell::new(Vec::new());
        let text_buf = RefCell::new(String::new());
        let flush = |items: &RefCell<Vec<String>>, buf: &RefCell<String>| {
            // Compare text as a browser reads it: entities decoded, whitespace collapsed.
            let decoded = crate::verify::unescape(&buf.borrow()).into_owned();
            let t = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
            if !t.is_empty() {
                items.borrow_mut().push(format!("text {t}"));
            }
            buf.borrow_mut().clear();
        };
        rewrite_str(
            html,
            RewriteStrSettings::new()
                .append_element_content_handler(element!("*", |el: &mut Element| {
                    flush(&items, &text_buf);
                    let mut attrs: Vec<String> = el
                        .attributes()
                        .iter()
                        .map(|a| format!("{}={}", a.name(), crate::verify::unescape(&a.value())))
                        .collect();
                    attrs.sort();
                    items
                        .borrow_mut()
                        .push(format!("<{} {}>", el.tag_name(), attrs.join(" ")));
                    Ok(())
                }))
                .append_element_content_handler(text!("*", |t: &mut TextChunk| {
                    text_buf.borrow_mut().push_str(t.as_str());
                    Ok(())
                })),
        )
        .unwrap();
        flush(&items, &text_buf);
        items.into_inner()
    }

    const TRICKY: &str = r#"<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>A &amp; B</title>
<script>if (a < b && c > d) { document.write("</p>"); }</script>
<style>p > a { color: red }</style></head>
<body>
<!-- a comment -->
<p class="x y" data-note='say "hi"'>Fish &amp; chips &lt;3 &#8212; 5&#160;%</p>
<ul><li>One</li><li>Two</li></ul>
<pre>  keep
    this  </pre>
<table><tr><th scope="col">A</th></tr><tr><td>1</td></tr></table>
<p><a href="/a b/?x=1&amp;y=2">link</a> <em>next</em> <button type="button">?</button></p>
</body>
</html>"#;

    #[test]
    fn minified_html_keeps_structure_entities_and_scripts() {
        let min = String::from_utf8(super::html(TRICKY)).unwrap();
        assert!(min.len() < TRICKY.len());
        assert_eq!(structure(TRICKY), structure(&min));
        for kept in [
            "<!doctype html>",
            "</li>",
            "</p>",
            "</td>",
            "</html>",
            "&lt;3",
            r#"document.write("</p>")"#,
            "if (a < b && c > d)",
            "<pre>  keep\n    this  </pre>",
            "</a> <em>next</em> <button",
        ] {
            assert!(min.contains(kept), "lost `{kept}` in {min}");
        }
        assert!(!min.contains("a comment"));
    }

    fn min(template: &str) -> String {
        super::template(template).unwrap_or_else(|| panic!("not minified: {template}"))
    }

    #[test]
    fn whitespace_beside_statements_goes_where_blocks_meet() {
        assert_eq!(
            min("<ul>\n{% for x in xs %}\n  <li>{{ x }}</li>\n{% endfor %}\n</ul>\n"),
            "<ul>{% for x in xs %}<li>{{ x }}</li>{% endfor %}</ul>"
        );
    }

    #[test]
    fn whitespace_beside_expressions_is_collapsed_not_removed() {
        assert_eq!(
            min("<div>\n<a href=\"/\">x</a>\n  {{ more }}\n</div>"),
            "<div><a href=/>x</a> {{ more }}</div>"
        );
        assert_eq!(
            min("<p>Hello,\n   {{ name }}\n</p>"),
            "<p>Hello, {{ name }}</p>"
        );
    }

    #[test]
    fn attribute_values_with_expressions_keep_their_quotes() {
        assert_eq!(
            min(r#"<a class="x" href="{{url}}" title="{{ a }} &amp; {{ b }}">t</a>"#),
            r#"<a href="{{url}}" title="{{ a }} & {{ b }}" class=x>t</a>"#
        );
    }

    #[test]
    fn scripts_and_preformatted_text_are_untouched() {
        let t = "<pre>  {{ a }}\n  b </pre><script type=\"application/ld+json\">{ \"a\":  {{ j }} }</script>";
        assert_eq!(
            min(t),
            t.replace("\"application/ld+json\"", "application/ld+json")
        );
    }

    #[test]
    fn templates_that_cannot_be_minified_safely_are_kept() {
        // A statement inside a start tag would be read as attribute names.
        assert_eq!(
            super::template(r#"<a href="/"{% if c %} aria-current="page"{% endif %}>x</a>"#),
            None
        );
        // So would an expression there.
        assert_eq!(super::template("<a {{ attributes }}>x</a>"), None);
        // An unclosed tag is left for tera to report.
        assert_eq!(super::template("<p>{{ x </p>"), None);
        // Text that looks like a placeholder.
        assert_eq!(super::template("<p>\u{E000}0 \u{E001}</p>"), None);
    }

    #[test]
    fn every_shipped_template_is_minified() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates");
        for entry in walkdir::WalkDir::new(dir) {
            let path = entry.unwrap().into_path();
            if path.extension().is_some_and(|e| e == "html") {
                let text = std::fs::read_to_string(&path).unwrap();
                let minified = super::template(&text);
                assert!(minified.is_some(), "{} is used as written", path.display());
                assert!(minified.unwrap().len() <= text.len());
            }
        }
    }
}
