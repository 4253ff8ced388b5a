//! Search: the search page, the header's form and the index `build` makes
//! (what is indexed, and what is not), a theme without a search page, and the
//! addresses search claims. The browser test (`browser.rs`) searches.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::{ARTICLE, Site, built_in};

/// A site with an article that links to a glossary entry with an alias.
fn site(extra: &str) -> Site {
    Site::new(&format!(
        "//- articles/bones.md\n{ARTICLE}\n## Strong bones\n\nBones need [calcium](../glossary/calcium.md) and walking.\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\naliases = [\"calcium carbonate\"]\nsummary = \"A mineral in bones.\"\n+++\n\nCalcium is a mineral.\n\
         {extra}"
    ))
}

/// What the index holds of each page, by URL: its card (address, title,
/// description, kind) and its words, read back from the built site `out`.
fn indexed(out: &Path) -> Vec<(String, Value, BTreeSet<String>)> {
    let read = |path: String| -> Value {
        serde_json::from_slice(&std::fs::read(out.join(path)).unwrap()).unwrap()
    };
    let manifest = read("search-index/manifest.json".into());
    let mut pages: Vec<(String, Value, BTreeSet<String>)> = Vec::new();
    for group in manifest["groups"].as_array().unwrap() {
        for card in read(format!("search-index/p/{}.json", group.as_str().unwrap()))
            .as_array()
            .unwrap()
        {
            let url = format!("/{}", card[0].as_str().unwrap());
            pages.push((url, card.clone(), BTreeSet::new()));
        }
    }
    assert_eq!(manifest["pages"], pages.len());
    for chunk in manifest["chunks"].as_array().unwrap() {
        let words = read(format!(
            "search-index/w/{}.json",
            chunk[1].as_str().unwrap()
        ));
        for (word, list) in words.as_object().unwrap() {
            let list = list.as_array().unwrap();
            let mut page = 0;
            for step in list.iter().step_by(2) {
                page += step.as_u64().unwrap() as usize;
                pages[page].2.insert(word.clone());
            }
        }
    }
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
        search.contains("data-index=\"/search-index/manifest.json\""),
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
    assert!(
        site.path()
            .join("public/search-index/manifest.json")
            .is_file()
    );
    assert!(!site.read("public/sitemap.xml").contains("/search/"));
}

#[test]
fn only_the_main_content_of_articles_glossary_entries_and_pages_is_indexed() {
    let site = site("");
    site.build().success();
    let pages = indexed(&site.path().join("public"));
    let urls: Vec<&str> = pages.iter().map(|(url, _, _)| url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "/about/",
            "/accessibility/",
            "/articles/bones/",
            "/glossary/calcium/"
        ]
    );
    let page = |url: &str| pages.iter().find(|(u, _, _)| u == url).unwrap();
    let (_, card, words) = page("/articles/bones/");
    assert_eq!(
        card,
        &serde_json::json!(["articles/bones/", "A", "D.", "Article"])
    );
    for word in ["need", "calcium", "walking", "strong"] {
        assert!(words.contains(word), "{word} is not indexed: {words:?}");
    }
    // Not the header, menus, footer, review dates or the glossary note.
    for outside in ["skip", "education", "reviewed", "mineral", "mean"] {
        assert!(!words.contains(outside), "{outside} is indexed: {words:?}");
    }
    let (_, card, words) = page("/glossary/calcium/");
    assert_eq!(card[3], "Glossary");
    assert!(words.contains("carbonate"), "the alias: {words:?}");
    assert!(!words.contains("glossary"), "the kicker: {words:?}");
    assert!(!words.contains("mention"), "{words:?}");
}

/// A site that overrides `article.html` with a copy made before search
/// (no `data-search-body`) keeps its articles searchable: their `<main>`.
#[test]
fn an_override_without_the_search_marks_keeps_its_pages_in_the_index() {
    let article = built_in("templates/article.html").replace(" data-search-body", "");
    assert!(!article.contains("data-search-body"));
    let site = site(&format!("//- templates/article.html\n{article}"));
    site.build().success();
    let pages = indexed(&site.path().join("public"));
    let (_, _, words) = pages
        .iter()
        .find(|(u, _, _)| u == "/articles/bones/")
        .unwrap();
    assert!(words.contains("walking"), "{words:?}");
    assert!(!words.contains("skip"), "{words:?}");
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
        search.contains("data-index=\"/health/search-index/manifest.json\""),
        "{search}"
    );
    assert!(search.contains("data-base=\"/health/\""), "{search}");
    // The index holds addresses from the site root; the search page adds the
    // base path, so the index is the same for any base.
    let urls: Vec<String> = indexed(&site.path().join("public"))
        .into_iter()
        .map(|(url, _, _)| url)
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
    assert!(!site.path().join("public/search-index").exists());
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
         //- static/search-index/manifest.json\n{}\n",
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
            "static/search-index/manifest.json".into(),
            1,
            1
        )),
        "{codes:?}"
    );
}

/// The search page's script turns a query into words exactly as the index
/// was made: `words` in `static/search.js` against `search::words`, run in
/// Node over texts that try each part of the rule.
#[test]
fn the_script_and_the_index_agree_on_what_a_word_is() {
    let texts = [
        "Hip fractures, HRT & vitamin D.",
        "Bisphosphonates therapies therapy ties glasses virus osteoporosis",
        "Öl Straße ẞ façade Ærø Łódź Þór Ðað naïve ıi İstanbul œuvre",
        "low-trauma 10,000 T-score 2½ x²",
        "Ἀθῆναι Москва 東京 مرحبا",
        "don’t it's e.g. U.S.",
        "",
    ];
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "this test needs Node on CI"
        );
        eprintln!("skipping: `node` is not installed");
        return;
    }
    let script = built_in("static/search.js");
    let start = script.find("/* words:").expect("the words block");
    let end = script.find("/* words: end */").expect("its end");
    let program = format!(
        "{}\nconsole.log(JSON.stringify({}.map(words)));",
        &script[start..end],
        serde_json::to_string(&texts).unwrap()
    );
    let out = std::process::Command::new("node")
        .arg("-e")
        .arg(&program)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(theirs.len(), texts.len());
    assert!(theirs[2].contains(&"strasse".to_string()), "{theirs:?}");
    for (text, theirs) in texts.iter().zip(theirs) {
        let mut ours = Vec::new();
        osteon::search::words::words(text, |w| ours.push(w.to_string()));
        assert_eq!(ours, theirs, "{text}");
    }
}
