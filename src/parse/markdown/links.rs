//! Links: each one classified (`classify`) and rewritten to its URL with
//! the site's base path, and glossary links followed by their term's note.

use std::ops::Range;

use pulldown_cmark::{CowStr, LinkType};

use super::{Link, State, Target};
use crate::url;

/// A link or image being read, to check its text when it closes.
pub(super) struct OpenLink {
    pub(super) text: String,
    pub(super) span: Range<usize>,
    pub(super) has_image: bool,
}

impl<'a> State<'a, '_> {
    /// The index of the link just closed, if it points at a glossary entry.
    pub(super) fn open_glossary_link(&self) -> Option<usize> {
        let i = self.body.links.iter().rposition(|l| !l.image)?;
        match &self.body.links[i].target {
            Target::Source { path, .. } if path.starts_with("glossary/") => Some(i),
            _ => None,
        }
    }

    pub(super) fn link(
        &mut self,
        dest: &str,
        span: Range<usize>,
        image: bool,
        link_type: LinkType,
    ) -> CowStr<'a> {
        let target = if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            Target::External
        } else {
            classify(dest, self.cx.file)
        };
        let href = match &target {
            _ if !self.cx.output.html => String::new(),
            Target::Source { path, fragment } => {
                let mut href = url::of_source(path, self.cx.base_path);
                if let Some(f) = fragment {
                    href.push('#');
                    href.push_str(f);
                }
                href
            }
            Target::Static(path) => url::of_static(path, self.cx.base_path),
            Target::Absolute => format!("{}{}", self.cx.base_path, &dest[1..]),
            _ => dest.to_string(),
        };
        self.body.links.push(Link {
            dest: dest.to_string(),
            span,
            image,
            target,
        });
        href.into()
    }

    /// Keeps a link's text buffer for the next link: a page has many.
    pub(super) fn recycle(&mut self, mut text: String) {
        text.clear();
        self.spare.push(text);
    }
}

/// Works out where `dest`, written in `file`, points.
pub fn classify(dest: &str, file: &str) -> Target {
    if dest.is_empty() {
        return Target::Invalid("the link has no target".to_string());
    }
    if let Some(fragment) = dest.strip_prefix('#') {
        return Target::SamePage(fragment.to_string());
    }
    if url::is_external(dest) {
        return Target::External;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    // Decoded as `verify` decodes the output's links: `my%2Dpage.md` is `my-page.md`.
    let path = url::percent_decode(path);
    if let Some(rooted) = path.strip_prefix('/') {
        // Written from the site root: checked against the sources too.
        return match url::of_root(rooted) {
            url::Root::Source(path) => Target::Source { path, fragment },
            url::Root::Static(path) => Target::Static(path),
            url::Root::Generated => Target::Absolute,
        };
    }
    let Some(path) = url::join(file, &path) else {
        return Target::Invalid("the path goes above the site folder".to_string());
    };
    if path.starts_with("static/") {
        Target::Static(path)
    } else {
        Target::Source { path, fragment }
    }
}
