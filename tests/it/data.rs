//! Shared data: tables and numbers in prose come from `data/`, so a change to
//! the data changes every page that shows it, and bad data is reported.

use crate::support::{ARTICLE, Site};

const THRESHOLDS: &str = r#"source = "WHO"
reviewed = 2026-10-01
review_due = 2027-10-01

[tables.t_score]
caption = "What a T-score means"
measure = "T-score"
decimals = 1
columns = [{ key = "implication", header = "What it generally means" }]

[[tables.t_score.rows]]
key = "normal"
name = "Normal bone density"
lower = { value = -1.0, inclusive = true }
values = { implication = "Foundations" }

[[tables.t_score.rows]]
key = "osteopenia"
name = "Osteopenia"
upper = { value = -1.0, inclusive = false }
lower = { value = -2.5, inclusive = false }
values = { implication = "Reassess" }

[[tables.t_score.rows]]
key = "osteoporosis"
name = "Osteoporosis"
upper = { value = -2.5, inclusive = true }
values = { implication = "Medicine often considered" }
"#;

fn site() -> Site {
    Site::new(&format!(
        "//- data/thresholds.toml\n{THRESHOLDS}//- articles/a.md\n{ARTICLE}\n{{{{ category_table(data=\"thresholds\", table=\"t_score\") }}}}\n\n\
         Osteoporosis means a T-score of {{{{ data_value(data=\"thresholds\", table=\"t_score\", row=\"osteoporosis\") }}}}.\n\
         //- glossary/osteopenia.md\n+++\nterm = \"Osteopenia\"\nsummary = \"Low bone mass.\"\n+++\n\n\
         A T-score {{{{ data_value(data=\"thresholds\", table=\"t_score\", row=\"osteopenia\") }}}}.\n"
    ))
}

#[test]
fn the_table_is_accessible_and_written_in_words() {
    let site = site();
    site.build().success();
    let html = site.read("public/articles/a/index.html");
    let table = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
    insta::assert_snapshot!(table);
    assert!(table.contains("<caption>What a T-score means"));
    assert_eq!(table.matches("<th scope=col>").count(), 3);
    assert_eq!(table.matches("<th scope=row>").count(), 3);
    for words in [
        "\u{2212}1.0 or higher",
        "between \u{2212}1.0 and \u{2212}2.5, but not \u{2212}1.0 or \u{2212}2.5",
        "\u{2212}2.5 or lower",
    ] {
        assert!(table.contains(words), "{words}");
    }
    assert!(!table.contains("-1.0") && !table.contains("lower than"));
    assert!(
        html.contains("a T-score of \u{2212}2.5 or lower."),
        "{html}"
    );
}

#[test]
fn a_change_in_the_data_changes_every_page() {
    let site = site();
    site.build().success();
    site.write("data/thresholds.toml", &THRESHOLDS.replace("-2.5", "-2.7"));
    site.build().success();
    let pages = [
        site.read("public/articles/a/index.html"),
        site.read("public/glossary/osteopenia/index.html"),
    ];
    for page in &pages {
        assert!(page.contains("\u{2212}2.7"), "{page}");
        assert!(!page.contains("\u{2212}2.5"), "{page}");
    }
}

fn bad(data: &str) -> Vec<(String, String, u64, u64)> {
    let site = Site::new(&format!("//- data/thresholds.toml\n{data}"));
    site.check_json()
}

fn line_of(text: &str, needle: &str) -> u64 {
    text[..text.find(needle).unwrap()].matches('\n').count() as u64 + 1
}

#[test]
fn overlap_gap_unsorted_and_strings_are_reported_on_their_line() {
    let overlap = THRESHOLDS.replace(
        "upper = { value = -1.0, inclusive = false }",
        "upper = { value = -1.0, inclusive = true }",
    );
    let json = bad(&overlap);
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(
        (json[0].0.as_str(), json[0].2),
        ("data", line_of(&overlap, "lower = { value = -1.0"))
    );

    let gap = THRESHOLDS.replace(
        "lower = { value = -2.5, inclusive = false }",
        "lower = { value = -2.4, inclusive = false }",
    );
    let json = bad(&gap);
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0].2, line_of(&gap, "lower = { value = -2.4"));
    let message = &bad_messages(&gap)[0].4;
    assert!(
        message.contains("no row covers the values from just over \u{2212}2.5 to \u{2212}2.4"),
        "{message}"
    );

    let string = THRESHOLDS.replace(
        "value = -2.5, inclusive = true",
        "value = \"-2.5\", inclusive = true",
    );
    let json = bad(&string);
    assert_eq!(json.len(), 1, "{json:?}");
    assert_eq!(json[0].2, line_of(&string, "\"-2.5\""));

    let rows: Vec<&str> = THRESHOLDS.split("[[tables.t_score.rows]]").collect();
    let unsorted = format!(
        "{}[[tables.t_score.rows]]{}[[tables.t_score.rows]]{}[[tables.t_score.rows]]{}",
        rows[0], rows[2], rows[1], rows[3]
    );
    let json = bad(&unsorted);
    assert!(
        !json.is_empty() && json.iter().all(|d| d.0 == "data"),
        "{json:?}"
    );
}

/// An age table that runs upwards, its rows meeting at 50.
const INTAKE: &str = r#"source = "NIH"
reviewed = 2026-10-01

[tables.calcium]
caption = "Calcium"
measure = "Age"
unit = "years"
columns = [{ key = "mg", header = "A day", unit = "mg" }]

[[tables.calcium.rows]]
key = "adults"
name = "Adults"
lower = { value = 19, inclusive = true }
upper = { value = 50, inclusive = true }
values = { mg = 1000 }

[[tables.calcium.rows]]
key = "older"
name = "Older adults"
lower = { value = 50, inclusive = false }
values = { mg = 1200 }
"#;

#[test]
fn a_gap_is_reported_where_it_starts_with_both_of_its_ends() {
    // 50 years, then older than 52: the gap starts after the first row.
    let gap = INTAKE.replace(
        "lower = { value = 50, inclusive = false }",
        "lower = { value = 52, inclusive = true }",
    );
    let site = Site::new(&format!("//- data/intake.toml\n{gap}"));
    let found = site.check_json_messages();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].2,
        line_of(&gap, "upper = { value = 50"),
        "{found:?}"
    );
    assert_eq!(
        found[0].4,
        "rows `adults` and `older` of table `calcium` leave a gap: no row covers the values \
         from just over 50 years to just under 52 years"
    );
    site.fail_alike(&[]);

    // Neither row includes 50 itself.
    let gap = INTAKE.replace(
        "upper = { value = 50, inclusive = true }",
        "upper = { value = 50, inclusive = false }",
    );
    let found = bad_messages(&gap);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].2,
        line_of(&gap, "upper = { value = 50"),
        "{found:?}"
    );
    assert!(
        found[0]
            .4
            .ends_with("leave a gap: neither includes 50 years, so one of them must"),
        "{found:?}"
    );

    // Rows that overlap name the stretch both cover.
    let overlap = INTAKE.replace(
        "lower = { value = 50, inclusive = false }",
        "lower = { value = 45, inclusive = true }",
    );
    let found = bad_messages(&overlap);
    assert_eq!(
        found[0].2,
        line_of(&overlap, "upper = { value = 50"),
        "{found:?}"
    );
    assert!(
        found[0]
            .4
            .ends_with("overlap: both cover the values from 45 years to 50 years"),
        "{found:?}"
    );
}

fn bad_messages(data: &str) -> Vec<(String, String, u64, u64, String)> {
    Site::new(&format!("//- data/intake.toml\n{data}")).check_json_messages()
}

#[test]
fn an_unknown_table_in_a_shortcode_is_reported_where_it_is_called() {
    let site = Site::new(&format!(
        "//- data/thresholds.toml\n{THRESHOLDS}//- articles/a.md\n{ARTICLE}\nText.\n\n{{{{ category_table(data=\"thresholds\", table=\"t_scor\") }}}}\n"
    ));
    assert_eq!(
        site.check_json(),
        [("shortcode".to_string(), "articles/a.md".to_string(), 11, 1)]
    );
    let run = site.run(&["check"]);
    assert!(
        run.stderr.contains("did you mean `t_score`?"),
        "{}",
        run.stderr
    );
}

const AGES: &str = r#"source = "The Menopause Society"
reviewed = 2026-12-01

[values.average_age]
name = "Average age at natural menopause"
value = 51
unit = "years"

[tables.vitamin_d]
caption = "Vitamin D"
measure = "Age"
unit = "years"
higher = "older"
lower = "younger"
columns = [{ key = "limit", header = "Most a day", unit = "mcg", also = { unit = "IU", factor = 40 } }]

[[tables.vitamin_d.rows]]
key = "adults"
name = "Adults"
lower = { value = 19, inclusive = true }
values = { limit = 100 }
"#;

#[test]
fn a_single_figure_and_a_second_unit_come_from_the_data() {
    let site = Site::new(&format!(
        "//- data/menopause.toml\n{AGES}//- articles/a.md\n{ARTICLE}\n\
         The average age is {{{{ data_value(data=\"menopause\", value=\"average_age\") }}}}.\n\n\
         Adults ({{{{ data_value(data=\"menopause\", table=\"vitamin_d\", row=\"adults\") }}}}) should stay under \
         {{{{ data_value(data=\"menopause\", table=\"vitamin_d\", row=\"adults\", field=\"limit\") }}}} a day.\n"
    ));
    site.build().success();
    let html = site.read("public/articles/a/index.html");
    assert!(html.contains("The average age is 51 years."), "{html}");
    assert!(
        html.contains("Adults (19 years or older) should stay under 100 mcg (4,000 IU) a day."),
        "{html}"
    );

    site.write(
        "data/menopause.toml",
        &AGES.replace("value = 51", "value = 52"),
    );
    site.build().success();
    assert!(
        site.read("public/articles/a/index.html")
            .contains("The average age is 52 years.")
    );
}

#[test]
fn a_misnamed_figure_is_reported_where_it_is_called() {
    let site = Site::new(&format!(
        "//- data/menopause.toml\n{AGES}//- articles/a.md\n{ARTICLE}\n\
         Text.\n\nAge {{{{ data_value(data=\"menopause\", value=\"average_ages\") }}}}.\n"
    ));
    assert_eq!(
        site.check_json(),
        [("shortcode".to_string(), "articles/a.md".to_string(), 11, 5)]
    );
    let run = site.run(&["build"]);
    run.failure();
    assert!(
        run.stderr.contains("did you mean `average_age`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_figure_or_factor_that_is_not_a_real_number_is_a_data_error() {
    for (from, to, needle) in [
        ("value = 51", "value = nan", "value = nan"),
        ("factor = 40", "factor = 0", "also = "),
        ("factor = 40", "factor = -inf", "also = "),
    ] {
        let text = AGES.replace(from, to);
        let site = Site::new(&format!("//- data/menopause.toml\n{text}"));
        let json = site.check_json();
        assert_eq!(json.len(), 1, "{to}: {json:?}");
        assert_eq!(
            (json[0].0.as_str(), json[0].1.as_str()),
            ("data", "data/menopause.toml"),
            "{to}"
        );
        assert_eq!(json[0].2, line_of(&text, needle), "{to}");
    }
}

#[test]
fn a_shortcode_with_a_pasted_no_break_space_renders() {
    // A word processor's no-break or thin space inside the braces once made
    // check and build panic (exit 101): it is white space like any other.
    let site = Site::new(&format!(
        "//- data/thresholds.toml\n{THRESHOLDS}//- articles/a.md\n{ARTICLE}\n\
         Osteoporosis means {{{{\u{a0}data_value(data=\"thresholds\",\u{2009}table=\"t_score\", row=\"osteoporosis\")\u{a0}}}}}.\n"
    ));
    assert_eq!(site.check_json(), []);
    site.build().success();
    let html = site.read("public/articles/a/index.html");
    assert!(
        html.contains("Osteoporosis means \u{2212}2.5 or lower."),
        "{html}"
    );
}
