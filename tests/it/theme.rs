//! The built-in theme, the site's own `templates/` and `static/` over it, and
//! themes on disk: what is used, and which file a diagnostic names.

use crate::support::{ARTICLE, SITE_TOML, Site, built_in, d};

/// A site with one article that links to a glossary entry.
fn site(extra: &str) -> Site {
    Site::new(&format!(
        "//- articles/bones.md\n{ARTICLE}\n## Strong bones\n\nSee [calcium](../glossary/calcium.md).\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\nsummary = \"A mineral in bones.\"\n+++\n\nCalcium.\n\
         {extra}"
    ))
}

/// Both `check` and `build` fail, each naming `file:line:column`, and the
/// output is left as it was.
#[track_caller]
fn both_fail_at(site: &Site, at: &str) {
    let output = || {
        let exists = site.path().join("public").exists();
        exists.then(|| site.snapshot_output())
    };
    let before = output();
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        run.failure();
        assert!(
            run.stderr.contains(&format!("--> {at}\n")),
            "{command} does not name {at}:\n{}",
            run.stderr
        );
    }
    assert!(output() == before, "the output changed");
}

#[test]
fn a_site_with_no_theme_folder_builds_on_the_built_in_theme() {
    let site = site("");
    assert!(!site.path().join("themes").exists());
    site.run(&["check", "--strict"]).success();
    site.build().success();
    let page = site.read("public/articles/bones/index.html");
    assert!(page.contains("Skip to main content"), "{page}");
    let css = std::fs::read_dir(site.path().join("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("style.") && name.ends_with(".css"))
        .expect("the built-in style sheet is published");
    assert!(page.contains(&format!("/{css}\"")), "{page}");
    assert_eq!(
        site.read(&format!("public/{css}")),
        built_in("static/style.css")
    );
}

#[test]
fn a_themes_default_folder_does_not_replace_the_built_in_theme() {
    // `theme = "default"` is the theme inside osteon; a folder of that name
    // is not read, so a broken copy there changes nothing.
    let site = site(&format!(
        "//- site.toml\n{SITE_TOML}theme = \"default\"\n//- themes/default/templates/base.html\n{{{{ broken\n"
    ));
    site.run(&["check"]).success();
    site.build().success();
}

#[test]
fn a_template_override_is_used_and_the_rest_comes_from_the_theme() {
    let site = site("");
    let page = built_in("templates/page.html").replacen(
        "{% block main %}",
        "{% block main %}<p>Our own page template</p>",
        1,
    );
    assert_ne!(page, built_in("templates/page.html"));
    site.write("templates/page.html", &page);
    site.build().success();
    assert!(
        site.read("public/about/index.html")
            .contains("Our own page template")
    );
    let article = site.read("public/articles/bones/index.html");
    assert!(!article.contains("Our own page template"), "{article}");
    assert!(article.contains("Skip to main content"), "{article}");
}

#[test]
fn an_error_in_a_template_override_names_its_line() {
    let site = site(
        "//- templates/article.html\n{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.no_such_key }}</h1>\n{% endblock %}\n",
    );
    assert_eq!(
        site.check_json(),
        [d("template", "templates/article.html", 3, 13)]
    );
    both_fail_at(&site, "templates/article.html:3:13");
}

#[test]
fn a_syntax_error_in_a_partial_override_names_its_line() {
    // The built-in article template includes the partial; the site's copy is
    // broken on its second line.
    let site = site("//- templates/partials/breadcrumbs.html\n<nav>\n{% for crumb in %}\n</nav>\n");
    let json = site.check_json();
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(
        (json[0].0.as_str(), json[0].1.as_str(), json[0].2),
        ("template", "templates/partials/breadcrumbs.html", 2)
    );
    let at = format!("templates/partials/breadcrumbs.html:2:{}", json[0].3);
    both_fail_at(&site, &at);
}

#[test]
fn an_error_in_a_built_in_file_names_the_built_in_theme() {
    // The site's page template reuses the built-in breadcrumbs partial but
    // does not set the `crumbs` it lists: the error is in the theme's file.
    let site = site(
        "//- templates/page.html\n{% extends \"base.html\" %}\n\
         {% block breadcrumbs %}{% include \"partials/breadcrumbs.html\" %}{% endblock %}\n\
         {% block main %}<h1>{{ page.title }}</h1>{{ content }}{% endblock %}\n",
    );
    let json = site.check_json();
    let at = "theme:default/templates/partials/breadcrumbs.html";
    assert_eq!(json, [d("template", at, 4, 17)]);
    both_fail_at(&site, &format!("{at}:4:17"));
    // The snippet is the built-in file's own line.
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains("4 | {% for crumb in crumbs %}"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_shortcode_and_a_partial_can_be_added_or_replaced() {
    let site = site(
        "//- templates/shortcodes/callout.html\n<aside class=\"callout\">{{ text }}</aside>\n\
         //- templates/partials/term.html\n<span class=\"our-note\" id=\"{{ term.id }}\">{{ term.summary }}</span>\n",
    );
    site.write(
        "articles/bones.md",
        &format!(
            "{ARTICLE}\n## Strong bones\n\nSee [calcium](../glossary/calcium.md).\n\n{{{{ callout(text=\"Ask your clinician.\") }}}}\n"
        ),
    );
    site.build().success();
    let page = site.read("public/articles/bones/index.html");
    assert!(
        page.contains("callout>Ask your clinician.</aside>"),
        "{page}"
    );
    assert!(page.contains("our-note"), "{page}");
    assert!(!page.contains("term-button"), "{page}");
}

#[test]
fn a_static_file_of_the_site_replaces_the_theme_one_of_the_same_path() {
    let css = "body { color: #111; }\n";
    let site = site(&format!("//- static/style.css\n{css}"));
    site.build().success();
    let styles: Vec<String> = std::fs::read_dir(site.path().join("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("style."))
        .collect();
    assert_eq!(styles.len(), 1, "{styles:?}");
    assert_eq!(site.read(&format!("public/{}", styles[0])), css);
    let page = site.read("public/index.html");
    assert!(page.contains(&format!("/{}\"", styles[0])), "{page}");
}

#[test]
fn a_theme_on_disk_is_used_and_named() {
    let site = site(&format!("//- site.toml\n{SITE_TOML}theme = \"mine\"\n"));
    site.copy_default_theme("mine");
    let base = site.read("themes/mine/templates/base.html");
    site.write(
        "themes/mine/templates/base.html",
        &base.replace("<body>", "<body class=\"theme-mine\">"),
    );
    site.build().success();
    assert!(site.read("public/index.html").contains("theme-mine"));

    // The site's templates/ override a theme on disk too.
    site.write(
        "templates/article.html",
        "{% extends \"base.html\" %}\n{% block main %}<h1>{{ page.title }}</h1>{{ content }}{% endblock %}\n",
    );
    site.build().success();
    assert!(
        !site
            .read("public/articles/bones/index.html")
            .contains("class=\"lede\"")
    );

    site.write(
        "themes/mine/templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{{ page.nope }}\n{% endblock %}\n",
    );
    assert_eq!(
        site.check_json(),
        [d("template", "themes/mine/templates/page.html", 3, 9)]
    );
    both_fail_at(&site, "themes/mine/templates/page.html:3:9");
}

#[test]
fn a_theme_with_no_folder_is_an_error_on_its_line() {
    let site = site(&format!("//- site.toml\n{SITE_TOML}theme = \"mine\"\n"));
    // One error, on the `theme` line: not one per missing template.
    assert_eq!(site.check_json(), [d("config", "site.toml", 5, 9)]);
    both_fail_at(&site, "site.toml:5:9");
    let run = site.build();
    assert!(
        run.stderr
            .contains("there is no theme `mine`: the folder themes/mine/ does not exist"),
        "{}",
        run.stderr
    );
    // A name that is a path is no theme either.
    site.write("site.toml", &format!("{SITE_TOML}theme = \"../mine\"\n"));
    assert_eq!(site.check_json(), [d("config", "site.toml", 5, 9)]);
}
