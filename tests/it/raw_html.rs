//! Raw HTML inside Markdown is read with a real HTML tokenizer and checked
//! on its source line, as Markdown is: never blamed on a template or on
//! line 1 of a generated page.

use crate::support::{ARTICLE, Site, d};

#[test]
fn raw_html_problems_are_reported_on_their_source_lines() {
    // ARTICLE is 7 lines of front matter and a blank line: the body starts on 8.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\
         <img src=\"/x.png\">\n\
         \n\
         <table><tr><td>a</td></tr></table>\n\
         \n\
         Go <a href=\"/missing/\">there</a> or <a href=\"../b/#nope\">to b</a>.\n\
         \n\
         <div>\n  <img alt=\"\"\n    src=\"/y.png\">\n</div>\n\
         \n\
         <h4 id=\"h\">Deep</h4>\n\
         //- articles/b.md\n{ARTICLE}\nText of b.\n"
    ));
    let json = site.check_json();
    assert_eq!(
        json,
        [
            d("accessibility", "articles/a.md", 8, 1),
            d("broken-link", "articles/a.md", 8, 11),
            d("accessibility", "articles/a.md", 10, 1),
            d("broken-link", "articles/a.md", 12, 13),
            d("broken-anchor", "articles/a.md", 12, 46),
            d("broken-link", "articles/a.md", 16, 10),
            d("accessibility", "articles/a.md", 19, 1),
        ],
        "{json:?}"
    );
    let (check, _) = site.fail_alike(&[]);
    assert!(!check.stderr.contains("index.html:1:1"), "{}", check.stderr);
    assert!(!check.stderr.contains("templates/"), "{}", check.stderr);
}

#[test]
fn good_raw_html_passes_and_keeps_its_ids_for_links() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\n## Start\n\n\
         <table><tr><th scope=\"col\">A</th></tr><tr><td>1</td></tr></table>\n\n\
         <p id=\"raw\">Raw.</p> <a href=\"../b/\">Bone facts</a>\n\
         //- articles/b.md\n{ARTICLE}\nSee [the raw part](a.md#raw).\n"
    ));
    site.run(&["check"]).success();
    site.build().success();
}

#[test]
fn a_heading_that_takes_an_id_of_the_theme_is_reported_on_its_line() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nText.\n\n## Main\n\nMore.\n"
    ));
    assert_eq!(
        site.check_json(),
        [d("duplicate-id", "articles/a.md", 11, 1)]
    );
    let (check, _) = site.fail_alike(&[]);
    assert!(
        check
            .stderr
            .contains("`theme:default/templates/base.html` writes it on line"),
        "{}",
        check.stderr
    );
    // Another id for the heading mends it.
    site.write(
        "articles/a.md",
        &format!("{ARTICLE}\nText.\n\n## Main {{#main-points}}\n\nMore.\n"),
    );
    site.run(&["check"]).success();
}

#[test]
fn a_link_a_shortcode_writes_is_reported_on_the_shortcode_template() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nGo {{{{ go() }}}}.\n\
         //- templates/shortcodes/go.html\n<b>x</b>\n<a href=\"/nope/\">the nope page</a>\n"
    ));
    let (_, build) = site.fail_alike(&[]);
    assert!(
        build
            .stderr
            .contains("--> templates/shortcodes/go.html:2:10"),
        "{}",
        build.stderr
    );
    assert!(
        build
            .stderr
            .contains("(on articles/a/index.html, by the call on articles/a.md line 9)"),
        "{}",
        build.stderr
    );
    assert!(!build.stderr.contains("index.html:1:1"), "{}", build.stderr);
}

#[test]
fn a_shortcode_link_on_a_page_outside_checks_sample_fails_check_too() {
    // The first article is in check's sample; the shortcode is on the last.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nText.\n\
         //- articles/z.md\n{ARTICLE}\nGo {{{{ go() }}}}.\n\
         //- templates/shortcodes/go.html\n<a href=\"/nope/\">the nope page</a>\n"
    ));
    let (check, _) = site.fail_alike(&[]);
    // The shortcode's line, and the call that put the link on the page.
    assert!(
        check.stderr.contains(
            "(on articles/z/index.html, by the call on articles/z.md line 9)\n --> templates/shortcodes/go.html:1:10"
        ),
        "{}",
        check.stderr
    );
}
