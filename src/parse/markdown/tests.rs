//! Tests of the Markdown pass: ids, links, holes, shortcodes, smart punctuation.

use proptest::prelude::*;

use super::ids::slugify_chars;
use super::*;

proptest! {
    /// Everything but heading text is the same with and without smart
    /// punctuation, as `parse` skips it.
    #[test]
    fn smart_punctuation_changes_nothing_but_text(
        text in r#"([a-z]{1,5}|[ .,!?'"\-\n#*_()]|\.\.\.|--|\n\n## |\n\n- |\[(here|"here"|it's)(\.\.\.)?\]\(b\.md\)|\{\{ x\(a="b"\) \}\})*"#
    ) {
        for stats in [false, true] {
            let cx = Context {
                file: "articles/a.md",
                base_path: "/",
                output: Output { html: false, stats },
            };
            let (lean, lean_problems) = parse(&text, 0..text.len(), &cx);
            let (smart, smart_problems) =
                parse_with(&text, 0..text.len(), &cx, options()).unwrap();
            let without_text = |b: &Body| {
                let headings: Vec<_> =
                    b.headings.iter().map(|h| (h.level, h.id.clone(), h.span.clone())).collect();
                (headings, b.segments.clone(), b.ids.clone(), b.links.clone(), b.shortcodes.clone(), b.stats)
            };
            prop_assert_eq!(without_text(&lean), without_text(&smart));
            prop_assert_eq!(lean_problems, smart_problems);
        }
    }
}

fn body(md: &str) -> (Body, Vec<Problem>) {
    let cx = Context {
        file: "articles/a.md",
        base_path: "/",
        output: Output::ALL,
    };
    parse(md, 0..md.len(), &cx)
}

fn html(b: &Body) -> String {
    b.segments
        .iter()
        .map(|s| match s {
            Segment::Html(r) => b.html[r.clone()].to_string(),
            Segment::Shortcode(n) => format!("[S{n}]"),
            Segment::TermNote(n) => format!("[T{n}]"),
        })
        .collect()
}

#[test]
fn slugify_follows_github() {
    assert_eq!(
        slugify("Long-term use: the facts"),
        "long-term-use-the-facts"
    );
    assert_eq!(slugify("Vitamin D_3 (and you)"), "vitamin-d_3-and-you");
    assert_eq!(slugify(" Ça va — Öl "), "ça-va--öl");
    // Every connector punctuation character (Unicode's Pc) is kept, as `_` is.
    for c in ['_', '‿', '⁀', '⁔', '︳', '︴', '﹍', '﹎', '﹏', '＿'] {
        assert_eq!(
            slugify(&format!("Dose{c}1 (daily)")),
            format!("dose{c}1-daily")
        );
    }
    // Other punctuation is not.
    assert_eq!(slugify("a‐b · c"), "ab--c");
}

proptest::proptest! {
    /// The byte-level path for ASCII headings agrees with the general one.
    #[test]
    fn ascii_slugs_match_the_general_rule(text in "[ -~]{0,40}") {
        proptest::prop_assert_eq!(slugify(&text), slugify_chars(text.trim()));
    }
}

#[test]
fn heading_ids_are_unique_and_custom_ids_kept() {
    let (b, p) = body("## Risks\n\n## Risks\n\n## Side effects {#side}\n");
    assert!(p.is_empty());
    assert_eq!(b.ids, ["risks", "risks-1", "side"]);
    assert!(html(&b).contains(r#"<h2 id="risks-1">Risks</h2>"#));
}

#[test]
fn links_are_rewritten_to_urls() {
    let (b, _) = body("[a](b.md#x) [g](../glossary/vitamin-d.md) [s](../static/f.pdf)");
    let h = html(&b);
    assert!(h.contains(r#"href="/articles/b/#x""#), "{h}");
    assert!(
        h.contains(r#"href="/glossary/vitamin-d/">g</a>[T1]"#),
        "{h}"
    );
    assert!(h.contains(r#"href="/f.pdf""#), "{h}");
}

#[test]
fn root_links_and_raw_html_get_the_base_path() {
    let md = "[a](/about/#team) ![c](/img/c.png) [h](/) [g](/glossary/t/)\n\n\
              <a href=\"/about/\">x</a> <img SRC='/img/d.png' alt=\"d\"> \
              <a href=\"//cdn.example.org/\">cdn</a> <a href=\"b.md\">rel</a>\n";
    let cx = Context {
        file: "articles/a.md",
        base_path: "/health/",
        output: Output::ALL,
    };
    let (b, _) = parse(md, 0..md.len(), &cx);
    let h = html(&b);
    for expected in [
        r#"href="/health/about/#team""#,
        r#"src="/health/img/c.png""#,
        r#"href="/health/">h"#,
        r#"href="/health/glossary/t/">g</a>[T3]"#,
        r#"<a href="/health/about/">x</a>"#,
        r#"<img SRC='/health/img/d.png'"#,
        r#"href="//cdn.example.org/""#,
        r#"href="b.md""#,
    ] {
        assert!(h.contains(expected), "{expected} in {h}");
    }
    let targets: Vec<&Target> = b.links.iter().map(|l| &l.target).collect();
    assert_eq!(
        targets,
        [
            &Target::Source {
                path: "pages/about.md".into(),
                fragment: Some("team".into())
            },
            &Target::Static("static/img/c.png".into()),
            &Target::Absolute,
            &Target::Source {
                path: "glossary/t.md".into(),
                fragment: None
            },
            // Raw HTML's links are checked too; a relative one is read from
            // the page's address (`/articles/a/`), as a browser reads it.
            &Target::Source {
                path: "pages/about.md".into(),
                fragment: None
            },
            &Target::Static("static/img/d.png".into()),
            &Target::Source {
                path: "articles/a/b.md".into(),
                fragment: None
            },
        ]
    );
}

/// Every escape is decoded, as `verify` decodes the output's links, not
/// only `%20`; an invalid escape stays as written.
#[test]
fn percent_escapes_in_links_are_decoded() {
    let source = |path: &str| Target::Source {
        path: path.into(),
        fragment: None,
    };
    let file = "articles/a.md";
    assert_eq!(
        classify("my%2Dpage.md", file),
        source("articles/my-page.md")
    );
    assert_eq!(
        classify("my%20page.md", file),
        source("articles/my page.md")
    );
    assert_eq!(classify("caf%C3%A9.md", file), source("articles/café.md"));
    assert_eq!(classify("100%25.md", file), source("articles/100%.md"));
    assert_eq!(classify("a%zz.md", file), source("articles/a%zz.md"));
    assert_eq!(classify("%ff.md", file), source("articles/%ff.md"));
    assert_eq!(
        classify("/img/caf%C3%A9.png", file),
        Target::Static("static/img/café.png".into())
    );
    assert_eq!(
        classify("%2E%2E/%2E%2E/x.md", file),
        Target::Invalid("the path goes above the site folder".into())
    );
    assert_eq!(classify("mailto:a%40b.org", file), Target::External);
}

#[test]
fn shortcodes_inline_and_block() {
    let md = "{{ t(a=\"x\") }}\n\nAim for {{ v(d=\"intake\", r=\"a_b\") }} a day.\n";
    let (b, p) = body(md);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(html(&b), "[S0]\n<p>Aim for [S1] a day.</p>\n");
    assert!(b.shortcodes[0].block);
    assert!(!b.shortcodes[1].block);
    assert_eq!(
        &md[b.shortcodes[1].span.clone()],
        "{{ v(d=\"intake\", r=\"a_b\") }}"
    );
}

#[test]
fn no_text_an_author_writes_passes_for_a_hole() {
    // osteon's old markers (private-use characters), and its new ones in
    // text, code, alt text, raw HTML and a raw HTML block.
    let md = "\u{e000}S0\u{e001} <!--osteon:S0--> `<!--osteon:T0-->` \
              ![a chart <!--osteon:S1-->](x.png) <span><!--osteon:S2--></span> {{ t() }}\n\n\
              <div>\n<!--osteon:T9-->\n</div>\n";
    let (b, p) = body(md);
    assert!(p.is_empty(), "{p:?}");
    let holes = b
        .segments
        .iter()
        .filter(|s| !matches!(s, Segment::Html(_)))
        .count();
    assert_eq!(holes, 1, "{}", html(&b));
    assert_eq!(b.shortcodes.len(), 1);
    assert!(html(&b).contains("\u{e000}S0\u{e001}"), "{}", html(&b));
}

#[test]
fn code_is_not_a_link_or_shortcode() {
    let (b, p) = body("`[x](y.md)` `{{ t() }}`\n\n```\n[x](y.md) {{ t() }}\n```\n");
    assert!(b.links.is_empty() && b.shortcodes.is_empty() && p.is_empty());
}

#[test]
fn images_and_links_render_once() {
    // Each event once: a split of the event loop once emitted an image's end twice.
    let (b, p) = body("![A chart of bone density](chart.png \"Bone density\") and [b](b.md).\n");
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(
        html(&b),
        "<p><img src=\"/articles/chart.png/\" alt=\"A chart of bone density\" title=\"Bone density\" /> and <a href=\"/articles/b/\">b</a>.</p>\n"
    );
}
