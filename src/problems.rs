//! The problems of a site, each kept under the origin that found it, so that
//! `serve` replaces exactly the problems an edit can change and `build`
//! reports the same list from the same stage functions.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::url::{self, OutputPath, SourcePath};

/// What found a problem; an edit clears the origins it can change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// Loading the site, `site.toml` or the data files: only loading
    /// everything again changes these.
    Site,
    /// Loading the theme's templates (a full load too).
    Theme,
    /// One Markdown source, read and parsed on its own.
    Source(SourcePath),
    /// The publishing checks of one source (review dates, reading level,
    /// placeholders).
    Publishing(SourcePath),
    /// The checks across files (links, anchors, claimed terms and
    /// addresses), which `resolve::Resolver` keeps current itself.
    Links,
    /// Rendering one output: its template and the holes of its body.
    Output(OutputPath),
}

impl Origin {
    /// The origin of a problem found while loading or parsing: its Markdown
    /// file, or the site for anything else.
    pub fn of_source(d: &Diagnostic) -> Origin {
        if url::is_content(&d.file) {
            Origin::Source(SourcePath::from(d.file.as_str()))
        } else {
            Origin::Site
        }
    }
}

/// What one stage found, origin by origin. An origin listed with no problems
/// was looked at and is clean: [`Problems::replace`] clears what it had.
pub type Found = Vec<(Origin, Vec<Diagnostic>)>;

/// Every problem of a site by origin.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    by_origin: BTreeMap<Origin, Vec<Diagnostic>>,
}

impl Problems {
    /// Problems found while loading or parsing, each filed by [`Origin::of_source`].
    pub fn from_sources(diagnostics: Vec<Diagnostic>) -> Problems {
        let mut problems = Problems::default();
        for d in diagnostics {
            problems.add(Origin::of_source(&d), d);
        }
        problems
    }

    pub fn add(&mut self, origin: Origin, d: Diagnostic) {
        self.by_origin.entry(origin).or_default().push(d);
    }

    pub fn extend(&mut self, origin: Origin, ds: impl IntoIterator<Item = Diagnostic>) {
        for d in ds {
            self.add(origin.clone(), d);
        }
    }

    /// What `found` looked at replaces what those origins had.
    pub fn replace(&mut self, found: Found) {
        for (origin, ds) in found {
            self.set(origin, ds);
        }
    }

    /// Takes in `other`'s problems, keeping what this had of other origins.
    pub fn merge(&mut self, other: Problems) {
        for (origin, mut ds) in other.by_origin {
            self.by_origin.entry(origin).or_default().append(&mut ds);
        }
    }

    pub fn set(&mut self, origin: Origin, ds: Vec<Diagnostic>) {
        if ds.is_empty() {
            self.by_origin.remove(&origin);
        } else {
            self.by_origin.insert(origin, ds);
        }
    }

    pub fn remove(&mut self, origin: &Origin) {
        self.by_origin.remove(origin);
    }

    /// Keeps only the origins `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&Origin) -> bool) {
        self.by_origin.retain(|origin, _| keep(origin));
    }

    /// Every problem as it is reported: a template error that broke several
    /// outputs is one diagnostic naming the first of them and how many.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut templates = TemplateErrors::default();
        for (origin, ds) in &self.by_origin {
            for d in ds {
                match origin {
                    Origin::Output(page) if d.code == Code::Template => templates.add(d, page),
                    _ => out.push(d.clone()),
                }
            }
        }
        out.extend(templates.finish());
        out
    }
}

/// One diagnostic per template error, naming how many outputs it broke.
#[derive(Default)]
struct TemplateErrors<'a> {
    seen: BTreeMap<(&'a str, usize, &'a str), (&'a Diagnostic, Vec<&'a str>)>,
}

impl<'a> TemplateErrors<'a> {
    fn add(&mut self, d: &'a Diagnostic, page: &'a OutputPath) {
        let key = (d.file.as_str(), d.span.start, d.message.as_str());
        self.seen
            .entry(key)
            .or_insert_with(|| (d, Vec::new()))
            .1
            .push(page.as_str());
    }

    fn finish(self) -> impl Iterator<Item = Diagnostic> + 'a {
        self.seen.into_values().map(|(d, mut pages)| {
            pages.sort_unstable();
            let more = crate::diagnostic::and_others(pages.len());
            let mut d = d.clone();
            d.message = format!("{} (while rendering {}{more})", d.message, pages[0]);
            d
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template_error(message: &str) -> Diagnostic {
        Diagnostic::error(Code::Template, "templates/a.html", 3..4, message)
    }

    fn output(path: &str) -> Origin {
        Origin::Output(OutputPath::from(path))
    }

    #[test]
    fn a_template_error_of_many_outputs_is_reported_once_with_a_count() {
        let mut problems = Problems::default();
        problems.add(output("b/index.html"), template_error("no field"));
        problems.add(output("a/index.html"), template_error("no field"));
        let ds = problems.diagnostics();
        assert_eq!(ds.len(), 1);
        assert_eq!(
            ds[0].message,
            "no field (while rendering a/index.html and 1 other page)"
        );
    }

    #[test]
    fn an_origin_found_clean_loses_its_problems_and_others_keep_theirs() {
        let mut problems = Problems::default();
        problems.add(output("a/index.html"), template_error("no field"));
        problems.add(output("b/index.html"), template_error("no field"));
        problems.replace(vec![(output("a/index.html"), Vec::new())]);
        let ds = problems.diagnostics();
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].message, "no field (while rendering b/index.html)");
    }

    #[test]
    fn loading_problems_are_filed_by_their_file() {
        let read = Diagnostic::error(Code::Read, "articles/a.md", 0..0, "not UTF-8");
        let config = Diagnostic::error(Code::Config, "site.toml", 0..0, "bad");
        let problems = Problems::from_sources(vec![read, config]);
        let origins: Vec<&Origin> = problems.by_origin.keys().collect();
        assert_eq!(
            origins,
            [
                &Origin::Site,
                &Origin::Source(SourcePath::from("articles/a.md"))
            ]
        );
    }
}
