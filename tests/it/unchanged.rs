//! An unchanged rebuild: `build` skips everything after loading when the
//! record's fingerprint says the folder holds what it would write. Every
//! kind of input is changed in turn, and the folder is compared with a cold
//! build of the changed site into a new folder.

use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::support::{ARTICLE, Run, Site, built_in};

/// A fixed day, so the fixture's review dates never fall due and its builds
/// report nothing, which a fingerprint needs.
const TODAY: (&str, &str) = ("OSTEON_TODAY", "2027-01-01");

const FIGURES: &str = "source = \"WHO\"\nreviewed = 2026-10-01\n\n\
                       [values.age]\nname = \"Average age\"\nvalue = 51\nunit = \"years\"\n";

fn site() -> Site {
    let draft = ARTICLE.replace("topics = [\"bones\"]", "topics = [\"bones\"]\ndraft = true");
    Site::new(&format!(
        "//- articles/bones.md\n{ARTICLE}\n## Strong bones\n\nSee [calcium](../glossary/calcium.md) and the \
         [leaflet](/leaflet.txt). The average age is {{{{ data_value(data=\"figures\", value=\"age\") }}}}.\n\
         //- articles/wip.md\n{draft}\nNot yet.\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\nsummary = \"A mineral in bones.\"\n+++\n\nUsed in [bones](../articles/bones.md).\n\
         //- data/figures.toml\n{FIGURES}\
         //- static/leaflet.txt\nhello\n"
    ))
}

/// `osteon build ARGS` on `site` into its `public/`.
fn build(site: &Site, args: &[&str]) -> Run {
    site.run_with_env(&[&["build"][..], args].concat(), &[TODAY])
}

/// A cold build of `site` with `args` into a new folder: its files.
fn cold(site: &Site, args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(
        site,
        &[&["--output", out.to_str().unwrap()][..], args].concat(),
    )
    .success();
    files(&out)
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (rel.display().to_string(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Fails naming the files that differ, rather than printing both sites.
#[track_caller]
fn assert_same(found: &[(String, Vec<u8>)], expected: &[(String, Vec<u8>)], what: &str) {
    let differ: std::collections::BTreeSet<&str> = (found.iter().chain(expected))
        .map(|(path, _)| path.as_str())
        .filter(|path| {
            let of = |files: &[(String, Vec<u8>)]| files.iter().find(|(p, _)| p == path).cloned();
            of(found) != of(expected)
        })
        .collect();
    assert!(differ.is_empty(), "{what}: these files differ: {differ:?}");
}

/// The fingerprint the record beside `public/` keeps, if any.
fn fingerprint(site: &Site) -> Option<String> {
    let record = site.read(".public.osteon");
    let line = record.lines().find(|l| l.starts_with("fingerprint = "));
    line.map(str::to_string)
}

/// Builds the site, makes `change`, builds again: the folder holds what a
/// cold build of the changed site writes, which the change changed.
#[track_caller]
fn rebuilt_as_cold(change: impl FnOnce(&Site)) {
    let site = site();
    build(&site, &[]).success();
    assert!(
        fingerprint(&site).is_some(),
        "a clean build keeps a fingerprint"
    );
    let before = site.snapshot_output();
    change(&site);
    build(&site, &[]).success();
    let expected = cold(&site, &[]);
    assert_same(
        &site.snapshot_output(),
        &expected,
        "rebuilt after the change",
    );
    assert_ne!(before, expected, "the change must show in the output");
}

#[test]
fn an_article_edit_is_built() {
    rebuilt_as_cold(|site| {
        let text = site.read("articles/bones.md");
        site.write(
            "articles/bones.md",
            &text.replace("Strong bones", "Dense bones"),
        );
    });
}

#[test]
fn a_glossary_edit_is_built() {
    rebuilt_as_cold(|site| {
        let text = site.read("glossary/calcium.md");
        site.write(
            "glossary/calcium.md",
            &text.replace("A mineral", "The mineral"),
        );
    });
}

#[test]
fn a_template_edit_is_built() {
    rebuilt_as_cold(|site| {
        let template = built_in("templates/article.html")
            .replace("{% block main %}", "{% block main %}<p>Printed.</p>");
        site.write("templates/article.html", &template);
    });
}

#[test]
fn a_data_edit_is_built() {
    rebuilt_as_cold(|site| site.write("data/figures.toml", &FIGURES.replace("51", "52")));
}

#[test]
fn a_site_toml_edit_is_built() {
    rebuilt_as_cold(|site| {
        let config = site.read("site.toml");
        site.write("site.toml", &config.replace("Test site", "Bone site"));
    });
}

#[test]
fn a_static_file_edit_is_built() {
    // The same size: only the bytes tell.
    rebuilt_as_cold(|site| site.write("static/leaflet.txt", "hallo\n"));
}

#[test]
fn an_added_page_and_a_removed_file_are_built() {
    rebuilt_as_cold(|site| {
        site.write("articles/new.md", &format!("{ARTICLE}\nNew page.\n"));
        site.remove("articles/wip.md");
    });
}

/// Every file's time in the folder and the record's, and the record.
fn state(site: &Site) -> (Vec<(String, SystemTime)>, String) {
    let mut times: Vec<(String, SystemTime)> = walkdir::WalkDir::new(site.path())
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().starts_with(site.path().join("public")) || e.depth() == 0)
        .map(|e| {
            (
                e.path().display().to_string(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    let record = site.path().join(".public.osteon");
    times.push((
        "record".into(),
        record.metadata().unwrap().modified().unwrap(),
    ));
    (times, site.read(".public.osteon"))
}

#[test]
fn an_unchanged_rebuild_writes_nothing_and_touches_nothing() {
    let site = site();
    build(&site, &[]).success();
    // A file's time changed, its bytes not: a full build, which finds every
    // file unchanged.
    let page = std::fs::File::options()
        .write(true)
        .open(site.path().join("public/index.html"))
        .unwrap();
    page.set_modified(SystemTime::now()).unwrap();
    let full = build(&site, &[]);
    full.success();
    let files = site.snapshot_output().len();
    assert!(
        full.stderr.contains(&format!(
            "built {files} files into {}",
            site.path().join("public").display()
        )),
        "{}",
        full.stderr
    );
    assert!(
        full.stderr
            .contains(&format!("(0 written, {files} unchanged, 0 removed)")),
        "{}",
        full.stderr
    );

    // The next build skips it all: the same report, and no file, folder or
    // record touched (a full build rewrites the record and makes a staging
    // folder beside the output).
    let before = state(&site);
    let skipped = build(&site, &[]);
    skipped.success();
    assert_eq!(skipped.stderr, full.stderr);
    assert_eq!(state(&site), before);
}

#[test]
fn a_file_deleted_edited_or_added_in_the_output_is_repaired() {
    let site = site();
    build(&site, &[]).success();
    let good = site.snapshot_output();
    site.remove("public/articles/bones/index.html");
    build(&site, &[]).success();
    assert_same(&site.snapshot_output(), &good, "a deleted file");

    // The file that build has just written, edited at once (within the
    // tick of the file system's clock), keeping its size.
    let page = site.read("public/articles/bones/index.html");
    let edited = page.replacen("Strong", "Strung", 1);
    site.write("public/articles/bones/index.html", &edited);
    build(&site, &[]).success();
    assert_same(
        &site.snapshot_output(),
        &good,
        "an edited file, the same size",
    );

    // An edit whose modification time is put back, as `touch -r` or
    // `cp -p` would.
    let path = site.path().join("public/articles/bones/index.html");
    let modified = path.metadata().unwrap().modified().unwrap();
    site.write("public/articles/bones/index.html", &edited);
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(modified).unwrap();
    build(&site, &[]).success();
    assert_same(
        &site.snapshot_output(),
        &good,
        "an edit with its time put back",
    );

    site.write("public/extra/index.html", "mine");
    let run = build(&site, &[]);
    run.success();
    assert!(run.stderr.contains("1 removed"), "{}", run.stderr);
    assert_same(&site.snapshot_output(), &good, "an added file");
}

#[test]
fn a_staging_folder_left_behind_is_cleared_by_an_unchanged_build() {
    let site = site();
    build(&site, &[]).success();
    site.write(".public.osteon-stage/index.html", "half a page");
    build(&site, &[]).success();
    assert!(!site.path().join(".public.osteon-stage").exists());
}

#[test]
fn other_options_are_not_served_from_the_fingerprint() {
    let site = site();
    build(&site, &[]).success();
    for flags in [
        &["--drafts"][..],
        &["--base-url", "https://example.org/health/"],
        &[],
    ] {
        build(&site, flags).success();
        assert_same(
            &site.snapshot_output(),
            &cold(&site, flags),
            &flags.join(" "),
        );
    }

    // Another day may bring a warning: an overdue review.
    let later = site.run_with_env(&["build"], &[("OSTEON_TODAY", "2028-01-01")]);
    later.success();
    assert!(later.stderr.contains("review-overdue"), "{}", later.stderr);
}

#[test]
fn a_build_with_a_warning_keeps_no_fingerprint() {
    let site = site();
    site.write(
        "pages/about.md",
        "+++\ntitle = \"About\"\ndescription = \"D.\"\n+++\n\nSee <https://example.org/>.\n",
    );
    let first = build(&site, &[]);
    first.success();
    assert!(first.stderr.contains("1 warning(s)"), "{}", first.stderr);
    assert_eq!(fingerprint(&site), None);
    // Every build prints it.
    let warning = |run: &Run| run.stderr.split("built ").next().unwrap().to_string();
    assert_eq!(warning(&build(&site, &[])), warning(&first));
}

#[test]
fn a_write_cut_short_is_never_taken_for_a_finished_build() {
    let site = site();
    build(&site, &[]).success();
    let good = site.snapshot_output();
    let record = site.read(".public.osteon");
    assert!(fingerprint(&site).is_some());
    // What a build killed while moving files in leaves: the record saying
    // so, here with the folder as it was.
    site.write(".public.osteon", &format!("{record}writing = true\n"));
    let run = build(&site, &[]);
    run.success();
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert_same(&site.snapshot_output(), &good, "repaired");
    assert!(!site.read(".public.osteon").contains("writing"));
}

#[test]
fn a_rebuilt_osteon_builds_in_full() {
    let site = site();
    build(&site, &[]).success();
    let kept = fingerprint(&site);
    // A copy is a new binary: another date.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("osteon");
    std::fs::copy(env!("CARGO_BIN_EXE_osteon"), &copy).unwrap();
    let run = Run::from(
        Command::new(&copy)
            .args(["build", "--root"])
            .arg(site.path())
            .env(TODAY.0, TODAY.1)
            .output()
            .unwrap(),
    );
    run.success();
    assert!(run.stderr.contains("0 written"), "{}", run.stderr);
    assert!(fingerprint(&site).is_some());
    assert_ne!(
        fingerprint(&site),
        kept,
        "the new binary kept the old fingerprint"
    );
}
