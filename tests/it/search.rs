//! Search: the search page, the header's form and the index `build` makes
//! (what is indexed, and what is not), a theme without a search page, and the
//! addresses search claims. The browser test (`browser.rs`) searches.

use std::io::Read;
use std::path::Path;

use crate::support::{ARTICLE, Site, built_in};

/// A site with an article that links to a glossary entry with an alias.
fn site(extra: &str) -> Site {
    Site::new(&format!(
        "//- articles/bones.md\n{ARTICLE}\n## Strong bones\n\nBones need [calcium](../glossary/calcium.md) and walking.\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\naliases = [\"calcium carbonate\"]\nsummary = \"A mineral in bones.\"\n+++\n\nCalcium is a mineral.\n\
         {extra}"
    ))
}

/// The text Pagefind keeps of each indexed page, by URL: its fragments,
/// gzipped JSON behind a signature.
fn indexed(out: &Path) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(out.join("pagefind/fragment")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_str(text.strip_prefix("pagefind_dcd").unwrap()).unwrap();
        pages.push((
            json["url"].as_str().unwrap().to_string(),
            format!("{} {}", json["meta"], json["content"]),
        ));
    }
    pages.sort();
    pages
}

#[test]
fn build_writes_a_search_page_a_form_on_every_page_and_the_index() {
    let site = site("");
    site.run(&["check", "--strict"]).success();
    site.build().success();
    let search = site.read("public/search/index.html");
    assert!(search.contains("<h1>Search</h1>"), "{search}");
    assert!(search.contains("Search needs JavaScript"), "{search}");
    assert!(search.contains("href=\"/glossary/\""), "{search}");
    assert!(search.contains("href=\"/topics/\""), "{search}");
    assert!(
        search.contains("data-index=\"/pagefind/pagefind.js\""),
        "{search}"
    );
    // The page's own form only: the header's would be a second search landmark.
    assert_eq!(search.matches("role=search").count(), 1, "{search}");
    assert!(!search.contains("site-search-q"), "{search}");
    let script = search
        .split("<script ")
        .nth(1)
        .expect("the search page has a script");
    assert!(
        script.starts_with("src=\"/search.") && script.contains("type=module>"),
        "{script}"
    );

    for page in [
        "index.html",
        "articles/bones/index.html",
        "glossary/index.html",
        "404.html",
    ] {
        let html = site.read(&format!("public/{page}"));
        assert!(
            html.contains("<form action=\"/search/\" class=site-search role=search>"),
            "{page}: {html}"
        );
        assert!(!html.contains("<script src"), "{page}");
    }
    for file in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-worker.js",
        "pagefind/pagefind-entry.json",
    ] {
        assert!(site.path().join("public").join(file).is_file(), "{file}");
    }
    for unused in ["pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css"] {
        assert!(
            !site.path().join("public").join(unused).exists(),
            "{unused}"
        );
    }
    assert!(!site.read("public/sitemap.xml").contains("/search/"));
}

#[test]
fn only_the_main_content_of_articles_glossary_entries_and_pages_is_indexed() {
    let site = site("");
    site.build().success();
    let pages = indexed(&site.path().join("public"));
    let urls: Vec<&str> = pages.iter().map(|(url, _)| url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "/about/",
            "/accessibility/",
            "/articles/bones/",
            "/glossary/calcium/"
        ]
    );
    let text = |url: &str| &pages.iter().find(|(u, _)| u == url).unwrap().1;
    let article = text("/articles/bones/");
    assert!(
        article.contains("Bones need calcium and walking"),
        "{article}"
    );
    assert!(article.contains("\"kind\":\"Article\""), "{article}");
    assert!(article.contains("\"description\":\"D.\""), "{article}");
    // Not the header, menus, footer, review dates or the glossary note.
    for outside in [
        "Skip to main content",
        "For education only",
        "reviewed",
        "A mineral in bones",
    ] {
        assert!(
            !article.contains(outside),
            "{outside} is indexed: {article}"
        );
    }
    let entry = text("/glossary/calcium/");
    assert!(entry.contains("calcium carbonate"), "the alias: {entry}");
    assert!(entry.contains("\"kind\":\"Glossary\""), "{entry}");
    assert!(!entry.contains("Pages that mention this"), "{entry}");
}

/// A site that overrides `article.html` with a copy made before search
/// (no `data-pagefind-body`) keeps its articles searchable: their `<main>`.
#[test]
fn an_override_without_the_search_marks_keeps_its_pages_in_the_index() {
    let article = built_in("templates/article.html")
        .replace(" data-pagefind-body", "")
        .replace(" data-pagefind-meta=\"kind:Article\"", "");
    assert!(!article.contains("data-pagefind-body"));
    let site = site(&format!("//- templates/article.html\n{article}"));
    site.build().success();
    let pages = indexed(&site.path().join("public"));
    let (_, text) = pages.iter().find(|(u, _)| u == "/articles/bones/").unwrap();
    assert!(text.contains("Bones need calcium and walking"), "{text}");
    assert!(!text.contains("Skip to main content"), "{text}");
}

#[test]
fn under_a_sub_path_the_form_and_the_index_follow_the_base_url() {
    let site = site("");
    site.run(&["build", "--base-url", "https://example.org/health/"])
        .success();
    let home = site.read("public/index.html");
    assert!(home.contains("action=\"/health/search/\""), "{home}");
    let search = site.read("public/search/index.html");
    assert!(
        search.contains("data-index=\"/health/pagefind/pagefind.js\""),
        "{search}"
    );
    // The index holds addresses from the site root; Pagefind adds the base
    // path from where its script is, so the index is the same for any base.
    let urls: Vec<String> = indexed(&site.path().join("public"))
        .into_iter()
        .map(|(url, _)| url)
        .collect();
    assert!(urls.contains(&"/articles/bones/".to_string()), "{urls:?}");
}

/// A theme of a site's own without `search.html` has no search: no page, no
/// index, and `site.search_url` is empty, so the default `base.html` shows no form.
#[test]
fn a_theme_without_a_search_page_has_no_search() {
    let site = site("");
    site.copy_default_theme("mine");
    std::fs::remove_file(site.path().join("themes/mine/templates/search.html")).unwrap();
    let config = site.read("site.toml");
    site.write("site.toml", &format!("{config}theme = \"mine\"\n"));
    site.run(&["check", "--strict"]).success();
    site.build().success();
    assert!(!site.path().join("public/search").exists());
    assert!(!site.path().join("public/pagefind").exists());
    let home = site.read("public/index.html");
    assert!(!home.contains("site-search"), "{home}");
}

/// The search page is checked like every index page: `check` reports a
/// broken override of it as `build` does.
#[test]
fn check_and_build_report_a_broken_search_template_alike() {
    let broken =
        built_in("templates/search.html").replace("{{ site.search_url }}", "{{ site.serch_url }}");
    let site = site(&format!("//- templates/search.html\n{broken}"));
    let (check, _) = site.fail_alike(&[]);
    assert!(
        check.stderr.contains("templates/search.html"),
        "{}",
        check.stderr
    );
}

/// A link to the search page from Markdown is left to the output check,
/// which finds the page.
#[test]
fn a_link_to_the_search_page_is_valid() {
    let site = site(
        "//- pages/help.md\n+++\ntitle = \"Help\"\ndescription = \"D.\"\n+++\n\nUse [the search page](/search/).\n",
    );
    site.run(&["check", "--strict"]).success();
    site.build().success();
}

/// The search page's address and the index's folder are osteon's.
#[test]
fn a_page_or_static_file_where_search_is_published_is_a_duplicate_url() {
    let site = site(
        "//- pages/search.md\n+++\ntitle = \"Search\"\ndescription = \"D.\"\n+++\n\nText.\n\
         //- static/pagefind/pagefind.js\nalert(1)\n",
    );
    let (check, _) = site.fail_alike(&[]);
    let codes = site.check_json();
    assert!(
        codes.contains(&("duplicate-url".into(), "pages/search.md".into(), 1, 1)),
        "{codes:?}\n{}",
        check.stderr
    );
    assert!(
        codes.contains(&(
            "duplicate-url".into(),
            "static/pagefind/pagefind.js".into(),
            1,
            1
        )),
        "{codes:?}"
    );
}
