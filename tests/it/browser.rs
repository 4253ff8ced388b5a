//! The shipped site, and the site `osteon init` writes, in a real browser:
//! `tests/browser/check.mjs` runs axe-core
//! in headless Chromium over every page (light and dark, 320 px wide, keyboard
//! checks of the skip link and the glossary notes) and the Nu HTML Checker;
//! `tests/browser/search.mjs` searches the site by keyboard;
//! `tests/browser/live.mjs` edits a site under `osteon serve` and watches
//! the open pages follow.
//!
//! It needs Node with `npm ci` done, Debian's Chromium and Java. Without them
//! the test is skipped with a note, except on CI (`CI=true`), where it fails.

use std::path::Path;
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use crate::support::repo;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Why the browser check cannot run here, if it cannot.
fn missing_tool(repo: &Path) -> Option<String> {
    let runs = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !runs("node", "--version") {
        return Some("`node` is not installed".into());
    }
    for package in ["playwright-core", "axe-core", "vnu-jar"] {
        if !repo.join("node_modules").join(package).is_dir() {
            return Some(format!("node_modules/{package} is missing; run `npm ci`"));
        }
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    if !Path::new(&chromium).is_file() {
        return Some(format!(
            "{chromium} is missing; run `apt-get install chromium`"
        ));
    }
    if !runs("java", "-version") {
        return Some("`java` is not installed; run `apt-get install default-jre-headless`".into());
    }
    None
}

/// Whether the browser tests can run here; if not, says why, and fails on CI
/// (`CI=true`), where they must run.
pub(crate) fn can_run(repo: &Path) -> bool {
    let Some(why) = missing_tool(repo) else {
        return true;
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the browser test cannot run on CI: {why}"
    );
    eprintln!("skipping the browser test: {why}");
    false
}

/// One browser at a time: the machine has two cores.
pub(crate) static BROWSER: Mutex<()> = Mutex::new(());

#[test]
fn every_page_passes_axe_vnu_and_the_keyboard_checks_in_chromium() {
    check_in_browser(&repo());
}

/// What `osteon init` writes is held to the same checks as the shipped site.
#[test]
fn every_page_of_a_new_site_passes_the_same_checks() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-site");
    let init = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .arg("init")
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    check_in_browser(&site);
}

/// Builds the site at `root` and runs `tests/browser/check.mjs` over it.
fn check_in_browser(root: &Path) {
    check_build_in_browser(root, &[], |_| {});
}

/// Builds the site at `root` with `args` added to `build`, lets `inspect`
/// look at the output, and runs `tests/browser/check.mjs` over it.
fn check_build_in_browser(root: &Path, args: &[&str], inspect: impl FnOnce(&Path)) {
    run_in_browser(root, args, inspect, "check.mjs", &[]);
}

/// Builds the site at `root` and runs `tests/browser/search.mjs` over it with
/// `expectations`, each `QUERY=PAGE` (PAGE listed first) or `QUERY=PAGE@N`
/// (among the first N).
fn search_in_browser(root: &Path, expectations: &[&str]) {
    run_in_browser(root, &[], |_| {}, "search.mjs", expectations);
}

/// Builds the site at `root` with `args` added to `build`, lets `inspect`
/// look at the output, and runs `tests/browser/SCRIPT` over it with
/// `script_args`.
fn run_in_browser(
    root: &Path,
    args: &[&str],
    inspect: impl FnOnce(&Path),
    script: &str,
    script_args: &[&str],
) {
    let repo = repo();
    if !can_run(&repo) {
        return;
    }
    let _one_at_a_time = BROWSER.lock().unwrap_or_else(PoisonError::into_inner);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let build = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .arg("build")
        .args(args)
        .arg("--root")
        .arg(root)
        .arg("--output")
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    inspect(&site);
    let check = Command::new("node")
        .arg(repo.join("tests/browser").join(script))
        .arg(&site)
        .args(script_args)
        .current_dir(&repo)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    let stderr = String::from_utf8_lossy(&check.stderr);
    println!("{stdout}{stderr}");
    assert!(
        check.status.success(),
        "the browser checks failed:\n{stdout}{stderr}"
    );
}

/// Search on the shipped site, by keyboard alone: a glossary alias finds its
/// entry, a medicine's name its entry before the article about it, a phrase
/// the article that discusses it before the glossary entries that mention
/// it; axe-clean with results showing, light and dark; and the page without
/// JavaScript.
#[test]
fn search_finds_glossary_words_and_articles_by_keyboard_in_chromium() {
    search_in_browser(
        &repo(),
        &[
            "calciferol=glossary/vitamin-d/",
            "bisphosphonate=glossary/bisphosphonate/",
            "bisphosphonate=articles/osteoporosis-treatment/@3",
            "hip fracture=articles/osteoporosis-treatment/",
            "HRT=glossary/menopausal-hormone-therapy/",
            // More than a page of results: "Show more results" is checked.
            "bone=articles/osteoporosis-treatment/@10",
        ],
    );
}

/// The site `osteon init` writes can be searched too.
#[test]
fn a_new_site_can_be_searched_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-site");
    let init = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .arg("init")
        .arg(&site)
        .output()
        .unwrap();
    assert!(init.status.success());
    search_in_browser(
        &site,
        &[
            "clinician=glossary/clinician/",
            "health professional=glossary/clinician/@3",
        ],
    );
}

/// A draft previewed with `--drafts` passes the same checks: its banner is
/// read as text and has the contrast it needs in both colour schemes.
#[test]
fn a_draft_preview_passes_axe_vnu_and_the_keyboard_checks_in_chromium() {
    let front = "+++\ntitle = \"TITLE\"\ndescription = \"D.\"\nreviewed = 2026-10-01\nreview_due = 2027-10-01\n";
    let site = crate::support::Site::new(&format!(
        "//- site.toml\ntitle = \"Test site\"\nbase_url = \"https://example.org/\"\nlanguage = \"en-GB\"\n\
         notice = \"This page is for general education only.\"\n\
         //- articles/published.md\n{}topics = [\"bones\"]\n+++\n\nWhat [calcium](../glossary/calcium.md) does.\n\
         //- articles/soon.md\n{}draft = true\n+++\n\nWhat [calcium](../glossary/calcium.md) does next.\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\nsummary = \"A mineral that bones are made of.\"\n+++\n\nText.\n",
        front.replace("TITLE", "Published"),
        front.replace("TITLE", "Coming soon"),
    ));
    check_build_in_browser(site.path(), &["--drafts"], |out| {
        let draft = std::fs::read_to_string(out.join("articles/soon/index.html")).unwrap();
        assert!(draft.contains("draft-banner"), "{draft}");
    });
}

/// `osteon serve` running as a separate process, stopped as Ctrl-C would
/// stop it when dropped.
struct Serving {
    child: std::process::Child,
    /// The site's address, ending in `/`.
    url: String,
}

impl Serving {
    fn start(root: &Path, args: &[&str]) -> Serving {
        let mut child = Command::new(env!("CARGO_BIN_EXE_osteon"))
            .args(["serve", "--port", "0"])
            .args(args)
            .arg("--root")
            .arg(root)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("serving ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Serving { child, url }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        // SAFETY: `kill` with our own child's pid and a valid signal number.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
        let _ = self.child.wait();
    }
}

/// The live preview in Chromium: an edit is swapped into the open page with
/// scroll, focus and an open glossary note kept and no reload; the tab used
/// last follows a save of another article, unless `--no-follow`; a change
/// to the head reloads in full. See `tests/browser/live.mjs`.
#[test]
fn the_live_preview_swaps_edits_in_and_follows_the_editor_in_chromium() {
    let repo = repo();
    if !can_run(&repo) {
        return;
    }
    let _one_at_a_time = BROWSER.lock().unwrap_or_else(PoisonError::into_inner);
    let article = crate::support::ARTICLE;
    let paragraphs: String = (1..=40)
        .map(|n| {
            format!(
                "Paragraph {n} says something about bones that takes a line or two to read.\n\n"
            )
        })
        .collect();
    let site = crate::support::Site::new(&format!(
        "//- articles/bones.md\n{article}\n## Strong bones\n\n{paragraphs}See calcium: [calcium](../glossary/calcium.md) keeps bones strong.\n\n{paragraphs}\
         //- articles/dexa.md\n{article}\n## Scans\n\nA scan measures bone density.\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\nsummary = \"A mineral in bones.\"\n+++\n\nUsed in [bones](../articles/bones.md).\n"
    ));
    let follow = Serving::start(site.path(), &[]);
    let stay = Serving::start(site.path(), &["--no-follow"]);
    let run = Command::new("node")
        .arg(repo.join("tests/browser/live.mjs"))
        .arg(site.path())
        .arg(&follow.url)
        .arg(&stay.url)
        .current_dir(&repo)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    println!("{stdout}{stderr}");
    assert!(
        run.status.success(),
        "the live preview checks failed:\n{stdout}{stderr}"
    );
}
