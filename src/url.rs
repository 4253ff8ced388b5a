//! Paths and URLs: where a source file is published and how relative links join.
//!
//! Pure string functions, shared by `markdown` (rewriting links), `resolve`
//! (hints) and `render` (output paths), so a page's URL is defined once.

use crate::load::Section;

/// The URL of a Markdown source: `articles/x.md` → `/articles/x/`,
/// `pages/about.md` → `/about/`.
pub fn of_source(path: &str, base_path: &str) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    let stem = stem.strip_prefix("pages/").unwrap_or(stem);
    format!("{base_path}{stem}/")
}

/// The URL of a file under `static/`: `static/img/a.png` → `/img/a.png`.
pub fn of_static(path: &str, base_path: &str) -> String {
    format!(
        "{base_path}{}",
        path.strip_prefix("static/").unwrap_or(path)
    )
}

/// The output file of a Markdown source: `articles/x.md` → `articles/x/index.html`.
pub fn output_of_source(path: &str) -> String {
    let url = of_source(path, "");
    format!("{url}index.html")
}

/// The slug of a content file: its file name without `.md`.
pub fn slug(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name)
}

/// The slug of a topic, which names its page: `Bone health`, `bone-health`
/// and `bone health` are all `bone-health`. Letters and digits lower-cased;
/// every run of anything else becomes one hyphen, none at either end.
pub fn topic_slug(topic: &str) -> String {
    let mut slug = String::with_capacity(topic.len());
    for word in topic.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.extend(word.chars().flat_map(char::to_lowercase));
    }
    slug
}

/// Joins a relative link to the folder of `from`, normalising `.` and `..`.
/// Returns `None` when the path climbs above the site root.
pub fn join(from: &str, relative: &str) -> Option<String> {
    // Built in place: this runs for every link of the site.
    let mut path = String::with_capacity(from.len() + relative.len());
    path.push_str(from.rsplit_once('/').map_or("", |(folder, _)| folder));
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." if path.is_empty() => return None,
            ".." => path.truncate(path.rfind('/').unwrap_or(0)),
            part => {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(part);
            }
        }
    }
    Some(path)
}

/// The relative path from the folder of `from` to `to`, as an author writes it.
pub fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; from_dir.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

/// What a path written from the site root names (`about/` in `[a](/about/)`,
/// or the source path itself, `pages/about.md`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// A page's Markdown source, which may or may not exist:
    /// `articles/x/` → `articles/x.md`, `about/` → `pages/about.md`.
    Source(String),
    /// A file under `static/`: `img/a.png` → `static/img/a.png`.
    Static(String),
    /// A page osteon generates (home, glossary A–Z, topics, 404, sitemap,
    /// feed): there is no source to check it against.
    Generated,
}

/// Output folders and files that no source makes.
const GENERATED_FOLDERS: [&str; 2] = ["glossary", "topics"];
const GENERATED_FILES: [&str; 4] = ["404.html", "sitemap.xml", "robots.txt", "atom.xml"];

/// The source a root-absolute `path` (without its leading `/`, query and
/// fragment) is the address of: the inverse of [`of_source`] and
/// [`of_static`], so such a link is checked against the sources like a
/// relative one. A folder that is no page's address maps to a source that
/// cannot exist, and so is reported.
pub fn of_root(path: &str) -> Root {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    let folder = path.trim_end_matches('/');
    let last = folder.rsplit('/').next().unwrap_or(folder);
    if !path.ends_with('/') && last.contains('.') {
        return if GENERATED_FILES.contains(&folder) {
            Root::Generated
        } else if folder.ends_with(".md") {
            // The source path from the root, as code hosts follow it.
            Root::Source(folder.to_string())
        } else {
            Root::Static(format!("static/{folder}"))
        };
    }
    if folder.is_empty() || GENERATED_FOLDERS.contains(&folder) || folder.starts_with("topics/") {
        return Root::Generated;
    }
    match folder.split_once('/') {
        None => Root::Source(format!("pages/{folder}.md")),
        Some((_, _)) => Root::Source(format!("{folder}.md")),
    }
}

/// Whether a path is a publishable Markdown source (`articles/x.md`).
pub fn is_content(path: &str) -> bool {
    Section::of_path(path).is_some() && path.ends_with(".md") && path.matches('/').count() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_pretty() {
        assert_eq!(of_source("articles/x.md", "/"), "/articles/x/");
        assert_eq!(of_source("pages/about.md", "/sub/"), "/sub/about/");
        assert_eq!(
            output_of_source("glossary/t-score.md"),
            "glossary/t-score/index.html"
        );
        assert_eq!(of_static("static/a/b.pdf", "/"), "/a/b.pdf");
    }

    #[test]
    fn topic_spellings_share_a_slug() {
        for spelling in [
            "Bone health",
            "bone-health",
            "bone health",
            " Bone_Health! ",
        ] {
            assert_eq!(topic_slug(spelling), "bone-health", "{spelling}");
        }
        assert_eq!(topic_slug("Ménopause"), "ménopause");
        assert_eq!(topic_slug("?!"), "");
    }

    #[test]
    fn root_addresses_map_back_to_their_sources() {
        let source = |s: &str| Root::Source(s.to_string());
        assert_eq!(of_root("about/"), source("pages/about.md"));
        assert_eq!(of_root("about"), source("pages/about.md"));
        assert_eq!(of_root("articles/x/"), source("articles/x.md"));
        assert_eq!(of_root("glossary/t/index.html"), source("glossary/t.md"));
        assert_eq!(of_root("a/b/c/"), source("a/b/c.md"));
        assert_eq!(of_root("articles/x.md"), source("articles/x.md"));
        assert_eq!(
            of_root("img/a.png"),
            Root::Static("static/img/a.png".into())
        );
        for generated in [
            "",
            "index.html",
            "glossary/",
            "topics/",
            "topics/bones/",
            "404.html",
        ] {
            assert_eq!(of_root(generated), Root::Generated, "{generated}");
        }
        for source in ["pages/about.md", "articles/x.md", "glossary/t.md"] {
            let address = of_source(source, "/");
            assert_eq!(of_root(&address[1..]), Root::Source(source.into()));
        }
    }

    #[test]
    fn join_and_relative_are_inverse() {
        assert_eq!(
            join("articles/a.md", "../glossary/x.md").as_deref(),
            Some("glossary/x.md")
        );
        assert_eq!(join("articles/a.md", "../../x.md"), None);
        assert_eq!(
            join("articles/a.md", "./b.md").as_deref(),
            Some("articles/b.md")
        );
        assert_eq!(join("a.md", "x/../y/b.md").as_deref(), Some("y/b.md"));
        assert_eq!(join("a.md", "../b.md"), None);
        assert_eq!(
            relative("articles/a.md", "glossary/x.md"),
            "../glossary/x.md"
        );
        assert_eq!(relative("articles/a.md", "articles/b.md"), "b.md");
    }
}
