//! `osteon build`: output layout, determinism, incremental writes and safety.

use crate::support::{ARTICLE, Site};

fn small_site() -> Site {
    Site::new(&format!(
        "//- articles/bones.md\n{ARTICLE}\n## Strong bones\n\nSee [calcium](../glossary/calcium.md) and the [about page](../pages/about.md).\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\nsummary = \"A mineral in bones.\"\n+++\n\nUsed in [bones](../articles/bones.md).\n\
         //- pages/about.md\n+++\ntitle = \"About\"\ndescription = \"Who we are.\"\n+++\n\nWe write about bones.\n\
         //- pages/accessibility.md\n+++\ntitle = \"Accessibility\"\ndescription = \"How we test.\"\n+++\n\nWe test.\n\
         //- static/leaflet.txt\nhello\n"
    ))
}

#[test]
fn builds_pretty_urls_indexes_and_static_files() {
    let site = small_site();
    site.build().success();
    for path in [
        "index.html",
        "404.html",
        "articles/bones/index.html",
        "glossary/calcium/index.html",
        "glossary/index.html",
        "about/index.html",
        "topics/bones/index.html",
        "leaflet.txt",
    ] {
        assert!(
            site.path().join("public").join(path).is_file(),
            "missing {path}"
        );
    }
    let article = site.read("public/articles/bones/index.html");
    assert!(
        article.contains(r#"<a href="/glossary/calcium/">calcium</a>"#),
        "{article}"
    );
    assert!(
        article.contains(r#"<h2 id="strong-bones">Strong bones</h2>"#),
        "{article}"
    );
    let term = site.read("public/glossary/calcium/index.html");
    assert!(
        term.contains("Pages that mention this"),
        "backlinks missing: {term}"
    );
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let site = small_site();
    site.build().success();
    let first = site.snapshot_output();
    std::fs::remove_dir_all(site.path().join("public")).unwrap();
    site.build().success();
    assert_eq!(first, site.snapshot_output());
}

#[test]
fn a_second_build_writes_nothing_and_stale_files_are_removed() {
    let site = small_site();
    site.build().success();
    let run = site.build();
    assert!(run.stderr.contains("0 written"), "{}", run.stderr);
    std::fs::remove_file(site.path().join("glossary/calcium.md")).unwrap();
    site.write(
        "articles/bones.md",
        &format!("{ARTICLE}\nNo links now. See the [about page](../pages/about.md).\n"),
    );
    let before: Vec<String> = site.snapshot_output().into_iter().map(|(p, _)| p).collect();
    let run = site.build();
    run.success();
    let after: Vec<String> = site.snapshot_output().into_iter().map(|(p, _)| p).collect();
    // The page, and the files of the search index named by a hash of
    // their content, which changed with it.
    let removed: Vec<&String> = before.iter().filter(|p| !after.contains(p)).collect();
    assert!(
        removed.iter().any(|p| *p == "glossary/calcium/index.html"),
        "{removed:?}"
    );
    assert!(
        removed
            .iter()
            .all(|p| *p == "glossary/calcium/index.html" || p.starts_with("search-index/")),
        "{removed:?}"
    );
    assert!(
        run.stderr.contains(&format!(" {} removed", removed.len())),
        "{}",
        run.stderr
    );
    assert!(
        !site.path().join("public/glossary/calcium").exists(),
        "empty folders go too"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = small_site();
    site.build().success();
    let before = site.snapshot_output();
    site.write(
        "articles/bones.md",
        &format!("{ARTICLE}\n[gone](missing.md)\n"),
    );
    site.write("articles/new.md", &format!("{ARTICLE}\nNew page.\n"));
    site.build().failure();
    assert_eq!(before, site.snapshot_output());
}

#[test]
fn a_build_that_fails_on_its_output_leaves_the_folder_and_no_staging_behind() {
    let site = small_site();
    site.build().success();
    let before = site.snapshot_output();
    // Every page is made, checked and staged before the output check finds
    // the template's broken link: nothing of it reaches `public/`.
    site.write("articles/new.md", &format!("{ARTICLE}\nNew page.\n"));
    let template = crate::support::built_in("templates/article.html").replace(
        "{% block main %}",
        "{% block main %}<a href=\"/nowhere/\">x</a>",
    );
    site.write("templates/article.html", &template);
    let run = site.build();
    run.failure();
    assert!(run.stderr.contains("/nowhere/"), "{}", run.stderr);
    assert_eq!(before, site.snapshot_output());
    assert!(!site.path().join(".public.osteon-stage").exists());
}

#[test]
fn a_staging_folder_left_by_a_build_cut_short_is_cleared() {
    let site = small_site();
    site.write(".public.osteon-stage/junk.html", "half a page");
    site.build().success();
    assert!(!site.path().join(".public.osteon-stage").exists());
    assert!(!site.path().join("public/junk.html").exists());
    // Into a folder with a site in it, only what changed is moved in.
    site.write("articles/new.md", &format!("{ARTICLE}\nNew page.\n"));
    let run = site.build();
    run.success();
    assert!(run.stderr.contains("written"), "{}", run.stderr);
    assert!(
        site.read("public/articles/new/index.html")
            .contains("New page.")
    );
    assert!(!site.path().join(".public.osteon-stage").exists());
}

#[test]
fn an_interrupted_write_is_repaired() {
    let site = small_site();
    site.build().success();
    let good = site.snapshot_output();
    // What a crash mid-write leaves: the record saying a write is under way,
    // a stale temp file and a page that does not match the site.
    let record = site.read(".public.osteon");
    site.write(".public.osteon", &format!("{record}writing = true\n"));
    site.write("public/articles/bones/.index.html.osteon-tmp", "half");
    site.write("public/articles/bones/index.html", "<p>half a page");
    let run = site.build();
    run.success();
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert_eq!(good, site.snapshot_output());
}

#[test]
fn refuses_to_clear_a_folder_it_did_not_write() {
    let site = small_site();
    site.write("public/precious.txt", "keep me");
    let run = site.build();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not made by osteon"), "{}", run.stderr);
    assert_eq!(site.read("public/precious.txt"), "keep me");
}

#[test]
fn an_unwritable_output_folder_is_a_clear_error() {
    let site = small_site();
    site.write("public", "a file where the folder should be");
    let run = site.build();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is not a folder"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn a_wrong_command_line_exits_2() {
    let site = small_site();
    assert_eq!(site.run(&["build", "--no-such-flag"]).code, 2);
    assert_eq!(site.run(&["check", "--format", "xml"]).code, 2);
}

#[test]
fn drafts_are_published_only_on_request() {
    let site = small_site();
    let draft = ARTICLE.replace("topics = [\"bones\"]", "topics = [\"bones\"]\ndraft = true");
    site.write("articles/wip.md", &format!("{draft}\nText.\n"));
    site.build().success();
    assert!(!site.path().join("public/articles/wip").exists());
    site.run(&["build", "--drafts"]).success();
    assert!(site.path().join("public/articles/wip/index.html").exists());
}

#[test]
fn base_url_with_a_sub_folder_prefixes_every_link() {
    let site = small_site();
    site.run(&["build", "--base-url", "https://example.org/bones/"])
        .success();
    let article = site.read("public/articles/bones/index.html");
    assert!(
        article.contains(r#"href="/bones/glossary/calcium/""#),
        "{article}"
    );
    assert!(article.contains(r#"href="/bones/style."#), "{article}");
}

/// Each page numbers its glossary notes from one, whatever other pages hold:
/// a note renders once per term and number, not once per term.
#[test]
fn glossary_notes_are_numbered_per_page() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee [calcium](../glossary/calcium.md) and [bone](../glossary/bone.md).\n\
         //- articles/b.md\n{ARTICLE}\nSee [bone](../glossary/bone.md) and [calcium](../glossary/calcium.md).\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\nsummary = \"A mineral in bones.\"\n+++\n\nUsed in [a](../articles/a.md).\n\
         //- glossary/bone.md\n+++\nterm = \"Bone\"\nsummary = \"Living tissue.\"\n+++\n\nUsed in [b](../articles/b.md).\n\
         //- pages/about.md\n+++\ntitle = \"About\"\ndescription = \"Who we are.\"\n+++\n\nWe write about bones.\n\
         //- pages/accessibility.md\n+++\ntitle = \"Accessibility\"\ndescription = \"How we test.\"\n+++\n\nWe test.\n"
    ));
    site.build().success();
    let a = site.read("public/articles/a/index.html");
    let b = site.read("public/articles/b/index.html");
    for (page, first, second) in [(&a, "calcium", "bone"), (&b, "bone", "calcium")] {
        assert!(page.contains(&format!(r#"id="term-{first}-1""#)), "{page}");
        assert!(page.contains(&format!(r#"id="term-{second}-2""#)), "{page}");
    }
}
