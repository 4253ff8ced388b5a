//! Template errors as diagnostics on the template's file and line (reported
//! once however many pages they broke, by `problems`).

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
