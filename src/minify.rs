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
    minify_html::minify(source.as_bytes(), &cfg)
}
