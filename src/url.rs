//! Paths and URLs: where a source file is published and how relative links join.
//!
//! Pure string functions, shared by `markdown` (rewriting links), `resolve`
//! (hints), `render` (output paths), `verify` (the output's links) and `serve`
//! (request paths), so a page's URL is defined once, and so are the rules
//! for slugs, URL schemes and percent escapes.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::load::Section;

/// A source file's path from the site root (`articles/x.md`), as stages hand
/// it to each other; a plain `String` could be an output path or a URL.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourcePath(String);

/// An output file's path inside the output folder (`articles/x/index.html`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutputPath(String);

macro_rules! path_type {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(path: &str) -> Self {
                $name(path.to_string())
            }
        }

        impl From<String> for $name {
            fn from(path: String) -> Self {
                $name(path)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

path_type!(SourcePath);
path_type!(OutputPath);

impl SourcePath {
    /// Where this Markdown source is published.
    pub fn output(&self) -> OutputPath {
        OutputPath(output_of_source(&self.0))
    }
}

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

/// What a slug may hold, as messages say it.
pub const SLUG_RULE: &str = "lower-case letters, digits and hyphens";

/// Whether `slug` follows [`SLUG_RULE`] and is not empty.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// A valid slug close to `slug`, to suggest: `Bone Density` → `bone-density`.
pub fn suggest_slug(slug: &str) -> String {
    let s: String = slug
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.trim_matches('-').to_string()
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

/// The files osteon makes itself at fixed addresses, with what each is for
/// people (a topic's page is made too, at `topics/SLUG/index.html`).
pub const GENERATED: [(&str, &str); 8] = [
    ("index.html", "the home page"),
    ("glossary/index.html", "the glossary A to Z"),
    ("topics/index.html", "the list of topics"),
    ("404.html", "the page for addresses that do not exist"),
    (crate::search::PAGE, "the search page"),
    (MACHINE_FILES[0], "the sitemap"),
    (MACHINE_FILES[1], "robots.txt"),
    (MACHINE_FILES[2], "the Atom feed"),
];

/// The generated files written for machines, not readers.
pub const MACHINE_FILES: [&str; 3] = ["sitemap.xml", "robots.txt", "atom.xml"];

/// Whether osteon makes the file `path` (`404.html`).
fn is_generated_file(path: &str) -> bool {
    GENERATED.iter().any(|&(file, _)| file == path)
}

/// Whether osteon makes the index page of the folder `path` (the root,
/// `glossary`, `topics`, `topics/bones`).
fn is_generated_folder(path: &str) -> bool {
    let index = format!("{path}/index.html");
    path.is_empty() || path.starts_with("topics/") || is_generated_file(&index)
}

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
        return if is_generated_file(folder) {
            Root::Generated
        } else if folder.ends_with(".md") {
            // The source path from the root, as code hosts follow it.
            Root::Source(folder.to_string())
        } else {
            Root::Static(format!("static/{folder}"))
        };
    }
    if is_generated_folder(folder) {
        return Root::Generated;
    }
    match folder.split_once('/') {
        None => Root::Source(format!("pages/{folder}.md")),
        Some((_, _)) => Root::Source(format!("{folder}.md")),
    }
}

/// Whether a URL starts with a scheme (`https:`, `mailto:`, `data:`): a
/// letter, then letters, digits, `+`, `-` or `.`, then `:`.
pub fn has_scheme(url: &str) -> bool {
    // A scheme ends at the first byte that cannot be in one, which must be `:`.
    let b = url.as_bytes();
    let len = b
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || b"+-.".contains(&c)))
        .unwrap_or(b.len());
    len > 0 && b[0].is_ascii_alphabetic() && b.get(len) == Some(&b':')
}

/// Whether a link leaves the site: it has a scheme, or is protocol-relative
/// (`//example.org/x`).
pub fn is_external(url: &str) -> bool {
    url.starts_with("//") || has_scheme(url)
}

/// `s` with its `%20`-style escapes decoded, as a browser finds the file a
/// link names. An invalid escape (`%zz`, a `%` near the end) stays as
/// written, and so does the whole of `s` if the decoded bytes are not UTF-8.
pub fn percent_decode(s: &str) -> Cow<'_, str> {
    // Nearly every link has no escape: one search decides.
    if memchr::memchr(b'%', s.as_bytes()).is_none() {
        return Cow::Borrowed(s);
    }
    percent_decode_str(s)
        .decode_utf8()
        .unwrap_or(Cow::Borrowed(s))
}

/// `s` percent-decoded, or `None` if any `%` does not start a valid escape or
/// the decoded bytes are not UTF-8: for input that must not be guessed at,
/// such as the path of a request to `serve`.
pub fn percent_decode_strict(s: &str) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    let valid = memchr::memchr_iter(b'%', b).all(|at| {
        b.get(at + 1..at + 3)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !valid {
        return None;
    }
    percent_decode_str(s).decode_utf8().ok()
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
    fn slugs_are_lower_case_letters_digits_and_hyphens() {
        for good in ["bone-density", "t-score", "vitamin-d3", "2026", "-"] {
            assert!(is_valid_slug(good), "{good}");
        }
        for bad in ["", "Bone", "bone_density", "bone density", "café", "a.b"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
        assert_eq!(suggest_slug("Bone Density"), "bone-density");
        assert_eq!(suggest_slug("_Vitamin D_"), "vitamin-d");
        assert!(is_valid_slug(&suggest_slug("Bone_Density 2")));
    }

    #[test]
    fn a_scheme_is_a_letter_then_scheme_characters_then_a_colon() {
        for url in [
            "https://x.org",
            "mailto:a@b.c",
            "data:image/png;base64,AA",
            "tel:+44",
            "svn+ssh://h",
            "A-b.c:x",
            "x:",
        ] {
            assert!(has_scheme(url), "{url}");
            assert!(is_external(url), "{url}");
        }
        for url in [
            "",
            ":x",
            "1http://x",
            "a b:c",
            "b.md",
            "b.md#x:y",
            "../a:b.md",
            "/a:b",
            "é:x",
            "#x:y",
        ] {
            assert!(!has_scheme(url), "{url}");
        }
        assert!(is_external("//cdn.example.org/x"));
        assert!(!is_external("/about/"));
    }

    #[test]
    fn percent_decoding_keeps_what_it_cannot_decode() {
        assert!(matches!(percent_decode("a/b.md"), Cow::Borrowed("a/b.md")));
        assert_eq!(percent_decode("my%2Dpage%20x"), "my-page x");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("caf%c3%a9"), "café");
        assert_eq!(percent_decode("%%41"), "%A");
        assert_eq!(percent_decode("%2541"), "%41");
        // Invalid escapes stay; bytes that are not UTF-8 leave all as written.
        for kept in ["%zz", "%2", "a%", "%ff%41", "%C3"] {
            assert_eq!(percent_decode(kept), kept);
        }
    }

    #[test]
    fn strict_percent_decoding_refuses_what_it_cannot_decode() {
        assert_eq!(percent_decode_strict("/a/b").as_deref(), Some("/a/b"));
        assert_eq!(percent_decode_strict("/my%20f").as_deref(), Some("/my f"));
        assert_eq!(percent_decode_strict("/%2e%2E").as_deref(), Some("/.."));
        assert_eq!(percent_decode_strict("/%2541").as_deref(), Some("/%41"));
        for refused in ["%zz", "%2", "a%", "%%41", "%4g", "%ff", "%C3", "%\u{e9}9"] {
            assert_eq!(percent_decode_strict(refused), None, "{refused}");
        }
    }

    proptest::proptest! {
        /// `serve` refuses exactly the request paths it refused with its own
        /// decoder before it used this one.
        #[test]
        fn strict_decoding_refuses_what_the_old_decoder_refused(
            s in "([%0-9a-fA-FgzZ/.é]|%[0-9a-fA-F]{2}){0,10}"
        ) {
            let b = s.as_bytes();
            let mut decoded = Vec::new();
            let mut i = 0;
            let old = loop {
                let Some(&c) = b.get(i) else {
                    break String::from_utf8(decoded).ok();
                };
                if c != b'%' {
                    decoded.push(c);
                    i += 1;
                    continue;
                }
                let digit = |at: usize| b.get(at).and_then(|&h| (h as char).to_digit(16));
                match (digit(i + 1), digit(i + 2)) {
                    (Some(hi), Some(lo)) => decoded.push((hi * 16 + lo) as u8),
                    _ => break None,
                }
                i += 3;
            };
            proptest::prop_assert_eq!(percent_decode_strict(&s).map(Cow::into_owned), old);
        }
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
            "search/",
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
