//! Link and anchor checks, one page at a time against what the site has,
//! with hints: the closest page or file, a glossary word that names an entry,
//! the same name in another section, the headings a page has.

use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::Files;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::glossary;
use crate::parse::markdown::{Link, Target};
use crate::parse::{Meta, Page};
use crate::url;

pub(super) struct Known<'a> {
    pub(super) index: &'a FxHashMap<String, usize>,
    pub(super) pages: &'a [Arc<Page>],
    pub(super) files: &'a Files,
    pub(super) drafts: &'a HashSet<String>,
}

/// What checking one page's links found.
pub(super) struct Checked {
    /// The pages it links to, in order of first link.
    pub(super) targets: Vec<usize>,
    pub(super) problems: Vec<Diagnostic>,
    /// The Markdown paths it links to that are not published pages.
    pub(super) dangling: Vec<String>,
}

/// Checks one page's links.
pub(super) fn check_links(page: &Page, known: &Known) -> Checked {
    let mut checked = Checked {
        targets: Vec::new(),
        problems: Vec::new(),
        dangling: Vec::new(),
    };
    let problems = &mut checked.problems;
    for link in &page.body.links {
        match &link.target {
            Target::External | Target::Absolute => {}
            Target::SamePage(fragment) => {
                if let Some(d) = check_anchor(page, page, fragment, link) {
                    problems.push(d);
                }
            }
            Target::Source { path, fragment } => match known.index.get(path) {
                Some(&i) => {
                    if !checked.targets.contains(&i) {
                        checked.targets.push(i);
                    }
                    if let Some(fragment) = fragment
                        && let Some(d) = check_anchor(page, &known.pages[i], fragment, link)
                    {
                        problems.push(d);
                    }
                }
                None => {
                    if !checked.dangling.contains(path) {
                        checked.dangling.push(path.clone());
                    }
                    problems.extend(missing_page(page, link, path, known));
                }
            },
            Target::Static(path) => {
                let output = path.strip_prefix("static/").unwrap_or(path);
                if !known.files.assets.contains_key(output) {
                    problems.push(
                        broken(page, link, format!("`{}` does not exist", link.dest))
                            .with_hint(static_hint(page, link, output, known)),
                    );
                }
            }
            Target::Invalid(reason) => {
                problems.push(broken(
                    page,
                    link,
                    format!("`{}` cannot be linked: {reason}", link.dest),
                ));
            }
        }
    }
    checked
}

pub(super) fn broken(page: &Page, link: &Link, message: String) -> Diagnostic {
    Diagnostic::error(Code::BrokenLink, &page.path, link.span.clone(), message)
}

/// The diagnostic for a link to a Markdown file that is not published, or
/// `None` when the file exists but failed to parse (that error is reported).
pub(super) fn missing_page(
    page: &Page,
    link: &Link,
    path: &str,
    known: &Known,
) -> Option<Diagnostic> {
    let what = if link.image { "image" } else { "link" };
    if known.drafts.contains(path) {
        return Some(
            broken(
                page,
                link,
                format!("this {what} points to `{path}`, which is a draft"),
            )
            .with_hint("drafts are not published; link to it once `draft = true` is removed"),
        );
    }
    if known.files.exists(path) {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if !path.ends_with(".md") || !url::is_content(path) {
        let hint = if let Some(hint) = path
            .ends_with(".md")
            .then(|| elsewhere(page, link, name, known))
            .flatten()
        {
            hint
        } else if path.ends_with(".md") {
            "link to Markdown files in articles/, glossary/ or pages/".to_string()
        } else {
            "link to a Markdown source (`x.md`) or a file under static/".to_string()
        };
        return Some(
            broken(
                page,
                link,
                format!("`{}` is not a page of the site", link.dest),
            )
            .with_hint(hint),
        );
    }
    let message = format!(
        "this {what} points to `{}`, which does not exist",
        link.dest
    );
    if let Some(exact) = known.files.lower.get(&path.to_lowercase()) {
        return Some(
            broken(page, link, format!("{message} (the letter case differs)")).with_hint(format!(
                "web servers treat letter case as different; write `{}`",
                written(page, link, exact)
            )),
        );
    }
    if let Some(hint) = glossary_word(page, link, path, known) {
        return Some(broken(page, link, message).with_hint(hint));
    }
    if let Some(hint) = elsewhere(page, link, name, known) {
        return Some(broken(page, link, message).with_hint(hint));
    }
    let d = broken(page, link, message);
    Some(match closest_source(page, link, path, known) {
        Some(best) => d.with_hint(format!("did you mean `{}`?", written(page, link, best))),
        None => d,
    })
}

/// The hint for a link to a static file that does not exist: the closest
/// one, written as the link writes paths.
pub(super) fn static_hint(page: &Page, link: &Link, output: &str, known: &Known) -> String {
    match closest(output, known.files.assets.keys().map(String::as_str)) {
        Some(best) if link.dest.starts_with('/') => format!("did you mean `/{best}`?"),
        Some(best) => format!(
            "did you mean `{}`?",
            url::relative(&page.path, &format!("static/{best}"))
        ),
        None => "files linked from Markdown must be under the site's static/ folder".to_string(),
    }
}

/// `target`, a source path, as `link` would write it: relative to `page`, or
/// as its address from the site root when the link is written that way.
pub(super) fn written(page: &Page, link: &Link, target: &str) -> String {
    if link.dest.starts_with('/') {
        url::of_source(target, "/")
    } else {
        url::relative(&page.path, target)
    }
}

/// The glossary words (terms and aliases) of the site, with their entries.
pub(super) fn glossary_words<'a>(known: &'a Known) -> impl Iterator<Item = (&'a str, &'a Page)> {
    known.pages.iter().flat_map(|p| match &p.meta {
        Meta::Glossary(m) => std::iter::once(&m.term)
            .chain(&m.aliases)
            .map(|w| (w.as_str(), &**p))
            .collect(),
        _ => Vec::new(),
    })
}

/// For a missing `glossary/NAME.md`: the entry whose term or alias makes
/// that file name (`hrt.md` → the entry that lists `HRT`).
pub(super) fn glossary_word(page: &Page, link: &Link, path: &str, known: &Known) -> Option<String> {
    let slug = path.strip_prefix("glossary/")?.strip_suffix(".md")?;
    let (word, entry) = glossary_words(known).find(|(w, _)| glossary::slug_of(w) == slug)?;
    let to = written(page, link, &entry.path);
    let term = entry.meta.title();
    Some(if word == term {
        format!("did you mean `{to}`, the entry for {term}?")
    } else {
        format!("did you mean `{to}`? `{word}` is another name for {term}")
    })
}

/// The source closest to the missing `path`, as written from `page`; for a
/// glossary link, a near miss of a glossary word counts as its entry.
pub(super) fn closest_source<'a>(
    page: &Page,
    link: &Link,
    path: &str,
    known: &'a Known,
) -> Option<&'a str> {
    let mut candidates: Vec<(String, &str)> = known
        .files
        .sources
        .iter()
        .map(|s| (written(page, link, s), s.as_str()))
        .collect();
    if path.starts_with("glossary/") {
        candidates.extend(glossary_words(known).map(|(word, entry)| {
            let as_file = format!("glossary/{}.md", glossary::slug_of(word));
            (written(page, link, &as_file), entry.path.as_str())
        }));
    }
    let wanted = written(page, link, path);
    let best = closest(&wanted, candidates.iter().map(|(c, _)| c.as_str()))?;
    candidates
        .iter()
        .find(|(c, _)| c == best)
        .map(|&(_, source)| source)
}

/// The hint for a link whose file, `name`, exists in another folder: the
/// path to it from `page` (`glossary/x.md` from `articles/` is `../glossary/x.md`),
/// or its address for a link written from the site root.
pub(super) fn elsewhere(page: &Page, link: &Link, name: &str, known: &Known) -> Option<String> {
    let found = known
        .files
        .sources
        .iter()
        .find(|s| s.rsplit('/').next() == Some(name))?;
    let to = written(page, link, found);
    Some(if link.dest.starts_with('/') {
        format!("`{found}` exists; its address from the site root is `{to}`")
    } else {
        format!("`{found}` exists; from `{}` the path is `{to}`", page.path)
    })
}

pub(super) fn check_anchor(
    from: &Page,
    to: &Page,
    fragment: &str,
    link: &Link,
) -> Option<Diagnostic> {
    if to.body.ids.iter().any(|id| id == fragment) {
        return None;
    }
    let place = if std::ptr::eq(from, to) {
        "this page".to_string()
    } else {
        format!("`{}`", to.path)
    };
    let d = Diagnostic::error(
        Code::BrokenAnchor,
        &from.path,
        link.span.clone(),
        format!("{place} has no heading or id `#{fragment}`"),
    );
    let hint = match closest(fragment, to.body.ids.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `#{best}`?"),
        None if to.body.headings.is_empty() => format!("{place} has no headings to link to"),
        None => format!(
            "the headings there are {}",
            to.body
                .headings
                .iter()
                .take(8)
                .map(|h| format!("`#{}`", h.id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(d.with_hint(hint))
}
