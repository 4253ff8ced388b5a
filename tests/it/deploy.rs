//! Deploying: `base_url` validation, a site built for a sub-path, and an
//! output folder that holds the site and nothing of osteon's own.

use std::path::Path;

use crate::support::{ARTICLE, SITE_TOML, Site, d};

fn small_site() -> Site {
    Site::new(&format!(
        "//- articles/bones.md\n{ARTICLE}\n## Strong bones\n\nSee the [about page](/about/#team), \
         [calcium](/glossary/calcium/), the [bones topic](/topics/bones/) and the ![chart](/img/chart.png).\n\n\
         <p>Also <a href=\"/about/\">about us</a> and <img src=\"/img/chart.png\" alt=\"A chart\">.</p>\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\nsummary = \"A mineral in bones.\"\n+++\n\nUsed in [bones](../articles/bones.md).\n\
         //- pages/about.md\n+++\ntitle = \"About\"\ndescription = \"Who we are.\"\n+++\n\n## Team\n\nWe write about bones.\n\
         //- static/img/chart.png\npng\n"
    ))
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_bad_base_url_in_site_toml_is_an_error_on_its_line() {
    let site = small_site();
    site.write(
        "site.toml",
        &SITE_TOML.replace("https://example.org/", "example.org/health/"),
    );
    assert_eq!(site.check_json(), [d("config", "site.toml", 2, 12)]);
    let (_, build) = site.fail_alike(&[]);
    assert!(
        build
            .stderr
            .contains("`example.org/health/` is not an absolute http(s) URL"),
        "{}",
        build.stderr
    );
    assert!(!site.path().join("public").exists());
    for bad in [
        "ftp://example.org/",
        "https:///health/",
        "https://example.org/?x",
    ] {
        site.write("site.toml", &SITE_TOML.replace("https://example.org/", bad));
        assert_eq!(
            site.check_json(),
            [d("config", "site.toml", 2, 12)],
            "{bad}"
        );
    }
}

/// `--base-url` is checked as `base_url` is; a bad one is a mistake on the
/// command line, which clap reports (exit status 2) before anything runs.
#[test]
fn a_bad_base_url_flag_is_a_command_line_error() {
    let site = small_site();
    for command in ["build", "check"] {
        let run = site.run(&[command, "--base-url", "example.org/health/"]);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("invalid value 'example.org/health/' for '--base-url")
                && run.stderr.contains("is not an absolute http(s) URL"),
            "{}",
            run.stderr
        );
    }
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_sub_path_build_gives_links_written_from_the_root_the_base_path() {
    let site = small_site();
    site.run(&["build", "--base-url", "https://example.org/health/"])
        .success();
    let article = site.read("public/articles/bones/index.html");
    for expected in [
        r#"<a href="/health/about/#team">about page</a>"#,
        r#"<a href="/health/glossary/calcium/">calcium</a>"#,
        r#"<a href="/health/topics/bones/">bones topic</a>"#,
        r#"<img src="/health/img/chart.png" alt="chart""#,
        r#"<a href="/health/about/">about us</a>"#,
        r#"<img src="/health/img/chart.png" alt="A chart">"#,
    ] {
        assert!(article.contains(expected), "{expected}\n{article}");
    }
    // A link to a glossary entry gets its in-place note however it is written.
    assert!(article.contains(r#"id="term-calcium-1""#), "{article}");
    // Built for the root, the same links start at `/`.
    site.build().success();
    let article = site.read("public/articles/bones/index.html");
    assert!(
        article.contains(r#"<a href="/about/#team">about page</a>"#),
        "{article}"
    );
}

/// Links written from the root are checked against the sources, like relative
/// ones: on their own line, by `check` as by `build`, on any page.
#[test]
fn a_broken_link_written_from_the_root_is_reported_on_its_line() {
    let site = small_site();
    site.write(
        "articles/zz.md",
        &format!(
            "{ARTICLE}\nSee [us](/abut/), [team](/about/#teem), [x](/img/chrt.png) \
             and [calcium](/articles/calcium/).\n"
        ),
    );
    assert_eq!(
        site.check_json(),
        [
            d("broken-link", "articles/zz.md", 9, 5),
            d("broken-anchor", "articles/zz.md", 9, 19),
            d("broken-link", "articles/zz.md", 9, 41),
            d("broken-link", "articles/zz.md", 9, 64),
        ]
    );
    let (_, build) = site.fail_alike(&["--base-url", "https://example.org/health/"]);
    for hint in [
        "help: did you mean `/about/`?",
        "help: did you mean `#team`?",
        "help: did you mean `/img/chart.png`?",
        "help: `glossary/calcium.md` exists; its address from the site root is `/glossary/calcium/`",
    ] {
        assert!(build.stderr.contains(hint), "{hint}\n{}", build.stderr);
    }
}

/// `check --base-url` checks the site as `build --base-url` builds it: here a
/// link to a page osteon generates, which only the output check can see.
#[test]
fn check_takes_the_base_url_that_build_takes() {
    let site = small_site();
    site.write(
        "articles/bones.md",
        &format!("{ARTICLE}\nSee [the bones topic](/topics/bonez/).\n"),
    );
    let flag = ["--base-url", "https://example.org/health/"];
    let (check, _) = site.fail_alike(&flag);
    assert!(
        check
            .stderr
            .contains("the generated page links to `/health/topics/bonez/`"),
        "{}",
        check.stderr
    );
    assert!(
        check
            .stderr
            .contains("did you mean `/health/topics/bones/`?")
    );
    let without = site.run(&["check"]);
    assert!(
        without.stderr.contains("links to `/topics/bonez/`"),
        "{}",
        without.stderr
    );
}

#[test]
fn the_output_folder_holds_the_site_and_nothing_of_osteons() {
    let site = small_site();
    site.build().success();
    let files = files_under(&site.path().join("public"));
    assert!(files.contains(&"index.html".to_string()));
    let own: Vec<&String> = files.iter().filter(|f| f.contains("osteon")).collect();
    assert!(own.is_empty(), "osteon's files in the output: {own:?}");
    assert!(site.path().join(".public.osteon").is_file());

    // Built elsewhere, the record sits beside that folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("www");
    site.run(&["build", "--output", out.to_str().unwrap()])
        .success();
    assert!(files_under(&out).iter().all(|f| !f.contains("osteon")));
    assert!(elsewhere.path().join(".www.osteon").is_file());
    // It owns that folder now: a stale file there goes.
    std::fs::write(out.join("stale.html"), "old").unwrap();
    let run = site.run(&["build", "--output", out.to_str().unwrap()]);
    run.success();
    assert!(run.stderr.contains("1 removed"), "{}", run.stderr);
}

/// A first build killed half-way leaves its record saying so, some pages
/// written, one cut short and a temporary file: the next build repairs it.
#[test]
fn an_interrupted_first_build_is_repaired() {
    let site = small_site();
    site.build().success();
    let good = site.snapshot_output();
    let record = site.read(".public.osteon");
    std::fs::remove_dir_all(site.path().join("public")).unwrap();
    // What the first build had done when it was killed: its record written
    // (before any page), two pages, one of them cut short.
    site.write(".public.osteon", &format!("{record}writing = true\n"));
    let home = good.iter().find(|(path, _)| path == "index.html").unwrap();
    site.write("public/index.html", &String::from_utf8_lossy(&home.1));
    site.write("public/articles/bones/index.html", "<!doctype html><p>half");
    site.write("public/articles/bones/.index.html.osteon-tmp", "half");
    let run = site.build();
    run.success();
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert_eq!(good, site.snapshot_output());
    // The record is a finished one again; its fingerprint (of the folder's
    // times, too) is the repair's own.
    let finished = |record: &str| {
        let lines = record.lines().filter(|l| !l.starts_with("fingerprint = "));
        lines.collect::<Vec<_>>().join("\n")
    };
    assert_eq!(finished(&site.read(".public.osteon")), finished(&record));
    // Repaired, the next build has nothing to do.
    let run = site.build();
    assert!(!run.stderr.contains("interrupted"), "{}", run.stderr);
    assert!(run.stderr.contains("0 written"), "{}", run.stderr);
}

/// A folder written by a version that kept its markers inside is still
/// osteon's; the markers go, and an interrupted write is repaired.
#[test]
fn an_output_folder_from_an_older_osteon_is_taken_over() {
    let site = small_site();
    site.build().success();
    let good = site.snapshot_output();
    std::fs::remove_file(site.path().join(".public.osteon")).unwrap();
    site.write(
        "public/.osteon",
        "This folder is written by osteon build.\n",
    );
    site.write("public/.osteon-writing", "");
    let run = site.build();
    run.success();
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert_eq!(good, site.snapshot_output());
    assert!(site.path().join(".public.osteon").is_file());
}

/// Without a record, a folder holding anything is left alone.
#[test]
fn a_folder_without_a_record_is_not_touched() {
    let site = small_site();
    site.build().success();
    std::fs::remove_file(site.path().join(".public.osteon")).unwrap();
    let before = site.snapshot_output();
    let run = site.build();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not made by osteon"), "{}", run.stderr);
    assert_eq!(before, site.snapshot_output());
}
