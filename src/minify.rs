//! HTML minification, kept behind one function because minifiers have broken
//! other generators' output: closing tags, entities and scripts are left alone.

/// Minifies a whole HTML document conservatively: only whitespace and comments
/// go; every tag, attribute quote, entity, inline script and style is kept.
pub fn html(source: &str) -> Vec<u8> {
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
    let mut out = minify_html::minify(source.as_bytes(), &cfg);
    // minify-html allocates for the whole input; a site holds every page at once.
    out.shrink_to_fit();
    out
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
}
