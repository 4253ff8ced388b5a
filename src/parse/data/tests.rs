//! Tests of data tables and figures: validation, formatting and the classifier.

use super::*;
use proptest::prelude::*;

fn t_score() -> Table {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/thresholds.toml"))
            .unwrap();
    let file: DataFile = toml::from_str(&text).unwrap();
    file.tables["t_score"].clone()
}

fn category(value: f64) -> &'static str {
    let table = Box::leak(Box::new(t_score()));
    classify(table, value).map_or("none", |r| r.key.as_str())
}

#[test]
fn classifies_every_boundary() {
    assert_eq!(category(0.0), "normal");
    assert_eq!(category(-1.0), "normal");
    assert_eq!(category(-1.0 - 1e-9), "osteopenia");
    assert_eq!(category(-0.9), "normal");
    assert_eq!(category(-1.1), "osteopenia");
    assert_eq!(category(-2.4), "osteopenia");
    assert_eq!(category(-2.5 + 1e-9), "osteopenia");
    assert_eq!(category(-2.5), "osteoporosis");
    assert_eq!(category(-2.6), "osteoporosis");
    assert_eq!(category(-6.0), "osteoporosis");
}

#[test]
fn ranges_read_in_words() {
    let t = t_score();
    let words: Vec<String> = t.rows.iter().map(|r| t.range_words(r.get_ref())).collect();
    assert_eq!(
        words,
        [
            "\u{2212}1.0 or higher",
            "between \u{2212}1.0 and \u{2212}2.5, but not \u{2212}1.0 or \u{2212}2.5",
            "\u{2212}2.5 or lower"
        ]
    );
}

/// A table of ages whose middle row has the given ends, with rows below
/// and above it so the table runs upwards (or downwards, reversed).
fn ages(low: (f64, bool), high: (f64, bool), descending: bool) -> (Table, Row) {
    let bound = |(value, inclusive): (f64, bool)| Bound { value, inclusive };
    let text = |key: &str, lower: Option<Bound>, upper: Option<Bound>| {
        let part = |name: &str, b: Option<Bound>| {
            b.map_or(String::new(), |b| {
                format!(
                    "{name} = {{ value = {}, inclusive = {} }}\n",
                    b.value, b.inclusive
                )
            })
        };
        format!(
            "[[tables.t.rows]]\nkey = \"{key}\"\nname = \"{key}\"\n{}{}",
            part("lower", lower),
            part("upper", upper)
        )
    };
    let flip = |b: Bound| Bound {
        inclusive: !b.inclusive,
        ..b
    };
    let mut rows = [
        text("below", None, Some(flip(bound(low)))),
        text("middle", Some(bound(low)), Some(bound(high))),
        text("above", Some(flip(bound(high))), None),
    ];
    if descending {
        rows.reverse();
    }
    let file = format!(
        "source = \"s\"\nreviewed = 2026-01-01\n[tables.t]\ncaption = \"c\"\nmeasure = \"Age\"\nunit = \"years\"\n{}",
        rows.concat()
    );
    let table = toml::from_str::<DataFile>(&file).unwrap().tables["t"].clone();
    let mut problems = vec![];
    validate("d.toml", "t", &table, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    let row = table.row("middle").unwrap().clone();
    (table, row)
}

#[test]
fn a_range_says_exactly_which_ends_belong_to_it() {
    let cases = [
        ((19.0, true), (50.0, true), "19 to 50 years"),
        ((40.0, true), (45.0, false), "40 to just under 45 years"),
        ((40.0, false), (45.0, true), "just over 40 to 45 years"),
        (
            (40.0, false),
            (45.0, false),
            "between 40 and 45 years, but not 40 or 45",
        ),
        ((51.0, true), (51.0, true), "51 years"),
    ];
    for (low, high, words) in cases {
        let (table, row) = ages(low, high, false);
        assert_eq!(table.range_words(&row), words);
    }
    // A table that runs downwards names its upper end first.
    let (table, row) = ages((40.0, true), (45.0, false), true);
    assert_eq!(table.range_words(&row), "just under 45 to 40 years");
    let (table, row) = ages((40.0, false), (45.0, false), true);
    assert_eq!(
        table.range_words(&row),
        "between 45 and 40 years, but not 45 or 40"
    );
}

#[test]
fn a_second_unit_is_computed_from_the_first() {
    let text = r#"source = "s"
reviewed = 2026-01-01
[values.age]
name = "Average age"
value = 51
unit = "years"
[tables.d]
caption = "c"
measure = "Age"
columns = [{ key = "amount", header = "a", unit = "mcg", also = { unit = "IU", factor = 40 } }]
[[tables.d.rows]]
key = "adults"
name = "Adults"
lower = { value = 19, inclusive = true }
values = { amount = 100 }
"#;
    let file: DataFile = toml::from_str(text).unwrap();
    let table = &file.tables["d"];
    let row = table.row("adults").unwrap();
    assert_eq!(
        table.cell_text(row, &table.columns[0]),
        "100 mcg (4,000 IU)"
    );
    assert_eq!(file.values["age"].text(), "51 years");
}

#[test]
fn numbers_have_minus_signs_and_separators() {
    assert_eq!(format_number(1200.0, 0), "1,200");
    assert_eq!(format_number(-2.5, 1), "\u{2212}2.5");
    assert_eq!(format_number(1234567.0, 0), "1,234,567");
    assert_eq!(format_number(-0.0, 1), "0.0");
}

proptest! {
    #[test]
    fn every_real_number_is_in_exactly_one_category(value in proptest::num::f64::NORMAL | proptest::num::f64::ZERO | proptest::num::f64::SUBNORMAL) {
        let t = t_score();
        let matches = t.rows.iter().filter(|r| {
            let one = Table { rows: vec![(*r).clone()], ..t.clone() };
            classify(&one, value).is_some()
        }).count();
        prop_assert_eq!(matches, 1);
    }

    #[test]
    fn values_near_the_boundaries_are_in_exactly_one_category(offset in -1.0e-6f64..1.0e-6) {
        let t = t_score();
        for edge in [-1.0, -2.5] {
            let value = edge + offset;
            let matches = t.rows.iter().filter(|r| {
                let one = Table { rows: vec![(*r).clone()], ..t.clone() };
                classify(&one, value).is_some()
            }).count();
            prop_assert_eq!(matches, 1);
        }
    }
}
