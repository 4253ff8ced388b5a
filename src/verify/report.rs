//! Problems become diagnostics: one per distinct problem, on the first page
//! that has it, with the page count and a hint ("did you mean", the template).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::TemplateFile;
use super::index::Index;
use super::scan::Scans;
use crate::diagnostic::{Code, Diagnostic, Severity, and_others, closest};

/// One problem on one page, before repeats across pages are collapsed.
pub(super) struct Problem {
    pub(super) code: Code,
    pub(super) severity: Severity,
    /// Without the page count, so the same problem on two pages compares equal.
    pub(super) message: String,
    pub(super) hint: Hint,
    /// What the page has as written (a link's address, an id), to find the
    /// template that writes it.
    pub(super) written: Option<String>,
}

/// What the hint is worked out from, once per collapsed problem.
pub(super) enum Hint {
    /// A missing URL: suggest the closest generated URL.
    Url(String),
    /// A missing id on output `page`: suggest the closest id there.
    Anchor {
        page: usize,
        id: String,
    },
    /// An idref on the same page.
    IdRef(String),
    /// A template's accessibility problem, with its advice.
    Template(String),
    Duplicate,
}

/// Where the links the source check did not see come from.
const ORIGIN: &str = "the content's links are checked on their own lines, so this one comes from \
                      the theme: a template or a shortcode";

/// One diagnostic per distinct problem, on the first page that has it,
/// counting the pages; `problems` are each page's, in path order.
pub(super) fn collapse<'a>(
    problems: Vec<(usize, Vec<Problem>)>,
    site: &Index,
    scans: &impl Scans<'a>,
    base_path: &str,
    template_file: TemplateFile,
) -> Vec<Diagnostic> {
    struct Seen {
        problem: Problem,
        page: usize,
        last_page: usize,
        pages: usize,
    }
    let mut seen: Vec<Seen> = Vec::new();
    let mut index: BTreeMap<(Code, String), usize> = BTreeMap::new();
    for (page, list) in problems {
        for problem in list {
            match index.entry((problem.code, problem.message.clone())) {
                Entry::Occupied(e) => {
                    let s = &mut seen[*e.get()];
                    if s.last_page != page {
                        s.last_page = page;
                        s.pages += 1;
                    }
                }
                Entry::Vacant(e) => {
                    e.insert(seen.len());
                    seen.push(Seen {
                        problem,
                        page,
                        last_page: page,
                        pages: 1,
                    });
                }
            }
        }
    }
    let urls: Vec<String> = if seen.iter().any(|s| matches!(s.problem.hint, Hint::Url(_))) {
        // `closest` does not depend on the order of its candidates.
        (0..site.paths.len())
            .filter(|&i| !site.path(i).is_empty())
            .map(|i| site.url(i, base_path))
            .collect()
    } else {
        Vec::new()
    };
    seen.into_iter()
        .map(|s| {
            let page = site.path(s.page);
            if let Hint::Template(advice) = &s.problem.hint {
                let pages = and_others(s.pages);
                let file = template_file.file(crate::render::template_of(page));
                let message = format!("{} (on {page}{pages})", s.problem.message);
                return Diagnostic {
                    severity: s.problem.severity,
                    ..Diagnostic::error(s.problem.code, &file, 0..0, message)
                }
                .with_hint(advice.clone());
            }
            // On the template line that writes it, or else the top of the
            // page's template: never line 1 of an output page, which no one
            // can edit.
            let written = s.problem.written.as_deref();
            let (file, span) = written
                .and_then(|w| {
                    template_file.writes(w).or_else(|| {
                        without_base(w, base_path).and_then(|w| template_file.writes(w))
                    })
                })
                .unwrap_or_else(|| (template_file.file(crate::render::template_of(page)), 0..0));
            let others = and_others(s.pages);
            // A shortcode's link: the call that put it on the page, too.
            let call = shortcode_name(&file)
                .and_then(|name| template_file.call(page, name))
                .map_or_else(String::new, |(source, line)| {
                    format!(", by the call on {source} line {line}")
                });
            let message = format!("{} (on {page}{others}{call})", s.problem.message);
            let origin = ORIGIN;
            let hint = match &s.problem.hint {
                Hint::Url(wanted) => match closest(wanted, urls.iter().map(String::as_str)) {
                    Some(best) => format!("{origin}; did you mean `{best}`?"),
                    None => origin.to_string(),
                },
                Hint::Anchor { page, id } => {
                    match closest(id, scans.of(*page).ids.iter().map(Cow::as_ref)) {
                        Some(best) => format!("{origin}; did you mean `#{best}`?"),
                        None => origin.to_string(),
                    }
                }
                Hint::IdRef(id) => {
                    let ids = &scans.of(s.page).ids;
                    match closest(id, ids.iter().map(Cow::as_ref)) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => "the element it names must be on the same page, with that id"
                            .to_string(),
                    }
                }
                Hint::Template(advice) => advice.clone(),
                Hint::Duplicate => "ids must be unique on a page, or links and labels reach only \
                                    the first; a template may write an id the content also uses"
                    .to_string(),
            };
            Diagnostic {
                severity: s.problem.severity,
                ..Diagnostic::error(s.problem.code, &file, span, message)
            }
            .with_hint(hint)
        })
        .collect()
}

/// `url` without the site's base path, as a template may write it after
/// `{{ base_path }}`: `/sub/about/` → `about/`.
fn without_base<'a>(url: &'a str, base_path: &str) -> Option<&'a str> {
    url.strip_prefix(base_path).filter(|rest| !rest.is_empty())
}

/// The shortcode a template file renders, if it is one:
/// `templates/shortcodes/chart.html` renders `chart`.
fn shortcode_name(file: &str) -> Option<&str> {
    let (_, name) = file.rsplit_once("/shortcodes/")?;
    name.strip_suffix(".html")
}
