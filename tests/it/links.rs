//! Cross-references: every internal link, anchor and glossary reference is
//! checked at its exact position, and valid links produce nothing.

use crate::support::{ARTICLE, Site, d};

fn fixture() -> Site {
    let a = format!(
        "{ARTICLE}
## Risks

## Risks

## Side effects {{#side}}

Good: [b](b.md), [b risks](b.md#risks-1), [self](#side), [term](../glossary/t.md), [pdf](../static/f.pdf).
Broken: [missing](bb.md) and [anchor](b.md#nope).
Case: [case](B.md). Draft: [draft](d.md).
Elsewhere: [t](t.md).

| Col | Link |
|-----|------|
| x   | [cell](c.md) |

Ref [ref link][r] and ![img](../static/nope.png).

[r]: gone.md

Footnote.[^1]

[^1]: See [fn](b.md#side-effectz).

`[code](nowhere.md)` and `{{{{ nope() }}}}`

```
[block](nowhere.md)
```
[same](#risks-2) and [external](https://example.org/x.md) and <mailto:a@b.org>.
"
    );
    let b = format!("{ARTICLE}\n## Risks\n\n## Risks\n\n## Side effects\n");
    let d = ARTICLE.replace("topics = [\"bones\"]", "topics = [\"bones\"]\ndraft = true");
    let e = format!("{ARTICLE}\n## One {{#x}}\n\n## Two {{#x}}\n");
    Site::new(&format!(
        "//- articles/a.md\n{a}//- articles/b.md\n{b}//- articles/d.md\n{d}//- articles/e.md\n{e}\
         //- glossary/t.md\n+++\nterm = \"T\"\nsummary = \"S.\"\n+++\nSee [a](../articles/a.md#side).\n\
         //- static/f.pdf\npdf\n"
    ))
}

#[test]
fn every_broken_reference_at_its_position_and_nothing_else() {
    let site = fixture();
    assert_eq!(
        site.check_json(),
        [
            d("broken-link", "articles/a.md", 16, 9),
            d("broken-anchor", "articles/a.md", 16, 30),
            d("broken-link", "articles/a.md", 17, 7),
            d("broken-link", "articles/a.md", 17, 28),
            d("broken-link", "articles/a.md", 18, 12),
            d("broken-link", "articles/a.md", 22, 9),
            d("broken-link", "articles/a.md", 24, 5),
            d("broken-link", "articles/a.md", 24, 23),
            d("broken-anchor", "articles/a.md", 30, 11),
            d("broken-anchor", "articles/a.md", 37, 1),
            d("duplicate-id", "articles/e.md", 11, 1),
        ]
    );
}

#[test]
fn a_failed_check_writes_nothing() {
    let site = fixture();
    site.run(&["check"]).failure();
    site.build().failure();
    assert!(!site.path().join("public").exists());
}

#[test]
fn hints_name_the_closest_page_anchor_or_path() {
    let site = fixture();
    let run = site.run(&["check"]);
    run.failure();
    for hint in [
        "did you mean `b.md`?",
        "did you mean `#side-effects`?",
        "write `b.md`",
        "which is a draft",
        "from `articles/a.md` the path is `../glossary/t.md`",
        "did you mean `#risks-1`?",
    ] {
        assert!(run.stderr.contains(hint), "no `{hint}` in:\n{}", run.stderr);
    }
}

#[test]
fn valid_links_produce_no_diagnostics() {
    let b = format!("{ARTICLE}\n## Risks\n\n## Risks\n");
    let a = format!(
        "{ARTICLE}\n## Here {{#here}}\n\n[b](b.md) [b2](b.md#risks-1) [self](#here) [t](../glossary/t.md)\n\n\
         | x | [cell](b.md#risks) |\n|---|---|\n\n[r][ref]\n\n[ref]: b.md\n\nNote.[^n]\n\n[^n]: [fn](b.md)\n"
    );
    let site = Site::new(&format!(
        "//- articles/a.md\n{a}//- articles/b.md\n{b}\
         //- glossary/t.md\n+++\nterm = \"T\"\nsummary = \"S.\"\n+++\n[a](../articles/a.md#here)\n"
    ));
    assert_eq!(site.check_json(), []);
    site.build().success();
    let html = site.read("public/articles/a/index.html");
    assert!(html.contains(r#"href="/articles/b/#risks-1""#), "{html}");
}

#[test]
fn backlinks_reach_the_templates() {
    let site = fixture();
    // Only the broken file stands between this site and a build; fix it.
    site.write(
        "articles/a.md",
        &format!("{ARTICLE}\n## Side effects {{#side}}\n\n[term](../glossary/t.md)\n"),
    );
    site.write("articles/e.md", &format!("{ARTICLE}\nSee [b](b.md).\n"));
    site.build().success();
    let term = site.read("public/glossary/t/index.html");
    assert!(term.contains("Pages that mention this"), "{term}");
    assert!(term.contains(r#"href="/articles/a/">A</a>"#), "{term}");
    let b = site.read("public/articles/b/index.html");
    assert!(b.contains("Related articles"), "{b}");
}

#[test]
fn three_broken_references_as_a_new_user_sees_them() {
    let a = format!(
        "{ARTICLE}\n## Side effects\n\nRead [calcium advice](Calcium-and-vitamin-d.md).\n\
         Or [the side effects](#side-efects) and [vitamin D](vitamin-d.md).\n"
    );
    let site = Site::new(&format!(
        "//- articles/treatment.md\n{a}//- articles/calcium-and-vitamin-d.md\n{ARTICLE}\nText.\n\
         //- glossary/vitamin-d.md\n+++\nterm = \"Vitamin D\"\nsummary = \"S.\"\n+++\n"
    ));
    let run = site.run(&["check"]);
    run.failure();
    insta::assert_snapshot!(run.stderr);
}

/// A link written from the site root (`glossary/t.md` in `articles/`) names
/// a folder inside `articles/`; the hint gives the path that works.
#[test]
fn a_link_written_from_the_root_gets_the_relative_path() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee [t](glossary/t.md).\n\
         //- glossary/t.md\n+++\nterm = \"T\"\nsummary = \"S.\"\n+++\n\nBody.\n"
    ));
    let run = site.run(&["check"]);
    run.failure();
    assert!(
        run.stderr.contains(
            "`glossary/t.md` exists; from `articles/a.md` the path is `../glossary/t.md`"
        ),
        "{}",
        run.stderr
    );
}

/// `check` reads text without smart punctuation, which turns `--` into a dash
/// and `...` into `…` (see `markdown::parse`); it must still find exactly what
/// `build` finds.
#[test]
fn check_and_build_agree_where_smart_punctuation_changes_the_text() {
    let a = format!(
        "{ARTICLE}\n## Before -- and after\n\n## Don't \"fall\"\n\n\
         [ok](#before--and-after), [ok](#dont-fall), [typo](#before-and-after).\n"
    );
    // No `--` heading here, so this file is read without smart punctuation.
    let b = format!("{ARTICLE}\n[Read more…](a.md) and [read more...](a.md).\n");
    let site = Site::new(&format!("//- articles/a.md\n{a}//- articles/b.md\n{b}"));
    assert_eq!(
        site.check_json(),
        [
            d("broken-anchor", "articles/a.md", 13, 45),
            d("accessibility", "articles/b.md", 9, 1),
            d("accessibility", "articles/b.md", 9, 24),
        ]
    );
    let (check, _) = site.fail_alike(&[]);
    assert!(
        check.stderr.contains("did you mean `#before--and-after`?"),
        "{}",
        check.stderr
    );
}

/// A `%` escape in a Markdown link names the file it decodes to, as the
/// output check decodes the generated page's links: not only `%20`.
#[test]
fn percent_escapes_in_links_name_the_decoded_file() {
    let a = format!(
        "{ARTICLE}\nSee [my page](my%2Dpage.md#risks) and ![a chart](../static/caf%C3%A9.png).\n"
    );
    let page = format!("{ARTICLE}\n## Risks\n");
    let site = Site::new(&format!(
        "//- articles/a.md\n{a}//- articles/my-page.md\n{page}//- static/café.png\npng\n"
    ));
    assert_eq!(site.check_json(), []);
    site.build().success();
    let html = site.read("public/articles/a/index.html");
    assert!(
        html.contains(r#"href="/articles/my-page/#risks""#),
        "{html}"
    );
    // pulldown-cmark escapes the address again, as a URL must be written.
    assert!(html.contains(r#"src="/caf%C3%A9.png""#), "{html}");

    site.write(
        "articles/a.md",
        &format!("{ARTICLE}\nSee [no page](no%2Dpage.md).\n"),
    );
    assert_eq!(site.check_json(), [d("broken-link", "articles/a.md", 9, 5)]);
}

#[test]
fn a_heading_keeps_every_connector_punctuation_character_in_its_id() {
    // GitHub keeps Unicode's connector punctuation (`_`, `‿`, `＿`, …) in a
    // heading's id; links written against GitHub's ids must resolve here.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\n## Dose‿plan\n\n## Week＿one\n\nSee [the plan](#dose‿plan).\n\
         //- articles/b.md\n{ARTICLE}\nSee [week one](a.md#week＿one).\n"
    ));
    assert_eq!(site.check_json(), []);
    site.build().success();
    let html = site.read("public/articles/a/index.html");
    assert!(
        html.contains("id=dose‿plan") || html.contains("id=\"dose‿plan\""),
        "{html}"
    );
    assert!(html.contains("week＿one"), "{html}");
}
