//! Links and ids: each URL resolved against the output paths, each fragment
//! and id reference against the target page's ids, and ids used twice.

use super::access;
use super::index::Index;
use super::report::{Hint, Problem};
use super::scan::Scans;
use crate::diagnostic::{Code, Severity};
use crate::url;

/// `s` split at the first `c`, without it; short URLs are faster to search byte by byte.
fn split_at_byte(s: &str, c: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == c)?;
    Some((&s[..at], &s[at + 1..]))
}

/// The segments of a path, as `path.split('/')` gives them.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let path = rest?;
        let (segment, next) = match split_at_byte(path, b'/') {
            Some((segment, next)) => (segment, Some(next)),
            None => (path, None),
        };
        rest = next;
        Some(segment)
    })
}

/// Where a URL points, once resolved against the page it is on.
pub(super) enum Resolved<'u> {
    /// Another site or scheme, or nothing to check.
    Skip,
    Output {
        target: usize,
        fragment: Option<&'u str>,
    },
    /// `wanted` is the site URL it would have, for suggestions.
    Missing { wanted: String },
}

/// Resolves `url`, found on output `page`, to an output. `buf` is scratch space.
pub(super) fn resolve<'u>(
    url: &'u str,
    page: usize,
    site: &Index,
    base_path: &str,
    buf: &mut String,
) -> Resolved<'u> {
    let url = url.trim_ascii();
    if url::is_external(url) {
        return Resolved::Skip;
    }
    let (rest, fragment) = match split_at_byte(url, b'#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    let path = split_at_byte(rest, b'?').map_or(rest, |(path, _)| path);
    if path.is_empty() {
        return Resolved::Output {
            target: page,
            fragment,
        };
    }
    let path = url::percent_decode(path);
    buf.clear();
    let relative = if let Some(absolute) = path.strip_prefix('/') {
        let base = base_path.trim_start_matches('/');
        match absolute.strip_prefix(base) {
            Some(relative) => relative,
            None if format!("{absolute}/") == base => "",
            None => {
                return Resolved::Missing {
                    wanted: format!("{base_path}{absolute}"),
                };
            }
        }
    } else {
        let from = site.path(page);
        buf.push_str(from.rsplit_once('/').map_or("", |(folder, _)| folder));
        &path
    };
    let last = match relative.bytes().rposition(|b| b == b'/') {
        Some(slash) => &relative[slash + 1..],
        None => relative,
    };
    let folder = matches!(last, "" | "." | "..");
    for segment in segments(relative) {
        match segment {
            "" | "." => {}
            ".." => {
                if buf.is_empty() {
                    return Resolved::Missing {
                        wanted: format!("{base_path}{}", relative.trim_start_matches("../")),
                    };
                }
                buf.truncate(buf.rfind('/').unwrap_or(0));
            }
            segment => {
                if !buf.is_empty() {
                    buf.push('/');
                }
                buf.push_str(segment);
            }
        }
    }
    let target = if folder {
        site.folder(buf)
    } else {
        site.file(buf).or_else(|| site.folder(buf))
    };
    match target {
        Some(target) => Resolved::Output { target, fragment },
        None => {
            let slash = if folder && !buf.is_empty() { "/" } else { "" };
            Resolved::Missing {
                wanted: format!("{base_path}{buf}{slash}"),
            }
        }
    }
}

pub(super) fn check_page<'a>(
    page: usize,
    site: &Index,
    scans: &impl Scans<'a>,
    base_path: &str,
) -> Vec<Problem> {
    let scan = scans.of(page);
    let mut problems = Vec::new();
    let mut buf = String::new();
    for url in &scan.urls {
        match resolve(url, page, site, base_path, &mut buf) {
            Resolved::Skip => {}
            Resolved::Missing { wanted } => problems.push(Problem {
                severity: Severity::Error,
                code: Code::BrokenLink,
                message: format!(
                    "the generated page links to `{url}`, which the site does not have"
                ),
                hint: Hint::Url(wanted),
                written: Some(url.to_string()),
            }),
            Resolved::Output { target, fragment } => {
                let Some(fragment) = fragment.filter(|f| !f.is_empty() && !f.starts_with(":~:"))
                else {
                    continue;
                };
                // Only HTML has ids; a fragment on a PDF (`#page=2`) means something else.
                let to = scans.of(target);
                let fragment = url::percent_decode(fragment);
                if !to.html || to.ids.contains(fragment.as_ref()) {
                    continue;
                }
                let message = if target == page {
                    format!(
                        "the generated page links to `{url}`, but this page has no id `{fragment}`"
                    )
                } else {
                    format!(
                        "the generated page links to `{url}`, but `{}` has no id `{fragment}`",
                        site.path(target)
                    )
                };
                problems.push(Problem {
                    severity: Severity::Error,
                    code: Code::BrokenAnchor,
                    message,
                    hint: Hint::Anchor {
                        page: target,
                        id: fragment.into_owned(),
                    },
                    written: Some(url.to_string()),
                });
            }
        }
    }
    for (attr, value) in &scan.idrefs {
        for id in value.split_ascii_whitespace() {
            if !scan.ids.contains(id) {
                problems.push(Problem {
                    severity: Severity::Error,
                    code: Code::BrokenAnchor,
                    message: format!("`{attr}` refers to `#{id}`, which is not on this page"),
                    hint: Hint::IdRef(id.to_string()),
                    written: None,
                });
            }
        }
    }
    access::problems(&scan.audit, scan.html, &mut problems);
    for id in &scan.duplicates {
        problems.push(Problem {
            severity: Severity::Error,
            code: Code::DuplicateId,
            message: format!("the id `{id}` is used more than once on the generated page"),
            hint: Hint::Duplicate,
            written: Some(format!("id=\"{id}\"")),
        });
    }
    problems
}
