//! `osteon new article|glossary SLUG`: a new source file with valid front matter.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::load::Section;

/// Creates `articles/SLUG.md` or `glossary/SLUG.md` under `root`, never
/// overwriting an existing file. `today` is the review date to start from.
pub fn create(root: &Path, section: Section, slug: &str, today: &str) -> anyhow::Result<PathBuf> {
    anyhow::ensure!(
        !slug.is_empty()
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "`{slug}` is not a valid slug: use lower-case letters, digits and hyphens"
    );
    let path = root.join(section.dir()).join(format!("{slug}.md"));
    anyhow::ensure!(!path.exists(), "{} already exists", path.display());
    let title = slug.replace('-', " ");
    let title = title[..1].to_uppercase() + &title[1..];
    let text = match section {
        Section::Article => format!(
            "+++\ntitle = \"{title}\"\ndescription = \"One sentence for search results and link previews.\"\nreviewed = {today}\ntopics = []\ndraft = true\n+++\n\n## First section\n\nWrite here.\n"
        ),
        Section::Glossary => format!(
            "+++\nterm = \"{title}\"\nsummary = \"One plain-language sentence: what the word means.\"\ndraft = true\n+++\n\nA short explanation.\n"
        ),
        Section::Page => format!("+++\ntitle = \"{title}\"\ndescription = \"\"\n+++\n"),
    };
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}
