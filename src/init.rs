//! `osteon init [DIR]`: a small site that checks clean with `--strict`,
//! written from the starter files in `src/init/site/` (embedded in the
//! binary, see build.rs): `site.toml` with every option explained, one
//! article, one glossary entry, and about and accessibility pages that say
//! what a publisher should write there.

use std::path::{Path, PathBuf};

use crate::write;

static STARTER: include_dir::Dir = include_dir::include_dir!("$CARGO_MANIFEST_DIR/src/init/site");

/// Where the starter article's review dates go: reviews are judged against
/// today, so a fixed date would make a new site overdue within a year.
const TODAY: &str = "%TODAY%";
const REVIEW_DUE: &str = "%REVIEW_DUE%";

/// Writes a new site into `dir`, creating it if it is missing. A folder that
/// holds anything but hidden files (`.git`, say) is refused and left as it
/// was (see [`write::new_site`]). Returns the files written, relative to
/// `dir`, sorted.
pub fn init(dir: &Path, today: jiff::civil::Date) -> anyhow::Result<Vec<PathBuf>> {
    let due = today.saturating_add(jiff::Span::new().years(1)).to_string();
    let today = today.to_string();
    let files: Vec<(PathBuf, String)> = files(&STARTER)
        .into_iter()
        .map(|(path, bytes)| {
            let text = String::from_utf8_lossy(bytes)
                .replace(TODAY, &today)
                .replace(REVIEW_DUE, &due);
            (path, text)
        })
        .collect();
    let mut written = write::new_site(dir, &files)?;
    written.sort();
    Ok(written)
}

/// Every file of the starter site, with its path inside it.
fn files(dir: &'static include_dir::Dir<'static>) -> Vec<(PathBuf, &'static [u8])> {
    let mut files = Vec::new();
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(sub) => files.extend(self::files(sub)),
            include_dir::DirEntry::File(file) => {
                files.push((file.path().to_path_buf(), file.contents()))
            }
        }
    }
    files
}

/// What to do next, for the command line to print.
pub fn next_steps(dir: &Path) -> String {
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("  cd {}\n", dir.display())
    };
    format!(
        "next steps:\n{cd}  osteon serve    preview the site at http://127.0.0.1:1111, rebuilt on every save\n  \
         osteon check    check every page, link and template\n  \
         osteon build    write the site into public/, ready to upload\n\
         Start with site.toml, then write your own about and accessibility pages in pages/.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_has_the_files_the_documentation_promises() {
        let paths: Vec<String> = files(&STARTER)
            .into_iter()
            .map(|(p, _)| p.to_string_lossy().replace('\\', "/"))
            .collect();
        for expected in [
            "site.toml",
            "pages/about.md",
            "pages/accessibility.md",
            "glossary/clinician.md",
            "articles/getting-ready-for-an-appointment.md",
        ] {
            assert!(paths.iter().any(|p| p == expected), "{expected}: {paths:?}");
        }
    }
}
