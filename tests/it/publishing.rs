//! Publishing checks: review dates judged against an injected today, reading
//! level, `--strict`, the report, the accessibility gate on content, and the
//! machine-readable files (JSON-LD, sitemap, Atom feed).

use std::process::Command;

use crate::support::{ARTICLE, Run, SITE_TOML, Site, built_in};

fn run_on(site: &Site, today: &str, args: &[&str]) -> Run {
    site.run_with_env(args, &[("OSTEON_TODAY", today)])
}

fn two_articles() -> Site {
    // `a` is due 2027-10-01; `b` has no review_due, reviewed 2026-01-15.
    let b = ARTICLE
        .replace("review_due = 2027-10-01\n", "")
        .replace("2026-10-01", "2026-01-15");
    Site::new(&format!(
        "//- site.toml\n{SITE_TOML}review_limit_months = 12\nmax_reading_grade = 9\n\
         //- articles/a.md\n{ARTICLE}\nBones are strong. Walk every day. See [b](b.md).\n\
         //- articles/b.md\n{b}\nOsteoporosis medication considerations necessitate individualized multidisciplinary evaluation.\n"
    ))
}

#[test]
fn review_dates_are_judged_on_the_injected_day() {
    let site = two_articles();
    let codes = |today: &str| {
        let run = run_on(&site, today, &["check"]);
        let mut found: Vec<String> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning[review-overdue]"))
            .map(str::to_string)
            .collect();
        found.sort();
        found
    };
    assert!(
        codes("2027-01-15").is_empty(),
        "due on the day is not overdue"
    );
    assert_eq!(codes("2027-01-16").len(), 1, "b is a year and a day old");
    assert_eq!(codes("2027-10-01").len(), 1);
    assert_eq!(codes("2027-10-02").len(), 2, "a's review_due has passed");
}

/// `check` and `build` on `today`, with `flags`: both fail and print the
/// same diagnostics. Returns `check --format json`'s `(code, file, line,
/// message)` of each.
#[track_caller]
fn fail_alike_on(site: &Site, today: &str, flags: &[&str]) -> Vec<(String, String, u64, String)> {
    let check = run_on(site, today, &[&["check"][..], flags].concat());
    let build = run_on(site, today, &[&["build"][..], flags].concat());
    check.failure();
    build.failure();
    assert_eq!(check.stderr, build.stderr);
    let json = run_on(
        site,
        today,
        &[&["check", "--format", "json"][..], flags].concat(),
    );
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                format!(
                    "{}[{}]",
                    d["severity"].as_str().unwrap(),
                    d["code"].as_str().unwrap()
                ),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_review_dated_ahead_of_today_is_an_error() {
    // Reviewed 2026-10-01: a day ahead is allowed (it is already that day
    // somewhere while CI runs on UTC), two days ahead is not.
    let site = Site::new(&format!("//- articles/a.md\n{ARTICLE}\nText.\n"));
    run_on(&site, "2026-09-30", &["check"]).success();
    run_on(&site, "2026-09-30", &["build"]).success();
    let found = fail_alike_on(&site, "2026-09-29", &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str(), found[0].2),
        ("error[front-matter]", "articles/a.md", 4)
    );
    assert!(
        found[0]
            .3
            .contains("`reviewed` is 2026-10-01, a date still to come (today is 2026-09-29)"),
        "{found:?}"
    );
}

#[test]
fn a_review_due_before_the_review_is_an_error() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{}\nText.\n",
        ARTICLE.replace("review_due = 2027-10-01", "review_due = 2025-10-01")
    ));
    // Only the impossible date: that it has passed says nothing more.
    let found = fail_alike_on(&site, "2026-11-01", &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str(), found[0].2),
        ("error[front-matter]", "articles/a.md", 5)
    );
    assert!(
        found[0]
            .3
            .contains("`review_due` is 2025-10-01, before `reviewed` (2026-10-01)"),
        "{found:?}"
    );
}

#[test]
fn data_files_review_dates_are_judged_like_articles() {
    let data = "source = \"WHO\"\nreviewed = 2026-10-01\nreview_due = 2027-10-01\n";
    let site = Site::new(&format!(
        "//- data/d.toml\n{data}//- articles/a.md\n{}\nText.\n",
        ARTICLE.replace("review_due = 2027-10-01", "review_due = 2028-10-01")
    ));
    run_on(&site, "2027-10-01", &["check"]).success();
    // Overdue: a warning on `review_due`, an error under --strict.
    let run = run_on(&site, "2027-10-02", &["check"]);
    run.success();
    assert!(
        run.stderr.contains("warning[review-overdue]: the review of these figures was due on 2027-10-01 and is overdue"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--> data/d.toml:3:1"), "{}", run.stderr);
    let found = fail_alike_on(&site, "2027-10-02", &["--strict"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "error[review-overdue]");
    // Without `review_due`, the site's review limit applies.
    site.write(
        "data/d.toml",
        &data.replace("review_due = 2027-10-01\n", ""),
    );
    let run = run_on(&site, "2027-10-02", &["check"]);
    assert!(
        run.stderr
            .contains("last reviewed on 2026-10-01, more than 12 months ago"),
        "{}",
        run.stderr
    );
    // A review still to come and a due date before the review are errors.
    site.write(
        "data/d.toml",
        "source = \"WHO\"\nreviewed = 2026-12-01\nreview_due = 2026-01-01\n",
    );
    let found = fail_alike_on(&site, "2026-10-01", &[]);
    let found: Vec<(&str, u64)> = found.iter().map(|f| (f.0.as_str(), f.2)).collect();
    assert_eq!(found, [("error[data]", 2), ("error[data]", 3)]);
}

#[test]
fn an_article_or_page_with_no_text_is_an_error() {
    // Front matter and blank lines only; a glossary entry's summary is its
    // text, so its body may be empty, and so may a draft's.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\n  \n\n//- pages/about.md\n+++\ntitle = \"About\"\ndescription = \"D.\"\n+++\n\
         //- articles/b.md\n{}//- glossary/bone.md\n+++\nterm = \"Bone\"\nsummary = \"Hard tissue.\"\n+++\n",
        ARTICLE.replace("+++\ntitle", "+++\ndraft = true\ntitle")
    ));
    let found = fail_alike_on(&site, "2026-11-01", &[]);
    let found: Vec<(&str, &str, u64, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str(), f.2, f.3.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "error[placeholder]",
                "articles/a.md",
                7,
                "this article has no text: nothing follows its front matter"
            ),
            (
                "error[placeholder]",
                "pages/about.md",
                4,
                "this page has no text: nothing follows its front matter"
            ),
        ]
    );
    // Published with --drafts, the empty draft is held to the same rule.
    let found = fail_alike_on(&site, "2026-11-01", &["--drafts"]);
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn strict_turns_warnings_into_errors() {
    let site = two_articles();
    run_on(&site, "2027-10-02", &["build"]).success();
    let run = run_on(&site, "2027-10-02", &["build", "--strict"]);
    run.failure();
    assert!(
        run.stderr.contains("error[review-overdue]"),
        "{}",
        run.stderr
    );
    run_on(&site, "2027-10-02", &["check", "--strict"]).failure();
    run_on(&site, "2026-11-01", &["check", "--strict"]).failure(); // reading level of b
}

#[test]
fn reading_level_above_the_limit_is_a_warning() {
    let site = two_articles();
    let run = run_on(&site, "2026-11-01", &["check"]);
    run.success();
    assert!(
        run.stderr.contains("warning[reading-level]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("articles/b.md:2:1"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("articles/a.md:2"),
        "a reads easily: {}",
        run.stderr
    );
}

#[test]
fn the_reading_limit_can_name_each_measure() {
    let site = two_articles();
    let toml = site.read("site.toml");
    let warnings = |limit: &str| {
        site.write(
            "site.toml",
            &toml.replace(
                "max_reading_grade = 9",
                &format!("max_reading_grade = {limit}"),
            ),
        );
        let run = run_on(&site, "2026-11-01", &["check"]);
        run.success();
        run.stderr
            .lines()
            .filter(|l| l.starts_with("warning[reading-level]"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    // b's one sentence of long words is past both grades; a's is past neither.
    let smog = warnings("{ flesch_kincaid = 60, smog = 9 }");
    assert_eq!(smog.len(), 1, "{smog:?}");
    assert!(smog[0].contains("the SMOG reading grade is"), "{smog:?}");
    let fk = warnings("{ flesch_kincaid = 9, smog = 60 }");
    assert_eq!(fk.len(), 1, "{fk:?}");
    assert!(
        fk[0].contains("the Flesch–Kincaid reading grade is"),
        "{fk:?}"
    );
    assert_eq!(warnings("{ flesch_kincaid = 9, smog = 9 }").len(), 2);
    assert!(warnings("{ smog = 60 }").is_empty());
    // A bare number limits both measures: b is over grade 9 by either.
    assert_eq!(warnings("9"), warnings("{ flesch_kincaid = 9, smog = 9 }"));
}

#[test]
fn a_reading_limit_of_the_wrong_shape_is_an_error_on_its_line() {
    let site = two_articles();
    let toml = site.read("site.toml");
    for limit in ["\"eight\"", "{ smog = 9, fog = 3 }", "{ smog = \"9\" }"] {
        site.write(
            "site.toml",
            &toml.replace(
                "max_reading_grade = 9",
                &format!("max_reading_grade = {limit}"),
            ),
        );
        let json = site.check_json();
        assert_eq!(json.len(), 1, "{limit}: {json:?}");
        assert_eq!(json[0].1, "site.toml", "{limit}");
        assert_eq!(json[0].2, 6, "{limit}: {json:?}");
    }
    site.write(
        "site.toml",
        &toml.replace(
            "max_reading_grade = 9",
            "max_reading_grade = { smog = 9, fog = 3 }",
        ),
    );
    let run = run_on(&site, "2026-11-01", &["check"]);
    assert!(run.stderr.contains("unknown field `fog`"), "{}", run.stderr);
    site.write(
        "site.toml",
        &toml.replace("max_reading_grade = 9", "max_reading_grade = \"eight\""),
    );
    let run = run_on(&site, "2026-11-01", &["check"]);
    assert!(
        run.stderr
            .contains("a grade such as 8, which limits Flesch–Kincaid and SMOG alike"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_report_for_people_and_for_tools() {
    let site = two_articles();
    let run = run_on(&site, "2027-01-16", &["report"]);
    run.success();
    insta::assert_snapshot!(run.stdout);
    let run = run_on(&site, "2027-01-16", &["report", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let a = &json["articles"][0];
    assert_eq!(a["path"], "articles/a.md");
    assert_eq!(a["words"], 8);
    assert_eq!(a["links_out"], 1);
    assert_eq!(json["articles"][1]["links_in"], 1);
    assert_eq!(json["articles"][1]["overdue"], true);
    assert_eq!(json["articles"][1]["review_due"], "2027-01-15");
}

#[test]
fn the_report_counts_words_when_the_site_sets_no_reading_limit() {
    // Without `max_reading_grade` no other command needs the counts; the
    // report still makes them.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nBones are strong. Walk every day.\n"
    ));
    let run = run_on(&site, "2026-11-01", &["report", "--format", "json"]);
    run.success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["articles"][0]["words"], 6, "{}", run.stdout);
    assert!(json["articles"][0]["flesch_kincaid"].as_f64().unwrap() != 0.0);
}

/// Smart punctuation makes `...` an ellipsis, which ends no sentence; the
/// report, which parses without HTML, must count it as `build` does.
#[test]
fn an_ellipsis_ends_no_sentence_however_it_is_typed() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nWait... then walk home. Rest.\n\
         //- articles/b.md\n{ARTICLE}\nWait\u{2026} then walk home. Rest.\n"
    ));
    let run = run_on(&site, "2026-11-01", &["report", "--format", "json"]);
    run.success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let grade = |i: usize| json["articles"][i]["flesch_kincaid"].as_f64().unwrap();
    assert_eq!(grade(0), grade(1), "{}", run.stdout);
}

#[test]
fn inaccessible_content_is_an_error_on_its_line() {
    let body = "\n# A second title\n\n#### Skipped\n\n![](../static/x.png)\n\n[click here](b.md) and <https://example.org>\n\n|  |  |\n|--|--|\n| a | b |\n";
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}{body}//- articles/b.md\n{ARTICLE}\nText.\n//- static/x.png\npng\n"
    ));
    let found: Vec<(String, u64, u64)> = site
        .check_json()
        .into_iter()
        .map(|d| (d.0, d.2, d.3))
        .collect();
    let a11y = |line, column| ("accessibility".to_string(), line, column);
    assert_eq!(
        found,
        [
            a11y(9, 1),
            a11y(11, 1),
            a11y(13, 1),
            a11y(15, 1),
            a11y(15, 24),
            a11y(17, 1)
        ]
    );
}

#[test]
fn machine_readable_files_are_valid() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nText.\n//- glossary/t.md\n+++\nterm = \"T & U\"\nsummary = \"S <b>.\"\n+++\nBody.\n"
    ));
    site.build().success();
    let article = site.read("public/articles/a/index.html");
    let ld = jsonld(&article);
    assert_eq!(ld["@type"], "MedicalWebPage");
    assert_eq!(ld["lastReviewed"], "2026-10-01");
    assert_eq!(ld["inLanguage"], "en-GB");
    assert_eq!(ld["about"][0]["name"], "bones");
    assert_eq!(
        jsonld(&site.read("public/glossary/t/index.html"))["@type"],
        "DefinedTerm"
    );
    let set = jsonld(&site.read("public/glossary/index.html"));
    assert_eq!(set["@type"], "DefinedTermSet");
    assert_eq!(set["hasDefinedTerm"][0]["description"], "S <b>.");
    assert!(
        article.contains(r#"<link href="https://example.org/articles/a/" rel=canonical>"#),
        "{article}"
    );
    assert!(article.contains("property=og:title"));

    let sitemap = site.read("public/sitemap.xml");
    check_sitemap(&sitemap);
    assert!(
        sitemap.contains("<loc>https://example.org/articles/a/</loc><lastmod>2026-10-01</lastmod>")
    );
    check_atom(&site.read("public/atom.xml"));
    assert!(
        site.read("public/robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
}

fn jsonld(html: &str) -> serde_json::Value {
    let start = html
        .find("<script type=application/ld+json>")
        .expect("JSON-LD script")
        + 33;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The sitemap protocol's schema (sitemaps.org 0.9): a `urlset` in its
/// namespace of `url` elements, each with one absolute `loc` of at most 2,048
/// characters and optional `lastmod` (W3C date), `changefreq`, `priority`.
/// With xmllint and the npm `sitemap` package's XSD present, the XSD is used too.
fn check_sitemap(xml: &str) {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
    let root = doc.root_element();
    assert!(root.has_tag_name((ns, "urlset")));
    let urls: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert!(!urls.is_empty());
    for url in urls {
        assert!(url.has_tag_name((ns, "url")));
        let children: Vec<_> = url.children().filter(|n| n.is_element()).collect();
        let locs: Vec<_> = children
            .iter()
            .filter(|c| c.has_tag_name((ns, "loc")))
            .collect();
        assert_eq!(locs.len(), 1);
        let loc = locs[0].text().unwrap();
        assert!(loc.starts_with("https://") && loc.len() <= 2048, "{loc}");
        for c in &children {
            let name = c.tag_name().name();
            assert!(
                ["loc", "lastmod", "changefreq", "priority"].contains(&name),
                "{name}"
            );
            if name == "lastmod" {
                assert!(c.text().unwrap().parse::<jiff::civil::Date>().is_ok());
            }
        }
    }
    let xsd = crate::support::repo().join("node_modules/sitemap/schema/sitemap.xsd");
    let xmllint = Command::new("xmllint").arg("--version").output().is_ok();
    if !xsd.exists() || !xmllint {
        // CI installs both (.ci/run); a developer without them gets the checks above.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs xmllint and npm's sitemap XSD"
        );
        eprintln!("skipping the sitemap XSD check: run `npm ci` and install xmllint");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sitemap.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// RFC 4287's rules for a feed: `feed` in the Atom namespace with exactly one
/// `id`, `title` and `updated`, an `author` (or one on every entry); each
/// `entry` with exactly one `id`, `title`, `updated` (RFC 3339) and an
/// alternate `link` (it has no `content`).
fn check_atom(xml: &str) {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let ns = "http://www.w3.org/2005/Atom";
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ns, "feed")));
    let count = |n: roxmltree::Node, name: &str| {
        n.children().filter(|c| c.has_tag_name((ns, name))).count()
    };
    let text = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name((ns, name)))
            .and_then(|c| c.text())
            .unwrap_or("")
            .to_string()
    };
    let rfc3339 = |s: &str| s.parse::<jiff::Timestamp>().is_ok();
    for name in ["id", "title", "updated"] {
        assert_eq!(count(feed, name), 1, "feed {name}");
    }
    assert!(rfc3339(&text(feed, "updated")));
    assert_eq!(count(feed, "author"), 1);
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ns, "entry")))
        .collect();
    assert!(!entries.is_empty());
    for entry in entries {
        for name in ["id", "title", "updated"] {
            assert_eq!(count(entry, name), 1, "entry {name}");
        }
        assert!(rfc3339(&text(entry, "updated")));
        assert!(text(entry, "id").starts_with("https://"));
        assert!(
            entry
                .children()
                .any(|c| c.has_tag_name((ns, "link")) && c.attribute("rel") == Some("alternate"))
        );
    }
}

#[test]
fn a_template_that_fails_the_accessibility_gate_is_named() {
    let site = Site::new(&format!("//- articles/a.md\n{ARTICLE}\nText.\n"));
    let article = built_in("templates/article.html");
    // A template that writes a second h1 on every article.
    site.write(
        "templates/article.html",
        &article.replacen("{% block main %}", "{% block main %}<h1>Extra</h1>", 1),
    );
    let json = site.check_json();
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0].0, "accessibility");
    assert_eq!(json[0].1, "templates/article.html");
    site.build().failure();
}

/// A template's link text is held to the phrases content is held to: `click`
/// and `this link` are reported in both.
#[test]
fn a_template_link_that_says_nothing_is_reported_as_in_content() {
    for text in ["click", "this link"] {
        let site = Site::new(&format!("//- articles/a.md\n{ARTICLE}\nText.\n"));
        let article = built_in("templates/article.html");
        site.write(
            "templates/article.html",
            &article.replacen(
                "{% block main %}",
                &format!("{{% block main %}}<a href=\"/\">{text}</a>"),
                1,
            ),
        );
        let json = site.check_json_messages();
        assert_eq!(json.len(), 1, "{json:?}");
        assert_eq!(json[0].0, "accessibility");
        assert_eq!(json[0].1, "templates/article.html");
        assert!(
            json[0]
                .4
                .contains(&format!("the link text `{text}` does not say")),
            "{json:?}"
        );
        site.build().failure();

        let content = Site::new(&format!("//- articles/a.md\n{ARTICLE}\n[{text}](a.md)\n"));
        let json = content.check_json();
        assert_eq!(json.len(), 1, "{json:?}");
        assert_eq!(json[0].0, "accessibility");
        assert_eq!(json[0].1, "articles/a.md");
    }
}

#[test]
fn a_bare_address_as_link_text_is_a_warning_reported_once() {
    // In content: a warning on its line, once (the output check, which sees
    // the link again on the page, leaves it to the content check).
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee <https://example.org> and [https://example.org/x](https://example.org/x).\n"
    ));
    let found = site.check_json_messages();
    let found: Vec<(&str, &str, u64, u64)> = found
        .iter()
        .map(|d| (d.0.as_str(), d.1.as_str(), d.2, d.3))
        .collect();
    let at = |column| ("accessibility", "articles/a.md", 9, column);
    assert_eq!(found, [at(5), at(31)]);
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        run.success();
        assert!(
            run.stderr
                .contains("warning[accessibility]: a bare web address is used as link text"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.matches("warning[").count(), 2, "{}", run.stderr);
    }
    let (check, _) = site.fail_alike(&["--strict"]);
    assert_eq!(check.stderr.matches("error[accessibility]").count(), 2);

    // In a template: the same rule, a warning naming the template.
    let site = Site::new(&format!("//- articles/a.md\n{ARTICLE}\nText.\n"));
    let article = built_in("templates/article.html").replacen(
        "{% block main %}",
        "{% block main %}<a href=\"https://example.org\">https://example.org</a>",
        1,
    );
    site.write("templates/article.html", &article);
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        run.success();
        assert!(
            run.stderr.contains(
                "warning[accessibility]: a bare web address, `https://example.org`, is used as link text"
            ),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("templates/article.html"),
            "{}",
            run.stderr
        );
    }
    site.fail_alike(&["--strict"]);
}
