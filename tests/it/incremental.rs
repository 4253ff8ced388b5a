//! The incremental rebuild behind `serve`: after every edit it equals a cold
//! build of the same folder, byte for byte, and re-renders only what the edit
//! affects.

use std::path::Path;

use osteon::project::{Project, Rebuild};
use osteon::{Options, compile, load};

use crate::support::{ARTICLE, Site};

fn options(site: &Site) -> Options {
    Options {
        root: site.path().to_path_buf(),
        ..Options::default()
    }
}

/// Asserts that the project serves exactly what a cold build produces.
#[track_caller]
fn assert_same_as_cold(site: &Site, project: &Project) {
    let (sources, _) = load::load(site.path()).unwrap();
    let cold = compile(&sources, &options(site));
    let cold = cold.outputs.expect("the cold build succeeds");
    let served = project.outputs();
    let cold_keys: Vec<&String> = cold.files.keys().collect();
    let served_keys: Vec<&String> = served.files.keys().collect();
    assert_eq!(served_keys, cold_keys);
    for (path, bytes) in &cold.files {
        assert!(
            served.files[path] == *bytes,
            "{path} differs:\nserved: {}\ncold:   {}",
            String::from_utf8_lossy(&served.files[path]),
            String::from_utf8_lossy(bytes)
        );
    }
}

fn rebuild(project: &mut Project, site: &Site, paths: &[&str]) -> Rebuild {
    let paths: Vec<std::path::PathBuf> = paths.iter().map(|p| site.path().join(p)).collect();
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    project.rebuild(&refs).unwrap()
}

fn fixture() -> Site {
    Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\n## Start\n\nRead [b](b.md) and [t](../glossary/t.md).\n\
         //- articles/b.md\n{ARTICLE}\n## Risks\n\nBody of b.\n\
         //- articles/c.md\n{ARTICLE}\nAlone.\n\
         //- glossary/t.md\n+++\nterm = \"T\"\nsummary = \"First summary.\"\n+++\nSee [a](../articles/a.md).\n"
    ))
}

#[test]
fn a_sequence_of_edits_gives_what_a_cold_build_gives() {
    let site = fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    assert_same_as_cold(&site, &project);

    // A body edit re-renders only that page.
    site.write(
        "articles/b.md",
        &format!("{ARTICLE}\n## Risks\n\nA new body of b.\n"),
    );
    let r = rebuild(&mut project, &site, &["articles/b.md"]);
    assert!(r.ok);
    assert_eq!(r.rendered, 1);
    assert_eq!(r.changed, ["articles/b/index.html"]);
    assert_same_as_cold(&site, &project);

    // A glossary summary shows on the pages linking to the entry.
    site.write(
        "glossary/t.md",
        "+++\nterm = \"T\"\nsummary = \"Second summary.\"\n+++\nSee [a](../articles/a.md).\n",
    );
    let r = rebuild(&mut project, &site, &["glossary/t.md"]);
    assert!(
        r.ok && r.changed.contains(&"articles/a/index.html".to_string()),
        "{r:?}"
    );
    assert_same_as_cold(&site, &project);

    // A new page linking to b: b's backlinks change.
    site.write(
        "articles/d.md",
        &format!("{ARTICLE}\nSee [b](b.md#risks).\n"),
    );
    let r = rebuild(&mut project, &site, &["articles/d.md"]);
    assert!(
        r.ok && r.changed.contains(&"articles/b/index.html".to_string()),
        "{r:?}"
    );
    assert_same_as_cold(&site, &project);

    // Deleting a page nothing links to.
    std::fs::remove_file(site.path().join("articles/c.md")).unwrap();
    let r = rebuild(&mut project, &site, &["articles/c.md"]);
    assert!(r.ok);
    assert_eq!(r.removed, ["articles/c/index.html"]);
    assert_same_as_cold(&site, &project);

    // Renaming a page: the old path goes, the new one comes.
    std::fs::rename(
        site.path().join("articles/d.md"),
        site.path().join("articles/e.md"),
    )
    .unwrap();
    let r = rebuild(&mut project, &site, &["articles/d.md", "articles/e.md"]);
    assert!(r.ok);
    assert_same_as_cold(&site, &project);

    // A title change reaches the pages that show it.
    site.write(
        "articles/b.md",
        &format!(
            "{}\n## Risks\n\nA new body of b.\n",
            ARTICLE.replace("title = \"A\"", "title = \"Bee\"")
        ),
    );
    let r = rebuild(&mut project, &site, &["articles/b.md"]);
    assert!(r.ok);
    assert_same_as_cold(&site, &project);

    // A template edit rebuilds everything.
    let base = site.read("themes/default/templates/base.html");
    site.write(
        "themes/default/templates/base.html",
        &base.replace("<body>", "<body class=\"edited\">"),
    );
    let r = rebuild(&mut project, &site, &["themes/default/templates/base.html"]);
    assert!(r.ok && r.changed.len() > 5, "{r:?}");
    assert_same_as_cold(&site, &project);
}

#[test]
fn a_broken_save_keeps_the_last_good_site_and_reports_it() {
    let site = fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    let good = project.outputs().clone();

    // Deleting a page that others link to breaks them.
    std::fs::remove_file(site.path().join("articles/b.md")).unwrap();
    let r = rebuild(&mut project, &site, &["articles/b.md"]);
    assert!(!r.ok);
    assert_eq!(
        project.outputs(),
        &good,
        "the last good site is still served"
    );
    let broken: Vec<&str> = project
        .diagnostics()
        .iter()
        .filter(|d| d.code.as_str() == "broken-link")
        .map(|d| d.file.as_str())
        .collect();
    assert_eq!(broken, ["articles/a.md"]);

    // Bad front matter while broken: still the last good site.
    site.write("articles/c.md", "+++\ntitle = \n+++\n");
    let r = rebuild(&mut project, &site, &["articles/c.md"]);
    assert!(!r.ok);
    assert_eq!(project.outputs(), &good);

    // Fixing both brings the site back, equal to a cold build.
    site.write("articles/b.md", &format!("{ARTICLE}\n## Risks\n\nBack.\n"));
    site.write("articles/c.md", &format!("{ARTICLE}\nAlone again.\n"));
    let r = rebuild(&mut project, &site, &["articles/b.md", "articles/c.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert!(project.diagnostics().is_empty());
    assert_same_as_cold(&site, &project);
}

#[test]
fn data_and_config_edits_rebuild_what_uses_them() {
    let site = Site::new(&format!(
        "//- data/d.toml\nsource = \"S\"\nreviewed = 2026-01-01\n\n[tables.x]\ncaption = \"C\"\nmeasure = \"M\"\n\n[[tables.x.rows]]\nkey = \"low\"\nname = \"Low\"\nupper = {{ value = 1.0, inclusive = true }}\n\n[[tables.x.rows]]\nkey = \"high\"\nname = \"High\"\nlower = {{ value = 1.0, inclusive = false }}\n\
         //- articles/a.md\n{ARTICLE}\nValue {{{{ data_value(data=\"d\", table=\"x\", row=\"low\") }}}}.\n"
    ));
    let mut project = Project::open(&options(&site)).unwrap();
    let data = site.read("data/d.toml");
    site.write("data/d.toml", &data.replace("1.0", "2.0"));
    let r = rebuild(&mut project, &site, &["data/d.toml"]);
    assert!(
        r.ok && r.changed.contains(&"articles/a/index.html".to_string()),
        "{r:?}"
    );
    assert_same_as_cold(&site, &project);
    let config = site.read("site.toml");
    site.write("site.toml", &config.replace("Test site", "Renamed site"));
    let r = rebuild(&mut project, &site, &["site.toml"]);
    assert!(r.ok);
    assert_same_as_cold(&site, &project);
    assert!(
        String::from_utf8_lossy(project.output("index.html").unwrap()).contains("Renamed site")
    );
}
