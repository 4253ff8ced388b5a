//! The incremental rebuild behind `serve`: after every edit it equals a cold
//! build of the same folder, byte for byte, and re-renders only what the edit
//! affects.

use std::path::Path;

use osteon::serve::project::{Project, Rebuild};
use osteon::{Options, compile, load};

use crate::support::{ARTICLE, Site, built_in};

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

/// Asserts that the project reports exactly what a cold check reports.
#[track_caller]
fn assert_same_diagnostics(site: &Site, project: &Project) {
    let (sources, mut cold) = load::load(site.path()).unwrap();
    cold.extend(compile(&sources, &options(site)).diagnostics);
    osteon::diagnostic::sort(&mut cold);
    assert_eq!(project.diagnostics(), cold.as_slice());
}

fn titled(title: &str) -> String {
    ARTICLE.replace("title = \"A\"", &format!("title = \"{title}\""))
}

fn codes_by_file(project: &Project) -> Vec<(&str, &str)> {
    project
        .diagnostics()
        .iter()
        .map(|d| (d.code.as_str(), d.file.as_str()))
        .collect()
}

fn rebuild(project: &mut Project, site: &Site, paths: &[&str]) -> Rebuild {
    let paths: Vec<std::path::PathBuf> = paths.iter().map(|p| site.path().join(p)).collect();
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    project.rebuild(&refs).unwrap()
}

/// Rebuilds after a broken save: it fails with `expected` (code, file), as a
/// cold build would, and the last good outputs keep serving.
#[track_caller]
fn assert_rejected(
    project: &mut Project,
    site: &Site,
    paths: &[&str],
    expected: &[(&str, &str)],
    good: &osteon::render::Outputs,
) {
    let r = rebuild(project, site, paths);
    assert!(!r.ok);
    assert_eq!(codes_by_file(project), expected);
    assert_same_diagnostics(site, project);
    assert_eq!(project.outputs(), good);
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

    // A template edit rebuilds everything: the site's override appearing,
    // then changing.
    let base = built_in("templates/base.html");
    site.write(
        "templates/base.html",
        &base.replace("<body>", "<body class=\"edited\">"),
    );
    let r = rebuild(&mut project, &site, &["templates/base.html"]);
    assert!(r.ok && r.changed.len() > 5, "{r:?}");
    assert_same_as_cold(&site, &project);
    site.write(
        "templates/base.html",
        &base.replace("<body>", "<body class=\"edited again\">"),
    );
    let r = rebuild(&mut project, &site, &["templates/base.html"]);
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

/// Three pages linking to b, one with an anchor: what an edit of b changes
/// elsewhere.
fn linked_fixture() -> Site {
    Site::new(&format!(
        "//- articles/a.md\n{}\n## Start\n\nRead [b risks](b.md#risks).\n\
         //- articles/b.md\n{}\n## Risks\n\nBody of b, see [a](a.md).\n\
         //- articles/c.md\n{}\nSee [b](b.md).\n",
        titled("Ay"),
        titled("Bee"),
        titled("Cee")
    ))
}

#[test]
fn removing_a_heading_another_page_links_to_breaks_that_page() {
    let site = linked_fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    let good = project.outputs().clone();
    site.write(
        "articles/b.md",
        &format!(
            "{}\n## Dangers\n\nBody of b, see [a](a.md).\n",
            titled("Bee")
        ),
    );
    assert_rejected(
        &mut project,
        &site,
        &["articles/b.md"],
        &[("broken-anchor", "articles/a.md")],
        &good,
    );

    // The heading back under its old name: the link lands again.
    site.write(
        "articles/b.md",
        &format!("{}\n## Risks\n\nBody of b, see [a](a.md).\n", titled("Bee")),
    );
    let r = rebuild(&mut project, &site, &["articles/b.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_as_cold(&site, &project);
}

#[test]
fn renaming_a_title_updates_the_backlinks_shown_on_other_pages() {
    let site = Site::new(&format!(
        "//- glossary/t.md\n+++\nterm = \"T\"\nsummary = \"A term.\"\n+++\nA term.\n\
         //- articles/a.md\n{}\nOn [t](../glossary/t.md).\n\
         //- articles/c.md\n{}\nAlso on [t](../glossary/t.md).\n",
        titled("Ay"),
        titled("Cee")
    ));
    let mut project = Project::open(&options(&site)).unwrap();
    // The entry lists the pages mentioning it by title.
    let backlinks = |project: &Project| {
        let page = String::from_utf8_lossy(project.output("glossary/t/index.html").unwrap());
        let list = &page[page.find("Pages that mention this").unwrap()..];
        ["Ay", "Cee", "Zed"]
            .into_iter()
            .filter_map(|title| list.find(&format!(">{title}<")).map(|at| (at, title)))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect::<Vec<_>>()
    };
    assert_eq!(backlinks(&project), ["Ay", "Cee"]);

    site.write(
        "articles/a.md",
        &format!("{}\nOn [t](../glossary/t.md).\n", titled("Zed")),
    );
    let r = rebuild(&mut project, &site, &["articles/a.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert!(
        r.changed.contains(&"glossary/t/index.html".to_string()),
        "{r:?}"
    );
    assert_eq!(backlinks(&project), ["Cee", "Zed"]);
    assert_same_as_cold(&site, &project);
}

#[test]
fn deleting_a_linked_article_breaks_its_linkers_and_adding_it_back_mends_them() {
    let site = linked_fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    let good = project.outputs().clone();
    let b = site.read("articles/b.md");
    std::fs::remove_file(site.path().join("articles/b.md")).unwrap();
    assert_rejected(
        &mut project,
        &site,
        &["articles/b.md"],
        &[
            ("broken-link", "articles/a.md"),
            ("broken-link", "articles/c.md"),
        ],
        &good,
    );

    site.write("articles/b.md", &b);
    let r = rebuild(&mut project, &site, &["articles/b.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_as_cold(&site, &project);
    assert_eq!(project.outputs(), &good);
}

#[test]
fn a_link_to_a_missing_page_lands_once_the_page_is_created() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee [x](x.md) and [c](c.md).\n\
         //- articles/c.md\n{ARTICLE}\nAlone.\n"
    ));
    // Opened with an error: nothing can be served yet.
    let mut project = Project::open(&options(&site)).unwrap();
    assert_eq!(codes_by_file(&project), [("broken-link", "articles/a.md")]);
    assert_same_diagnostics(&site, &project);

    // A file of that name elsewhere changes the hint of the broken link.
    site.write(
        "glossary/x.md",
        "+++\nterm = \"X\"\nsummary = \"An x.\"\n+++\nAn x.\n",
    );
    let r = rebuild(&mut project, &site, &["glossary/x.md"]);
    assert!(!r.ok);
    assert_same_diagnostics(&site, &project);

    // Creating the page: every page is served, as a cold build would.
    site.write("articles/x.md", &format!("{}\nThe x page.\n", titled("Ex")));
    let r = rebuild(&mut project, &site, &["articles/x.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_as_cold(&site, &project);
}

#[test]
fn a_page_made_a_draft_breaks_its_linkers_until_it_is_published_again() {
    let site = linked_fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    let b = site.read("articles/b.md");
    site.write(
        "articles/b.md",
        &b.replace("+++\n\n", "draft = true\n+++\n\n"),
    );
    let draft = site.read("articles/b.md");
    assert!(draft.contains("draft = true"), "{draft}");
    let r = rebuild(&mut project, &site, &["articles/b.md"]);
    assert!(!r.ok);
    assert!(
        project
            .diagnostics()
            .iter()
            .all(|d| d.message.contains("draft")),
        "{:?}",
        project.diagnostics()
    );
    assert_same_diagnostics(&site, &project);

    site.write("articles/b.md", &b);
    let r = rebuild(&mut project, &site, &["articles/b.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_as_cold(&site, &project);
}

#[test]
fn a_folder_removed_or_renamed_rebuilds_everything() {
    let site = fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    // `articles/a.md` links to `glossary/t.md`, which goes with its folder.
    std::fs::rename(
        site.path().join("glossary"),
        site.path().join("old-glossary"),
    )
    .unwrap();
    let r = rebuild(&mut project, &site, &["glossary", "old-glossary"]);
    assert!(!r.ok);
    assert_same_diagnostics(&site, &project);

    std::fs::rename(
        site.path().join("old-glossary"),
        site.path().join("glossary"),
    )
    .unwrap();
    let r = rebuild(&mut project, &site, &["glossary", "old-glossary"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_as_cold(&site, &project);

    // A folder named like a page is not a page.
    std::fs::create_dir(site.path().join("articles/folder.md")).unwrap();
    let r = rebuild(&mut project, &site, &["articles/folder.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_as_cold(&site, &project);
}

/// Links the Markdown check leaves to the output check: links in raw HTML.
fn absolute_link_fixture() -> Site {
    Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee <a href=\"/articles/n/#start\">n</a>.\n\
         //- articles/n.md\n{}\n## Start\n\nThe n page.\n\
         //- articles/c.md\n{ARTICLE}\nAlone.\n",
        titled("En")
    ))
}

#[test]
fn a_page_added_after_startup_can_be_linked_to_with_a_fragment() {
    let site = Site::new(&format!("//- articles/a.md\n{ARTICLE}\nAlone.\n"));
    let mut project = Project::open(&options(&site)).unwrap();
    site.write(
        "articles/n.md",
        &format!("{}\n## Start\n\nThe n page.\n", titled("En")),
    );
    let r = rebuild(&mut project, &site, &["articles/n.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());

    site.write(
        "articles/a.md",
        &format!("{ARTICLE}\nSee <a href=\"/articles/n/#start\">n</a>.\n"),
    );
    let r = rebuild(&mut project, &site, &["articles/a.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_as_cold(&site, &project);

    // Raw HTML's links are checked on their source line, against the ids
    // of the page linked to.
    site.write(
        "articles/a.md",
        &format!("{ARTICLE}\nSee <a href=\"/articles/n/#finish\">n</a>.\n"),
    );
    let r = rebuild(&mut project, &site, &["articles/a.md"]);
    assert!(!r.ok);
    assert_eq!(
        codes_by_file(&project),
        [("broken-anchor", "articles/a.md")]
    );
    assert_same_diagnostics(&site, &project);
}

#[test]
fn deleting_a_page_linked_to_only_from_output_breaks_its_linkers_until_fixed() {
    let site = absolute_link_fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    assert!(
        project.diagnostics().is_empty(),
        "{:?}",
        project.diagnostics()
    );
    let good = project.outputs().clone();

    std::fs::remove_file(site.path().join("articles/n.md")).unwrap();
    assert_rejected(
        &mut project,
        &site,
        &["articles/n.md"],
        &[("broken-link", "articles/a.md")],
        &good,
    );

    // Another edit while the deletion waits: still reported, still not served.
    site.write("articles/c.md", &format!("{ARTICLE}\nAlone again.\n"));
    let r = rebuild(&mut project, &site, &["articles/c.md"]);
    assert!(!r.ok);
    assert_same_diagnostics(&site, &project);
    assert!(project.output("articles/n/index.html").is_some());

    // Fixing the link applies the deletion.
    site.write("articles/a.md", &format!("{ARTICLE}\nNo link now.\n"));
    let r = rebuild(&mut project, &site, &["articles/a.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert!(
        r.removed.contains(&"articles/n/index.html".to_string()),
        "{r:?}"
    );
    assert_same_as_cold(&site, &project);

    // And a page added back under the same path is indexed again.
    site.write(
        "articles/n.md",
        &format!("{}\n## Start\n\nThe n page.\n", titled("En")),
    );
    assert!(rebuild(&mut project, &site, &["articles/n.md"]).ok);
    site.write(
        "articles/a.md",
        &format!("{ARTICLE}\nSee <a href=\"/articles/n/#start\">n</a>.\n"),
    );
    let r = rebuild(&mut project, &site, &["articles/a.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_as_cold(&site, &project);
}

#[test]
fn a_placeholder_saved_on_any_kind_of_page_is_reported_as_check_reports_it() {
    let site = fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    let good = project.outputs().clone();
    for (path, text) in [
        (
            "glossary/t.md",
            "+++\nterm = \"T\"\nsummary = \"TODO: a summary.\"\n+++\nSee [a](../articles/a.md).\n",
        ),
        (
            "pages/about.md",
            "+++\ntitle = \"About\"\ndescription = \"D.\"\n+++\n\nTODO: write this.\n",
        ),
    ] {
        let before = site.read(path);
        site.write(path, text);
        assert_rejected(
            &mut project,
            &site,
            &[path],
            &[("placeholder", path)],
            &good,
        );
        site.write(path, &before);
        assert!(rebuild(&mut project, &site, &[path]).ok);
        assert_same_as_cold(&site, &project);
    }
}

#[test]
fn an_edit_that_changes_the_menus_or_a_topic_name_renders_every_page() {
    let site = fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    let pages = project.outputs().files.len();

    // The default menus link to the about page only while it exists.
    std::fs::remove_file(site.path().join("pages/about.md")).unwrap();
    let r = rebuild(&mut project, &site, &["pages/about.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_eq!(r.rendered, pages - 1);
    assert_same_as_cold(&site, &project);
    site.write(
        "pages/about.md",
        "+++\ntitle = \"About\"\ndescription = \"D.\"\n+++\nText.\n",
    );
    assert!(rebuild(&mut project, &site, &["pages/about.md"]).ok);
    assert_same_as_cold(&site, &project);

    // The first article in path order spells the topic as every page shows it.
    site.write(
        "articles/a.md",
        &format!(
            "{}\n## Start\n\nRead [b](b.md) and [t](../glossary/t.md).\n",
            ARTICLE.replace("[\"bones\"]", "[\"Bones\"]")
        ),
    );
    assert!(rebuild(&mut project, &site, &["articles/a.md"]).ok);
    assert_same_as_cold(&site, &project);
    assert!(
        String::from_utf8_lossy(project.output("articles/c/index.html").unwrap())
            .contains("All articles about Bones")
    );
}

/// A Markdown link written from the site root is a link to a source: an
/// edit that breaks it is reported on its line, as a cold build reports it,
/// and a glossary entry that claims another's word is reported after an edit.
#[test]
fn root_links_and_glossary_claims_are_rechecked_after_an_edit() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee [n](/articles/n/#start) and [t](/glossary/t/).\n\
         //- articles/n.md\n{}\n## Start\n\nThe n page.\n\
         //- glossary/t.md\n+++\nterm = \"T\"\nsummary = \"S.\"\n+++\n\nText.\n",
        titled("En")
    ));
    let mut project = Project::open(&options(&site)).unwrap();
    assert!(
        project.diagnostics().is_empty(),
        "{:?}",
        project.diagnostics()
    );
    let good = project.outputs().clone();
    std::fs::remove_file(site.path().join("articles/n.md")).unwrap();
    assert_rejected(
        &mut project,
        &site,
        &["articles/n.md"],
        &[("broken-link", "articles/a.md")],
        &good,
    );
    site.write(
        "articles/n.md",
        &format!("{}\n## Start\n\nThe n page.\n", titled("En")),
    );
    assert!(rebuild(&mut project, &site, &["articles/n.md"]).ok);

    site.write(
        "glossary/u.md",
        "+++\nterm = \"U\"\naliases = [\"t\"]\nsummary = \"S.\"\n+++\n\nText.\n",
    );
    assert_rejected(
        &mut project,
        &site,
        &["glossary/u.md"],
        &[("duplicate-term", "glossary/u.md")],
        &good,
    );
    // The claim moves down a line: the error follows it, as a cold check says.
    site.write(
        "glossary/u.md",
        "+++\nterm = \"U\"\nsummary = \"S.\"\naliases = [\"t\"]\n+++\n\nText.\n",
    );
    rebuild(&mut project, &site, &["glossary/u.md"]);
    assert_same_diagnostics(&site, &project);
    // An article's edit leaves the glossary's claims and the addresses as
    // they were, without looking at them again.
    site.write(
        "articles/n.md",
        &format!("{}\n## Start\n\nThe n page, again.\n", titled("En")),
    );
    rebuild(&mut project, &site, &["articles/n.md"]);
    assert_same_diagnostics(&site, &project);
}

#[test]
fn a_page_added_at_a_generated_address_is_reported_until_it_is_renamed() {
    let site = fixture();
    let mut project = Project::open(&options(&site)).unwrap();
    let good = project.outputs().clone();
    let page = "+++\ntitle = \"Words\"\ndescription = \"D.\"\n+++\n\nText.\n";
    site.write("pages/glossary.md", page);
    assert_rejected(
        &mut project,
        &site,
        &["pages/glossary.md"],
        &[("duplicate-url", "pages/glossary.md")],
        &good,
    );
    std::fs::remove_file(site.path().join("pages/glossary.md")).unwrap();
    site.write("pages/words.md", page);
    assert!(
        rebuild(
            &mut project,
            &site,
            &["pages/glossary.md", "pages/words.md"]
        )
        .ok,
        "{:?}",
        project.diagnostics()
    );
    assert_same_as_cold(&site, &project);
}

/// A template error that only one article's content triggers belongs to that
/// page: fixing the content clears it, as a cold check of the same files shows.
#[test]
fn a_template_error_triggered_by_content_clears_when_the_content_is_fixed() {
    let site = fixture();
    let article = built_in("templates/article.html").replacen(
        "{% block main %}",
        "{% block main %}{% if page.title == \"Boom\" %}{{ page.no_such_field }}{% endif %}",
        1,
    );
    assert!(
        article.contains("Boom"),
        "the article template has a main block"
    );
    site.write("templates/article.html", &article);
    let mut project = Project::open(&options(&site)).unwrap();
    assert!(
        project.diagnostics().is_empty(),
        "{:?}",
        project.diagnostics()
    );
    let good = project.outputs().clone();

    site.write("articles/c.md", &format!("{}\nBody.\n", titled("Boom")));
    assert_rejected(
        &mut project,
        &site,
        &["articles/c.md"],
        &[("template", "templates/article.html")],
        &good,
    );

    site.write("articles/c.md", &format!("{ARTICLE}\nAlone again.\n"));
    let r = rebuild(&mut project, &site, &["articles/c.md"]);
    assert!(r.ok, "{:?}", project.diagnostics());
    assert_same_diagnostics(&site, &project);
    assert_same_as_cold(&site, &project);
}

#[test]
fn a_bare_address_in_content_is_one_warning_after_every_edit() {
    // The warning is the content check's, on its line; the output check of
    // the re-rendered page, and of every page after one is deleted, leaves it.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee <https://example.org>.\n//- articles/b.md\n{ARTICLE}\nText.\n"
    ));
    let mut project = Project::open(&options(&site)).unwrap();
    assert_same_diagnostics(&site, &project);
    assert_eq!(
        codes_by_file(&project),
        [("accessibility", "articles/a.md")]
    );
    site.write(
        "articles/a.md",
        &format!("{ARTICLE}\nSee <https://example.org/x>.\n"),
    );
    assert!(rebuild(&mut project, &site, &["articles/a.md"]).ok);
    assert_same_diagnostics(&site, &project);
    assert_same_as_cold(&site, &project);
    std::fs::remove_file(site.path().join("articles/b.md")).unwrap();
    assert!(rebuild(&mut project, &site, &["articles/b.md"]).ok);
    assert_same_diagnostics(&site, &project);
    assert_eq!(
        codes_by_file(&project),
        [("accessibility", "articles/a.md")]
    );
}
