//! The error overlay `serve` adds to every HTML page while the site has errors.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, SourceMap};

/// `page` with `extra` inserted before its last `</body>` (at the end if it has none).
pub(super) fn inject(page: &[u8], extra: &str) -> Vec<u8> {
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + extra.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const OVERLAY_STYLE: &str = "#osteon-overlay{position:fixed;top:1rem;left:1rem;right:1rem;z-index:2147483647;\
max-width:60rem;max-height:calc(100vh - 2rem);margin:0 auto;overflow:auto;box-sizing:border-box;\
padding:1rem 1.5rem;background:#fff;color:#1b1b1b;border:4px solid #b00020;border-radius:6px;\
box-shadow:0 4px 24px rgba(0,0,0,.4);font:16px/1.5 system-ui,sans-serif;text-align:left}\
#osteon-overlay:focus{outline:3px solid #1d4ed8;outline-offset:2px}\
#osteon-overlay h2{margin:0 0 .5rem;font-size:1.25rem;color:#8a0016}\
#osteon-overlay p{margin:.25rem 0}\
#osteon-overlay ol{margin:.5rem 0;padding-left:1.5rem}\
#osteon-overlay li{margin:.75rem 0}\
#osteon-overlay code,#osteon-overlay pre{font:14px/1.4 ui-monospace,monospace;background:#f0f0f0;color:#1b1b1b}\
#osteon-overlay pre{margin:.25rem 0;padding:.5rem;white-space:pre-wrap}\
#osteon-overlay button{float:right;font:inherit;padding:.25rem 1rem;border:2px solid #1b1b1b;\
border-radius:4px;background:#fff;color:#1b1b1b;cursor:pointer}\
#osteon-overlay button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}";

/// The error overlay: a labelled alert dialog listing every error with its file,
/// line, column, message, hint and source line. Empty when there are no errors.
pub fn overlay(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        return String::new();
    }
    let count = match errors.len() {
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    };
    let mut out = format!(
        "<div id=\"osteon-overlay\" role=\"alertdialog\" aria-labelledby=\"osteon-overlay-title\" \
         aria-describedby=\"osteon-overlay-note\" tabindex=\"-1\"><style>{OVERLAY_STYLE}</style>\
         <button type=\"button\">Close</button>\
         <h2 id=\"osteon-overlay-title\">The site has {count}</h2>\
         <p id=\"osteon-overlay-note\">You are seeing the last version of this page that built without errors. \
         Fix the problems below and save: open pages reload by themselves.</p><ol>"
    );
    for d in errors {
        let (line, column) = sources.line_col(&d.file, d.span.start);
        let _ = write!(
            out,
            "<li><p><code>{}:{line}:{column}</code> error[{}]</p><p>{}</p>",
            escape(&d.file),
            d.code.as_str(),
            escape(&d.message)
        );
        let text = sources.text(&d.file);
        if let Some(source) = text.lines().nth(line - 1).filter(|l| !l.trim().is_empty()) {
            let _ = write!(out, "<pre>{line} | {}</pre>", escape(source));
        }
        if let Some(hint) = &d.hint {
            let _ = write!(out, "<p>Hint: {}</p>", escape(hint));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol></div>");
    out
}
