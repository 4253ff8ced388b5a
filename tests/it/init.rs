//! `osteon init [DIR]`: a new site that passes `check --strict`, and a
//! folder that is not empty left exactly as it was.

use std::path::Path;
use std::process::Command;

use crate::support::Run;

/// Runs `osteon ARGS` in `cwd`, with `today` as the date reviews are judged on.
fn osteon(cwd: &Path, args: &[&str], today: &str) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("OSTEON_TODAY", today)
        .output()
        .unwrap();
    Run::from(output)
}

/// Every file under `dir`, path → bytes, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_new_site_passes_check_strict_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let today = "2026-03-14";
    let run = osteon(dir.path(), &["init", "my-site"], today);
    run.success();
    for step in ["cd my-site", "osteon serve", "osteon build"] {
        assert!(run.stderr.contains(step), "{step}: {}", run.stderr);
    }
    let site = dir.path().join("my-site");
    let paths: Vec<String> = files(&site).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            ".gitignore",
            "articles/getting-ready-for-an-appointment.md",
            "glossary/clinician.md",
            "pages/about.md",
            "pages/accessibility.md",
            "site.toml",
        ]
    );

    let check = osteon(&site, &["check", "--strict", "--format", "json"], today);
    check.success();
    let json: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    assert_eq!(
        json["diagnostics"],
        serde_json::json!([]),
        "{}",
        check.stdout
    );
    let check = osteon(&site, &["check", "--strict"], today);
    assert!(!check.stderr.contains("warning"), "{}", check.stderr);

    osteon(&site, &["build", "--strict"], today).success();
    for page in [
        "index.html",
        "articles/getting-ready-for-an-appointment/index.html",
        "glossary/clinician/index.html",
        "about/index.html",
        "accessibility/index.html",
    ] {
        assert!(site.join("public").join(page).is_file(), "{page}");
    }
    let article = std::fs::read_to_string(
        site.join("public/articles/getting-ready-for-an-appointment/index.html"),
    )
    .unwrap();
    // The article links its glossary entry, and ends with the notice.
    assert!(
        article.contains("href=\"/glossary/clinician/\""),
        "{article}"
    );
    assert!(article.contains("talk to a doctor, nurse or pharmacist"));
    assert!(article.contains("for general education only"));
}

#[test]
fn the_article_is_reviewed_today_and_due_a_year_on() {
    let dir = tempfile::tempdir().unwrap();
    osteon(dir.path(), &["init"], "2030-05-17").success();
    let article = std::fs::read_to_string(
        dir.path()
            .join("articles/getting-ready-for-an-appointment.md"),
    )
    .unwrap();
    assert!(article.contains("\nreviewed = 2030-05-17\n"), "{article}");
    assert!(article.contains("\nreview_due = 2031-05-17\n"), "{article}");
    // The dates are real: a year and a bit on, the review is overdue.
    let later = osteon(dir.path(), &["check", "--strict"], "2031-06-01");
    later.failure();
    assert!(
        later.stderr.contains("error[review-overdue]"),
        "{}",
        later.stderr
    );
}

#[test]
fn site_toml_sets_and_explains_every_option() {
    let dir = tempfile::tempdir().unwrap();
    osteon(dir.path(), &["init"], "2026-03-14").success();
    let text = std::fs::read_to_string(dir.path().join("site.toml")).unwrap();
    let written: toml::Table = text.parse().unwrap();
    // Every field of the configuration, whether set or not.
    let config: osteon::parse::meta::SiteConfig = toml::from_str(&text).unwrap();
    let json = serde_json::to_value(&config).unwrap();
    let options: Vec<&String> = json.as_object().unwrap().keys().collect();
    for option in options {
        assert!(written.contains_key(option), "site.toml lacks `{option}`");
        // Each option has a comment of its own just above it; a table option
        // is written as its header (`[topics]`, `[[menu.main]]`).
        let line = text
            .lines()
            .position(|l| {
                l.starts_with(&format!("{option} ="))
                    || l.starts_with(&format!("[{option}]"))
                    || l.starts_with(&format!("[[{option}."))
            })
            .unwrap_or_else(|| panic!("no line sets `{option}`"));
        let above = text.lines().nth(line - 1).unwrap();
        assert!(above.starts_with('#'), "`{option}` is not explained");
    }
}

#[test]
fn a_folder_that_is_not_empty_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("articles")).unwrap();
    std::fs::write(site.join("notes.txt"), "mine\n").unwrap();
    std::fs::write(site.join("articles/x.md"), "my draft\n").unwrap();
    let before = files(&site);
    let run = osteon(dir.path(), &["init", "site"], "2026-03-14");
    run.failure();
    assert!(
        run.stderr
            .contains("is not empty (it holds articles, notes.txt)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    assert_eq!(files(&site), before);

    // A file in the way is refused too.
    let run = osteon(dir.path(), &["init", "site/notes.txt"], "2026-03-14");
    run.failure();
    assert!(run.stderr.contains("is a file"), "{}", run.stderr);
    assert_eq!(files(&site), before);
}

#[test]
fn a_missing_folder_is_created_and_hidden_files_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    osteon(dir.path(), &["init", "sites/health"], "2026-03-14").success();
    assert!(dir.path().join("sites/health/site.toml").is_file());

    // A folder holding only a repository (`git init`) is as good as empty,
    // and what it holds is kept, a .gitignore included.
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(repo.join(".gitignore"), "secret\n").unwrap();
    osteon(&repo, &["init"], "2026-03-14").success();
    assert!(repo.join("site.toml").is_file());
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/HEAD")).unwrap(),
        "ref: refs/heads/main\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".gitignore")).unwrap(),
        "secret\n"
    );
}
