//! `osteon new article|glossary|page SLUG`: drafts with placeholders, which
//! publishing refuses, at their line, until they are replaced.

use crate::support::{ARTICLE, Run, Site, d};

fn site() -> Site {
    Site::new(&format!("//- articles/bones.md\n{ARTICLE}\nBones.\n"))
}

/// `osteon new KIND SLUG`.
fn new(site: &Site, kind: &str, slug: &str) -> Run {
    site.run(&["new", kind, slug])
}

/// Removes the `draft = true` line: the author's next step.
fn publish(site: &Site, path: &str) {
    let text = site.read(path);
    assert!(text.contains("\ndraft = true\n"), "{text}");
    site.write(path, &text.replacen("\ndraft = true\n", "\n", 1));
}

/// `build` fails, naming each of `at` (`file:line:column`), and writes nothing.
#[track_caller]
fn build_fails_at(site: &Site, args: &[&str], at: &[String]) {
    let run = site.run(args);
    run.failure();
    for at in at {
        assert!(
            run.stderr.contains(&format!("--> {at}\n")),
            "{at}: {}",
            run.stderr
        );
    }
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_new_draft_of_each_kind_checks_and_builds_unpublished() {
    let site = site();
    for (kind, path, output) in [
        (
            "article",
            "articles/hip-fractures.md",
            "articles/hip-fractures",
        ),
        ("glossary", "glossary/femur.md", "glossary/femur"),
        ("page", "pages/privacy.md", "privacy"),
    ] {
        let slug = path.rsplit('/').next().unwrap().trim_end_matches(".md");
        let run = new(&site, kind, slug);
        run.success();
        assert!(run.stderr.contains(path), "{}", run.stderr);
        assert!(run.stderr.contains("placeholder"), "{}", run.stderr);
        let text = site.read(path);
        assert!(text.contains("\ndraft = true\n"), "{text}");
        assert!(text.contains("TODO:"), "{text}");
        site.run(&["check", "--strict"]).success();
        site.build().success();
        assert!(
            !site.path().join("public").join(output).exists(),
            "{output}"
        );
    }
    // It never overwrites a file.
    let run = new(&site, "page", "privacy");
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
}

#[test]
fn a_new_page_is_titled_from_its_slug() {
    let site = site();
    new(&site, "page", "privacy-policy").success();
    let text = site.read("pages/privacy-policy.md");
    assert!(
        text.starts_with("+++\ntitle = \"Privacy policy\"\n"),
        "{text}"
    );
}

#[test]
fn placeholders_stop_check_and_build_at_their_lines() {
    let site = site();
    new(&site, "article", "hip-fractures").success();
    publish(&site, "articles/hip-fractures.md");
    let file = "articles/hip-fractures.md";
    let expected = [
        d("placeholder", file, 3, 16),
        d("placeholder", file, 5, 12),
        d("placeholder", file, 8, 1),
        d("placeholder", file, 10, 4),
        d("placeholder", file, 12, 1),
        d("placeholder", file, 16, 1),
    ];
    assert_eq!(site.check_json(), expected);
    let at: Vec<String> = expected
        .iter()
        .map(|(_, f, l, c)| format!("{f}:{l}:{c}"))
        .collect();
    build_fails_at(&site, &["build"], &at);
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains(
            "error[placeholder]: `TODO: a heading for the first section` is a placeholder"
        ),
        "{}",
        run.stderr
    );

    // Written in (here, by dropping the markers): the article publishes.
    let written = site.read(file).replace("TODO: ", "");
    site.write(file, &written);
    site.run(&["check", "--strict"]).success();
    site.build().success();
    assert!(
        site.path()
            .join("public/articles/hip-fractures/index.html")
            .is_file()
    );
}

#[test]
fn a_draft_keeps_its_placeholders_until_drafts_are_published() {
    let site = site();
    new(&site, "glossary", "femur").success();
    new(&site, "page", "privacy").success();
    // Unpublished, their placeholders stop neither command.
    site.run(&["check"]).success();
    site.run(&["build"]).success();
    std::fs::remove_dir_all(site.path().join("public")).unwrap();
    // `--drafts` publishes them, so their placeholders are refused.
    build_fails_at(
        &site,
        &["build", "--drafts"],
        &[
            "glossary/femur.md:3:12".to_string(),
            "glossary/femur.md:7:1".to_string(),
            "pages/privacy.md:3:16".to_string(),
            "pages/privacy.md:7:1".to_string(),
        ],
    );
    publish(&site, "glossary/femur.md");
    assert_eq!(
        site.check_json(),
        [
            d("placeholder", "glossary/femur.md", 3, 12),
            d("placeholder", "glossary/femur.md", 6, 1),
        ]
    );
}

#[test]
fn a_placeholder_written_by_hand_is_refused_too() {
    // Anywhere a front-matter string or a body line starts with the marker;
    // prose that mentions the word is left alone.
    let site = Site::new(&format!(
        "//- articles/bones.md\n{}\nWe never write TODO: in prose.\n\n- TODO: check the dose\n",
        ARTICLE.replace("title = \"A\"", "title = \"TODO: a title\"")
    ));
    assert_eq!(
        site.check_json(),
        [
            d("placeholder", "articles/bones.md", 2, 10),
            d("placeholder", "articles/bones.md", 11, 3),
        ]
    );
}
