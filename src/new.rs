//! `osteon new article|glossary|page SLUG`: a new draft with valid front
//! matter and placeholders (see [`crate::parse::placeholder`]) for the author to
//! replace; publishing refuses the page while any remains.

use std::path::{Path, PathBuf};

use crate::load::Section;
use crate::{url, write};

/// What each kind of file starts as: `{title}` and `{today}` are filled in.
fn template(section: Section) -> &'static str {
    match section {
        Section::Article => include_str!("new/article.md"),
        Section::Glossary => include_str!("new/glossary.md"),
        Section::Page => include_str!("new/page.md"),
    }
}

/// Creates `articles/SLUG.md`, `glossary/SLUG.md` or `pages/SLUG.md` under
/// `root`, never overwriting an existing file. `today` is the review date to
/// start from.
pub fn create(root: &Path, section: Section, slug: &str, today: &str) -> anyhow::Result<PathBuf> {
    anyhow::ensure!(
        url::is_valid_slug(slug),
        "`{slug}` is not a valid slug: use {}",
        url::SLUG_RULE
    );
    let path = root.join(section.dir()).join(format!("{slug}.md"));
    let text = template(section)
        .replace("{title}", &title(slug))
        .replace("{today}", today);
    write::new_file(&path, &text)?;
    Ok(path)
}

/// `bone-density` → `Bone density`.
fn title(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::SourceFile;
    use crate::parse::markdown::Output;
    use crate::parse::parse_page;
    use crate::parse::placeholder;

    /// Each kind parses as it is written, and every text the author must
    /// write is a placeholder.
    #[test]
    fn every_kind_parses_and_holds_placeholders() {
        for section in Section::ALL {
            let text = template(section)
                .replace("{title}", &title("bone-density"))
                .replace("{today}", "2026-10-01");
            let file = SourceFile {
                path: format!("{}/bone-density.md", section.dir()),
                text,
            };
            let (page, problems) = parse_page(
                &file,
                "/",
                Output {
                    html: false,
                    stats: false,
                },
            );
            assert!(problems.is_empty(), "{section:?}: {problems:?}");
            let page = page.expect("parses");
            assert!(page.meta.draft(), "{section:?}");
            assert_eq!(page.meta.title(), "Bone density");
            let found = placeholder::find(&file.text);
            assert!(found.len() >= 2, "{section:?}: {found:?}");
            assert!(
                page.meta.description().starts_with(placeholder::MARKER),
                "{section:?}"
            );
        }
    }
}
