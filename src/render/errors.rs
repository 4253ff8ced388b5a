//! Template errors as diagnostics on the template's file and line, one per
//! error however many pages it broke.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Sources;

/// The message of the deepest error, without tera's own source excerpt.
pub(super) fn innermost_message(e: &tera::Error) -> String {
    let mut message = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            r.message().to_string()
        }
        kind => kind.to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message = s.to_string();
        source = s.source();
    }
    message
}

/// A tera error as a `template` diagnostic on the template's file and line.
pub(super) fn template_diagnostic(e: &tera::Error, sources: &Sources) -> Diagnostic {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let file = sources.template_file(r.filename());
            Diagnostic::error(
                Code::Template,
                &file,
                r.span().range.clone(),
                innermost_message(e),
            )
        }
        // On the template that names it, where it can be fixed.
        tera::ErrorKind::MissingParent { current, parent } => Diagnostic::error(
            Code::Template,
            &sources.template_file(current),
            0..0,
            format!("the template `{parent}` that this template extends does not exist"),
        ),
        tera::ErrorKind::TemplateNotFound(name) => Diagnostic::error(
            Code::Template,
            &sources.template_dir,
            0..0,
            format!("the template `{name}` does not exist"),
        ),
        kind => Diagnostic::error(
            Code::Template,
            &sources.template_dir,
            0..0,
            kind.to_string(),
        ),
    }
}

/// One diagnostic per template error, naming how many pages it broke.
#[derive(Default)]
pub(super) struct TemplateErrors {
    seen: HashMap<(String, usize, String), (Diagnostic, Vec<String>)>,
}

impl TemplateErrors {
    pub(super) fn add(&mut self, d: Diagnostic, page: &str) {
        let key = (d.file.clone(), d.span.start, d.message.clone());
        self.seen
            .entry(key)
            .or_insert_with(|| (d, Vec::new()))
            .1
            .push(page.to_string());
    }

    pub(super) fn finish(self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .seen
            .into_values()
            .map(|(mut d, mut pages)| {
                pages.sort();
                let more = if pages.len() > 1 {
                    format!(" and {} other pages", pages.len() - 1)
                } else {
                    String::new()
                };
                d.message = format!("{} (while rendering {}{more})", d.message, pages[0]);
                d
            })
            .collect();
        out.sort_by(|a, b| (&a.file, a.span.start).cmp(&(&b.file, b.span.start)));
        out
    }
}
