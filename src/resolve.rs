//! The only stage that looks across files: which pages are published, whether
//! every link and `#anchor` lands, and which pages link to each page.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::load::Section;
use crate::markdown::{Link, Target};
use crate::parse::{Page, Parsed};
use crate::url;

/// The site as it will be published.
#[derive(Clone, Debug)]
pub struct Site {
    pub parsed: Parsed,
    /// For each page (by index into `parsed.pages`), the pages linking to it,
    /// sorted by title.
    pub backlinks: Vec<Vec<usize>>,
    /// For each page, the pages it links to, in order of first link.
    pub outlinks: Vec<Vec<usize>>,
    index: HashMap<String, usize>,
}

impl Site {
    pub fn page(&self, path: &str) -> Option<&Page> {
        self.index.get(path).map(|&i| &*self.parsed.pages[i])
    }

    /// The index of a page in `pages()`.
    pub fn position(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }

    pub fn pages(&self) -> &[Arc<Page>] {
        &self.parsed.pages
    }
}

/// Everything `resolve` needs besides the parsed pages.
pub struct Inputs<'a> {
    /// Paths of every Markdown source that exists, parsed or not.
    pub sources: &'a [String],
    /// Output paths of the static files (`img/a.png`).
    pub assets: &'a HashSet<String>,
    pub drafts: bool,
}

pub fn resolve(mut parsed: Parsed, inputs: &Inputs) -> (Site, Vec<Diagnostic>) {
    let drafts: HashSet<String> = parsed
        .pages
        .iter()
        .filter(|p| p.meta.draft() && !inputs.drafts)
        .map(|p| p.path.clone())
        .collect();
    parsed.pages.retain(|p| !drafts.contains(&p.path));
    parsed.pages.sort_by(|a, b| a.path.cmp(&b.path));
    let index: HashMap<String, usize> = parsed
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.clone(), i))
        .collect();
    let known = Known {
        index: &index,
        pages: &parsed.pages,
        sources: inputs.sources,
        lower: inputs
            .sources
            .iter()
            .map(|s| (s.to_lowercase(), s.as_str()))
            .collect(),
        drafts: &drafts,
        assets: inputs.assets,
    };
    let checked: Vec<(Vec<usize>, Vec<Diagnostic>)> = parsed
        .pages
        .par_iter()
        .map(|page| check_links(page, &known))
        .collect();
    let mut diagnostics = Vec::new();
    let mut outlinks = Vec::with_capacity(checked.len());
    for (targets, mut problems) in checked {
        outlinks.push(targets);
        diagnostics.append(&mut problems);
    }
    let mut backlinks = vec![Vec::new(); parsed.pages.len()];
    for (from, targets) in outlinks.iter().enumerate() {
        for &to in targets {
            if to != from {
                backlinks[to].push(from);
            }
        }
    }
    for list in &mut backlinks {
        list.sort_by(|&a, &b| {
            let (a, b) = (&parsed.pages[a], &parsed.pages[b]);
            (a.section, a.meta.title(), &a.path).cmp(&(b.section, b.meta.title(), &b.path))
        });
        list.dedup();
    }
    let site = Site {
        parsed,
        backlinks,
        outlinks,
        index,
    };
    (site, diagnostics)
}

struct Known<'a> {
    index: &'a HashMap<String, usize>,
    pages: &'a [Arc<Page>],
    sources: &'a [String],
    lower: HashMap<String, &'a str>,
    drafts: &'a HashSet<String>,
    assets: &'a HashSet<String>,
}

/// Checks one page's links; returns the pages it links to and the problems.
fn check_links(page: &Page, known: &Known) -> (Vec<usize>, Vec<Diagnostic>) {
    let mut targets = Vec::new();
    let mut problems = Vec::new();
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
                    if !targets.contains(&i) {
                        targets.push(i);
                    }
                    if let Some(fragment) = fragment
                        && let Some(d) = check_anchor(page, &known.pages[i], fragment, link)
                    {
                        problems.push(d);
                    }
                }
                None => problems.extend(missing_page(page, link, path, known)),
            },
            Target::Static(path) => {
                let output = path.strip_prefix("static/").unwrap_or(path);
                if !known.assets.contains(output) {
                    problems.push(
                        broken(page, link, format!("`{}` does not exist", link.dest)).with_hint(
                            "files linked from Markdown must be under the site's static/ folder",
                        ),
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
    (targets, problems)
}

fn broken(page: &Page, link: &Link, message: String) -> Diagnostic {
    Diagnostic::error(Code::BrokenLink, &page.path, link.span.clone(), message)
}

/// The diagnostic for a link to a Markdown file that is not published, or
/// `None` when the file exists but failed to parse (that error is reported).
fn missing_page(page: &Page, link: &Link, path: &str, known: &Known) -> Option<Diagnostic> {
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
    if known.sources.iter().any(|s| s == path) {
        return None;
    }
    if !path.ends_with(".md") || !url::is_content(path) {
        let hint = if path.ends_with(".md") {
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
    if let Some(exact) = known.lower.get(&path.to_lowercase()) {
        return Some(
            broken(page, link, format!("{message} (the letter case differs)")).with_hint(format!(
                "web servers treat letter case as different; write `{}`",
                url::relative(&page.path, exact)
            )),
        );
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if let Some(elsewhere) = known
        .sources
        .iter()
        .find(|s| s.rsplit('/').next() == Some(name))
    {
        return Some(broken(page, link, message).with_hint(format!(
            "`{elsewhere}` exists; from `{}` the path is `{}`",
            page.path,
            url::relative(&page.path, elsewhere)
        )));
    }
    let candidates: Vec<String> = known
        .sources
        .iter()
        .map(|s| url::relative(&page.path, s))
        .collect();
    let wanted = url::relative(&page.path, path);
    let d = broken(page, link, message);
    Some(
        match closest(&wanted, candidates.iter().map(String::as_str)) {
            Some(best) => d.with_hint(format!("did you mean `{best}`?")),
            None => d,
        },
    )
}

fn check_anchor(from: &Page, to: &Page, fragment: &str, link: &Link) -> Option<Diagnostic> {
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

/// Whether a page belongs in the glossary index.
pub fn is_term(page: &Page) -> bool {
    page.section == Section::Glossary
}
