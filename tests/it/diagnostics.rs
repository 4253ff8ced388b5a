//! Bad input: each gives exit 1, a diagnostic at the right file and line, and
//! never a panic. Snapshots hold the exact text a user sees.

use crate::support::{ARTICLE, SITE_TOML, Site, built_in, d};

/// Runs `check` on a one-article site whose article is `text`.
fn check_article(text: &str) -> (Vec<(String, String, u64, u64)>, String) {
    let site = Site::new(&format!("//- articles/a.md\n{text}"));
    let run = site.run(&["check"]);
    run.failure();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    (site.check_json(), run.stderr)
}

#[test]
fn malformed_front_matter() {
    let (json, text) = check_article("+++\ntitle = \"A\ndescription = \"D.\"\n+++\n");
    assert_eq!(json, [d("front-matter", "articles/a.md", 2, 11)]);
    insta::assert_snapshot!(text);
}

#[test]
fn missing_front_matter() {
    let (json, text) = check_article("# Just a heading\n");
    assert_eq!(json, [d("front-matter", "articles/a.md", 1, 1)]);
    insta::assert_snapshot!(text);
}

#[test]
fn unclosed_front_matter() {
    let (json, _) = check_article("+++\ntitle = \"A\"\n");
    assert_eq!(json, [d("front-matter", "articles/a.md", 1, 1)]);
}

#[test]
fn unknown_key_suggests_the_closest() {
    let (json, text) = check_article(&ARTICLE.replace("description", "descripton"));
    assert_eq!(json, [d("front-matter", "articles/a.md", 3, 1)]);
    assert!(text.contains("did you mean `description`?"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn missing_required_key() {
    let (json, text) = check_article(&ARTICLE.replace("reviewed = 2026-10-01\n", ""));
    assert_eq!(json.len(), 1);
    assert_eq!(json[0].0, "front-matter");
    assert!(text.contains("missing field `reviewed`"), "{text}");
}

#[test]
fn wrong_type() {
    let (json, text) =
        check_article(&ARTICLE.replace("topics = [\"bones\"]", "topics = \"bones\""));
    assert_eq!(json, [d("front-matter", "articles/a.md", 6, 10)]);
    insta::assert_snapshot!(text);
}

#[test]
fn a_date_that_is_not_a_date() {
    let (json, text) = check_article(&ARTICLE.replace("2027-10-01", "\"next year\""));
    assert_eq!(json, [d("front-matter", "articles/a.md", 5, 14)]);
    assert!(
        text.contains("expected a date such as 2026-10-01"),
        "{text}"
    );
}

#[test]
fn invalid_utf8() {
    let site = Site::new("//- articles/a.md\n");
    let mut bytes = format!("{ARTICLE}\nCaf").into_bytes();
    bytes.extend([0xE9, b'\n']);
    std::fs::write(site.path().join("articles/a.md"), bytes).unwrap();
    let json = site.check_json();
    assert_eq!(json, [d("read", "articles/a.md", 9, 4)]);
    site.build().failure();
}

#[test]
fn missing_template() {
    // A theme of the site's own that lacks a template the built-in one has.
    let site = Site::new(&format!(
        "//- site.toml\n{SITE_TOML}theme = \"mine\"\n//- articles/a.md\n{ARTICLE}\nHi.\n"
    ));
    site.copy_default_theme("mine");
    std::fs::remove_file(site.path().join("themes/mine/templates/article.html")).unwrap();
    let run = site.build();
    run.failure();
    assert!(
        run.stderr
            .contains("the theme has no template `article.html`"),
        "{}",
        run.stderr
    );
    assert!(!site.path().join("public").exists());
}

#[test]
fn template_syntax_error_names_the_template_line() {
    let site = Site::new(&format!("//- articles/a.md\n{ARTICLE}\nHi.\n"));
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{{ page.title \n{% endblock %}\n",
    );
    let json = site.check_json();
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0].0, "template");
    assert_eq!(json[0].1, "templates/page.html");
    assert_eq!(json[0].2, 4);
}

#[test]
fn template_render_error_names_the_template_and_page() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nHi.\n//- articles/b.md\n{ARTICLE}\nHo.\n"
    ));
    site.write("templates/article.html", "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.no_such_key }}</h1>\n{% endblock %}\n");
    let json = site.check_json();
    assert_eq!(json, [d("template", "templates/article.html", 3, 13)]);
    // `check` renders a sample of pages; `build` renders them all and counts.
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains("while rendering articles/a/index.html"),
        "{}",
        run.stderr
    );
    let run = site.run(&["build"]);
    run.failure();
    assert!(
        run.stderr
            .contains("while rendering articles/a/index.html and 1 other page"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_glossary_note_that_fails_to_render_is_a_template_error() {
    // The note is on the last article, outside the sample `check` renders.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nHi.\n//- articles/z.md\n{ARTICLE}\nSee [bone](../glossary/bone.md).\n\
         //- glossary/bone.md\n+++\nterm = \"Bone\"\nsummary = \"Hard tissue.\"\n+++\nBone.\n"
    ));
    site.run(&["check"]).success();
    site.write(
        "templates/partials/term.html",
        "<span>\n{{ term.no_such_key }}</span>\n",
    );
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        run.failure();
        assert!(
            run.stderr.contains("partials/term.html:2:"),
            "{command}: {}",
            run.stderr
        );
    }
}

#[test]
fn check_renders_a_sample_but_checks_every_page_content() {
    // A shortcode error on the last article, and a template link that only the
    // second article's page shows, by a test of its slug: check finds both,
    // as build does, without rendering every page.
    let site = Site::new(&format!(
        "//- articles/a.md
{ARTICLE}
Hi.
//- articles/z.md
{ARTICLE}
Ho {{{{ nope() }}}}.
"
    ));
    assert_eq!(
        site.check_json(),
        [d("unknown-shortcode", "articles/z.md", 9, 4)]
    );
    site.write(
        "articles/z.md",
        &format!(
            "{ARTICLE}
Ho.
"
        ),
    );
    let template = built_in("templates/article.html").replace(
        "{% block main %}",
        "{% block main %}{% if page.slug == \"z\" %}<a href=\"/nowhere/\">x</a>{% endif %}",
    );
    site.write("templates/article.html", &template);
    let (check, _) = site.fail_alike(&[]);
    assert!(check.stderr.contains("/nowhere/"), "{}", check.stderr);
    assert!(
        check.stderr.contains("(on articles/z/index.html)"),
        "{}",
        check.stderr
    );
}

#[test]
fn check_renders_each_branch_a_template_takes_on_a_pages_shape() {
    // Only the last article has the four sections that make the template
    // write its broken link; the last glossary entry alone has an alias.
    let sections = "## One\n\nA.\n\n## Two\n\nB.\n\n## Three\n\nC.\n\n## Four\n\nD.\n";
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nHi.\n\
         //- articles/m.md\n{ARTICLE}\nHo.\n\
         //- articles/z.md\n{ARTICLE}\n{sections}\
         //- glossary/a.md\n+++\nterm = \"A\"\nsummary = \"S.\"\n+++\n\nText.\n\
         //- glossary/b.md\n+++\nterm = \"B\"\nsummary = \"S.\"\naliases = [\"Bee\"]\n+++\n\nText.\n"
    ));
    site.run(&["check"]).success();
    let article = built_in("templates/article.html").replace(
        "{% block main %}",
        "{% block main %}{% if page.toc | length > 3 %}<a href=\"/nowhere/\">x</a>{% endif %}",
    );
    site.write("templates/article.html", &article);
    // `run` compares check with build: both find it, on the template's line.
    let run = site.run(&["check"]);
    run.failure();
    assert!(
        run.stderr.contains("(on articles/z/index.html)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> templates/article.html:"),
        "{}",
        run.stderr
    );
    site.remove("templates/article.html");
    let entry = built_in("templates/glossary-entry.html").replace(
        "{% block main %}",
        "{% block main %}{% if page.aliases | length > 0 %}<a href=\"/also/\">x</a>{% endif %}",
    );
    site.write("templates/glossary-entry.html", &entry);
    let run = site.run(&["check"]);
    run.failure();
    assert!(
        run.stderr.contains("(on glossary/b/index.html)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_link_a_template_builds_from_an_expression_is_reported_on_its_line() {
    let site = Site::new(&format!("//- articles/a.md\n{ARTICLE}\nHi.\n"));
    let template = built_in("templates/article.html").replace(
        "{% block main %}",
        "{% block main %}\n<a href=\"/print/{{ page.slug }}/\">Print</a>",
    );
    site.write("templates/article.html", &template);
    let (check, _) = site.fail_alike(&[]);
    // Line 3 holds `{% block main %}`; the link is on the next line.
    assert!(
        check.stderr.contains(" --> templates/article.html:4:10\n"),
        "{}",
        check.stderr
    );
    assert!(check.stderr.contains("`/print/a/`"), "{}", check.stderr);
}

#[test]
fn check_renders_one_page_of_each_index_template() {
    // Two topics: check renders the first topic page, build renders both.
    let site = Site::new(&format!(
        "//- articles/a.md
{ARTICLE}
Hi.
//- articles/z.md
{}
Ho.
",
        ARTICLE.replace("[\"bones\"]", "[\"walking\"]")
    ));
    site.run(&["check"]).success();
    let template = built_in("templates/topic.html");
    let broken = template.replacen("<h1", "<a href=\"/nowhere/\">x</a><h1", 1);
    assert_ne!(broken, template);
    site.write("templates/topic.html", &broken);
    let run = site.run(&["check"]);
    run.failure();
    assert!(
        run.stderr.contains("topics/bones/index.html"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("other pages"), "{}", run.stderr);
    let run = site.run(&["build"]);
    run.failure();
    assert!(
        run.stderr
            .contains("(on topics/bones/index.html and 1 other page)"),
        "{}",
        run.stderr
    );
    // On the template line that writes the link, never on an output page.
    assert!(
        run.stderr.contains("--> templates/topic.html:"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("index.html:1:1"), "{}", run.stderr);
}

#[test]
fn unknown_shortcode_and_bad_arguments() {
    let text = format!(
        "{ARTICLE}\n{{{{ category_tabel(data=\"x\") }}}}\n\nSee {{{{ data_value(data=\"nope\", table=\"t\", row=\"r\") }}}}.\n\nAnd {{{{ data_value(data=“x”) }}}}.\n"
    );
    let (json, text) = check_article(&text);
    assert_eq!(
        json,
        [
            d("unknown-shortcode", "articles/a.md", 9, 1),
            d("shortcode", "articles/a.md", 11, 5),
            d("shortcode", "articles/a.md", 13, 24),
        ]
    );
    assert!(text.contains("did you mean `category_table`?"), "{text}");
}

#[test]
fn bad_site_toml() {
    let site = Site::new(
        "//- site.toml\ntitle = \"x\"\nlanguage = \"en-GB\"\nbase_ulr = \"https://x.org/\"\n",
    );
    let json = site.check_json();
    assert_eq!(json, [d("config", "site.toml", 3, 1)]);
}

#[test]
fn every_problem_in_every_file_in_one_run() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{}//- articles/b.md\n{ARTICLE}\n[x](nope.md)\n//- glossary/Bad_Slug.md\n+++\nterm = \"x\"\nsummary = \"y\"\n+++\n",
        ARTICLE.replace("title", "titl")
    ));
    let codes: Vec<String> = site
        .check_json()
        .into_iter()
        .map(|d| format!("{}:{}", d.0, d.1))
        .collect();
    assert_eq!(
        codes,
        [
            "front-matter:articles/a.md",
            "broken-link:articles/b.md",
            "slug:glossary/Bad_Slug.md"
        ]
    );
}

#[test]
fn every_front_matter_problem_of_a_file_in_one_run() {
    // A misspelt key, a value of the wrong type, a date that is not one and
    // a missing key: four runs' worth, reported in one, by check and build alike.
    let text = ARTICLE
        .replace("description", "descripton")
        .replace("title = \"A\"", "title = 3")
        .replace("2027-10-01", "\"next year\"")
        .replace("reviewed = 2026-10-01\n", "");
    let site = Site::new(&format!("//- articles/a.md\n{text}\nBody.\n"));
    assert_eq!(
        site.check_json(),
        [
            d("front-matter", "articles/a.md", 1, 1),
            d("front-matter", "articles/a.md", 2, 9),
            d("front-matter", "articles/a.md", 3, 1),
            d("front-matter", "articles/a.md", 4, 14),
        ]
    );
    let (check, _) = site.fail_alike(&[]);
    assert!(
        check.stderr.contains("missing field `reviewed`"),
        "{}",
        check.stderr
    );
    assert!(
        check.stderr.contains("did you mean `description`?"),
        "{}",
        check.stderr
    );
    // `description` is misspelt, not missing too.
    assert!(
        !check.stderr.contains("missing field `description`"),
        "{}",
        check.stderr
    );
}

#[test]
fn a_template_error_hides_no_shortcode_error() {
    // A page template that does not parse, another that extends a missing
    // parent, and a shortcode the theme lacks: three problems, three fixes.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nHi {{{{ category_tabel(data=\"x\") }}}}.\n"
    ));
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block main %}\n{{ page.title \n{% endblock %}\n",
    );
    site.write(
        "templates/topic.html",
        "{% extends \"nowhere.html\" %}\n{% block main %}{% endblock %}\n",
    );
    let json = site.check_json();
    assert_eq!(
        json,
        [
            d("unknown-shortcode", "articles/a.md", 9, 4),
            d("template", "templates/page.html", 4, 1),
            d("template", "templates/topic.html", 1, 1),
        ],
        "{json:?}"
    );
    let (check, _) = site.fail_alike(&[]);
    assert!(
        check.stderr.contains("did you mean `category_table`?"),
        "{}",
        check.stderr
    );
    assert!(
        check
            .stderr
            .contains("the template `nowhere.html` that this template extends does not exist"),
        "{}",
        check.stderr
    );
}
