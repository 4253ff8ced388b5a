//! The glossary A–Z index (aliases as entries, Unicode-aware filing, the
//! letter bar), words claimed twice, and did-you-mean over aliases.

use crate::support::{ARTICLE, Site};

fn term(word: &str, aliases: &[&str]) -> String {
    let aliases: Vec<String> = aliases.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        "+++\nterm = \"{word}\"\naliases = [{}]\nsummary = \"What {word} means.\"\n+++\n\nText.\n",
        aliases.join(", ")
    )
}

/// The HTML of the A–Z section with `id`, or `None` if there is none.
fn section<'a>(page: &'a str, id: &str) -> Option<&'a str> {
    let start = page.find(&format!("<h2 id=\"{id}\">"))?;
    let end = start + page[start..].find("</section>")?;
    Some(&page[start..end])
}

fn a_to_z() -> Site {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee [MHT](../glossary/menopausal-hormone-therapy.md).\n\
         //- glossary/menopausal-hormone-therapy.md\n{}\
         //- glossary/oestrogen.md\n{}\
         //- glossary/echography.md\n{}\
         //- glossary/osteopenia.md\n{}\
         //- glossary/oxalate.md\n{}\
         //- glossary/vitamin-d3.md\n{}",
        term(
            "Menopausal hormone therapy",
            &["HRT", "hormone therapy", "MHT"]
        ),
        term("Östrogen", &[]),
        term("Échographie", &["ultrasound scan"]),
        term("osteopenia", &[]),
        term("Oxalate", &[]),
        term("25-hydroxyvitamin D", &[]),
    ));
    site.build().success();
    site
}

#[test]
fn every_alias_is_an_entry_that_points_at_its_term() {
    let site = a_to_z();
    let page = site.read("public/glossary/index.html");
    let h = section(&page, "letter-h").expect("an H section for HRT and hormone therapy");
    let see = |alias: &str| {
        format!(
            "<dt>{alias}</dt><dd class=az-see>See <a href=\"/glossary/menopausal-hormone-therapy/\">Menopausal hormone therapy</a></dd>"
        )
    };
    // Sorted by folded text: "hormone therapy" before "hrt".
    assert!(
        h.contains(&format!("{}{}", see("hormone therapy"), see("HRT"))),
        "{h}"
    );
    let m = section(&page, "letter-m").unwrap();
    assert!(m.contains(&see("MHT")), "{m}");
    assert!(
        m.contains("<dt><a href=\"/glossary/menopausal-hormone-therapy/\">Menopausal hormone therapy</a></dt><dd>What Menopausal hormone therapy means.</dd>"),
        "{m}"
    );
    let u = section(&page, "letter-u").unwrap();
    assert!(u.contains("<dt>ultrasound scan</dt>"), "{u}");
}

#[test]
fn accented_words_file_under_their_letter_and_digits_under_a_linked_hash() {
    let site = a_to_z();
    let page = site.read("public/glossary/index.html");
    let o = section(&page, "letter-o").expect("an O section");
    // Sorted by folded text, whatever the letter case or accent.
    let at = |word: &str| {
        o.find(&format!(">{word}<"))
            .unwrap_or_else(|| panic!("{word}: {o}"))
    };
    assert!(
        at("osteopenia") < at("Östrogen") && at("Östrogen") < at("Oxalate"),
        "{o}"
    );
    let e = section(&page, "letter-e").expect("an E section");
    assert!(e.contains("Échographie"), "{e}");
    let other = section(&page, "letter-other").expect("a # section");
    assert!(other.contains("25-hydroxyvitamin D"), "{other}");

    let bar_end = page.find("</nav><section").unwrap();
    let bar = &page[page.find("<nav aria-labelledby=glossary-letters").unwrap()..bar_end];
    for (id, label) in [
        ("letter-e", "E"),
        ("letter-h", "H"),
        ("letter-o", "O"),
        ("letter-u", "U"),
    ] {
        assert!(
            bar.contains(&format!("<a href=\"#{id}\">{label}</a>")),
            "{bar}"
        );
    }
    assert!(
        bar.contains("<a href=\"#letter-other\"><span class=visually-hidden>Words starting with a number or symbol</span><span aria-hidden=true>#</span></a>"),
        "{bar}"
    );
    assert!(bar.contains("<span class=az-empty>Z<"), "{bar}");
    // The # section comes last, as in the bar.
    assert!(
        page.find("id=\"letter-other\">").unwrap() > page.find("id=\"letter-v\">").unwrap_or(0)
    );
    assert!(page.find("id=\"letter-other\">").unwrap() > page.find("id=\"letter-u\">").unwrap());
}

#[test]
fn two_entries_claiming_one_word_is_an_error_naming_both() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nText.\n\
         //- glossary/hormone-therapy.md\n{}\
         //- glossary/menopausal-hormone-therapy.md\n{}\
         //- glossary/oestrogen.md\n{}\
         //- glossary/ostrogen.md\n{}",
        term("Hormone therapy", &["HRT"]),
        term(
            "Menopausal hormone therapy",
            &["hrt", "hormone  Therapy", "MHT", "MHT"]
        ),
        term("Östrogen", &[]),
        term("Ostrogen", &[]),
    ));
    let expected = [
        (
            "duplicate-term",
            "glossary/menopausal-hormone-therapy.md",
            3,
            12,
            "`hrt` is claimed by two glossary entries: this one and `glossary/hormone-therapy.md` (line 3, as `HRT`)",
        ),
        (
            "duplicate-term",
            "glossary/menopausal-hormone-therapy.md",
            3,
            19,
            "`hormone  Therapy` is claimed by two glossary entries: this one and `glossary/hormone-therapy.md` (line 2, as `Hormone therapy`)",
        ),
        (
            "duplicate-term",
            "glossary/menopausal-hormone-therapy.md",
            3,
            46,
            "this entry claims `MHT` twice (also on line 3)",
        ),
        (
            "duplicate-term",
            "glossary/ostrogen.md",
            2,
            8,
            "`Ostrogen` is claimed by two glossary entries: this one and `glossary/oestrogen.md` (line 2, as `Östrogen`)",
        ),
    ];
    let expected: Vec<(String, String, u64, u64, String)> = expected
        .iter()
        .map(|(c, f, l, col, m)| (c.to_string(), f.to_string(), *l, *col, m.to_string()))
        .collect();
    assert_eq!(site.check_json_messages(), expected);
    let (_, build) = site.fail_alike(&[]);
    assert!(
        build.stderr.contains("--> glossary/ostrogen.md:2:8"),
        "{}",
        build.stderr
    );
}

#[test]
fn a_broken_glossary_link_suggests_the_entry_with_that_name() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nSee [HRT](../glossary/hrt.md), [oestrogen](../glossary/oestrogn.md) \
         and [FRAX](../glossary/frax-score.md).\n\
         //- glossary/menopausal-hormone-therapy.md\n{}\
         //- glossary/frax.md\n{}\
         //- glossary/estrogen.md\n{}",
        term("Menopausal hormone therapy", &["HRT"]),
        term("FRAX", &[]),
        term("Estrogen", &["oestrogen"]),
    ));
    let run = site.run(&["check"]);
    run.failure();
    for hint in [
        "help: did you mean `../glossary/menopausal-hormone-therapy.md`? `HRT` is another name for Menopausal hormone therapy",
        "help: did you mean `../glossary/estrogen.md`?",
        "help: did you mean `../glossary/frax.md`?",
    ] {
        assert!(run.stderr.contains(hint), "{hint}\n{}", run.stderr);
    }
    assert_eq!(
        run.stderr.matches("help: did you mean").count(),
        3,
        "{}",
        run.stderr
    );
    assert_eq!(site.build().stderr, run.stderr);
}

#[test]
fn a_term_its_button_and_the_punctuation_after_it_stay_on_one_line() {
    // The button and the comma after the term are kept with it; text after a
    // space, and a term at the end of a sentence, are not changed otherwise.
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nDiagnosis is by a [DEXA scan](../glossary/dexa.md), not by symptoms. \
         Ask about [DEXA](../glossary/dexa.md) today, or [a scan](../glossary/dexa.md)…\n\
         //- glossary/dexa.md\n{}",
        term("DEXA scan", &[])
    ));
    site.build().success();
    let html = site.read("public/articles/a/index.html");
    let start = html.find("<p>Diagnosis").unwrap();
    let paragraph = &html[start..start + html[start..].find("</p>").unwrap() + 4];
    insta::assert_snapshot!(paragraph);
    assert_eq!(
        paragraph
            .matches("<span class=\"term-tail\">&#8288;<button")
            .count(),
        3
    );
    assert!(
        paragraph.contains("</span>,</span> not by symptoms"),
        "{paragraph}"
    );
    assert!(paragraph.contains("</span></span> today"), "{paragraph}");
    assert!(
        paragraph.contains("</span>\u{2026}</span></p>"),
        "{paragraph}"
    );
    let css = site.read(&format!(
        "public/{}",
        std::fs::read_dir(site.path().join("public"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .find(|n| n.starts_with("style.") && n.ends_with(".css"))
            .unwrap()
    ));
    assert!(css.contains(".term-tail { white-space: nowrap; }"), "{css}");
}
