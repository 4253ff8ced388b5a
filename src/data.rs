//! Shared data in `data/`: range tables (T-score categories, intakes by age),
//! their validation, the one formatter that writes a range or value in words,
//! and the classifier that puts a number in its category.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::load::SourceFile;
use crate::meta::{Date, parse_toml};

/// One file of `data/`, by its name without `.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFile {
    /// Who the figures come from.
    pub source: String,
    /// When someone last checked the figures against the source.
    pub reviewed: Date,
    pub review_due: Option<Date>,
    #[serde(default)]
    pub tables: BTreeMap<String, Table>,
}

/// A table that maps ranges of one measure to named categories.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub caption: String,
    /// What the ranges measure ("T-score", "Age"): the first column's header.
    pub measure: String,
    /// Header of the category column.
    #[serde(default = "default_category")]
    pub category: String,
    /// Decimals shown for the bounds.
    #[serde(default)]
    pub decimals: u8,
    /// Unit written after each bound ("years").
    #[serde(default)]
    pub unit: Option<String>,
    /// Words for above and below: "higher"/"lower", or "older"/"younger".
    #[serde(default = "default_higher")]
    pub higher: String,
    #[serde(default = "default_lower")]
    pub lower: String,
    #[serde(default)]
    pub columns: Vec<Column>,
    pub rows: Vec<Spanned<Row>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub key: String,
    pub header: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub decimals: u8,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub key: String,
    pub name: String,
    pub lower: Option<Spanned<Bound>>,
    pub upper: Option<Spanned<Bound>>,
    #[serde(default)]
    pub values: BTreeMap<String, Spanned<Cell>>,
}

/// One end of a range, with whether the end value itself belongs to it.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    pub value: f64,
    pub inclusive: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Cell {
    Number(f64),
    Text(String),
}

fn default_category() -> String {
    "Category".to_string()
}
fn default_higher() -> String {
    "higher".to_string()
}
fn default_lower() -> String {
    "lower".to_string()
}

/// All data files by name.
#[derive(Clone, Debug, Default)]
pub struct Data {
    pub files: BTreeMap<String, DataFile>,
}

/// Parses and validates every data file. A file with problems is left out, so
/// shortcodes that use it report it missing as well as the file's own errors.
pub fn parse(files: &[SourceFile]) -> (Data, Vec<Diagnostic>) {
    let mut data = Data::default();
    let mut diagnostics = Vec::new();
    for file in files {
        let name = crate::url::slug(&file.path)
            .trim_end_matches(".toml")
            .to_string();
        match parse_toml::<DataFile>(Code::Data, &file.path, &file.text, 0..file.text.len()) {
            Ok(parsed) => {
                let before = diagnostics.len();
                for (table_name, table) in &parsed.tables {
                    validate(&file.path, table_name, table, &mut diagnostics);
                }
                if diagnostics.len() == before {
                    data.files.insert(name, parsed);
                }
            }
            Err(d) => diagnostics.push(d),
        }
    }
    (data, diagnostics)
}

/// The low and high ends of a row as numbers, open ends as infinities.
fn ends(row: &Row) -> (f64, f64) {
    (
        row.lower
            .as_ref()
            .map_or(f64::NEG_INFINITY, |b| b.get_ref().value),
        row.upper
            .as_ref()
            .map_or(f64::INFINITY, |b| b.get_ref().value),
    )
}

/// Checks that a table's rows are in order and meet with no gap and no overlap.
fn validate(file: &str, name: &str, table: &Table, out: &mut Vec<Diagnostic>) {
    let err =
        |span: Range<usize>, message: String| Diagnostic::error(Code::Data, file, span, message);
    let mut keys = std::collections::HashSet::new();
    for row in &table.rows {
        let (r, span) = (row.get_ref(), row.span());
        if !keys.insert(r.key.as_str()) {
            out.push(err(
                span.clone(),
                format!("table `{name}` has two rows with key `{}`", r.key),
            ));
        }
        let (low, high) = ends(r);
        if r.lower.is_none() && r.upper.is_none() {
            out.push(err(
                span.clone(),
                format!(
                    "row `{}` of table `{name}` has neither `lower` nor `upper`",
                    r.key
                ),
            ));
        } else if low > high || (low == high && !(inclusive(&r.lower) && inclusive(&r.upper))) {
            out.push(err(
                span.clone(),
                format!(
                    "row `{}` of table `{name}` is empty: its `lower` is not below its `upper`",
                    r.key
                ),
            ));
        }
        for column in &table.columns {
            if !r.values.contains_key(&column.key) {
                out.push(err(
                    span.clone(),
                    format!(
                        "row `{}` of table `{name}` has no value for the column `{}`",
                        r.key, column.key
                    ),
                ));
            }
        }
        for (key, value) in &r.values {
            if !table.columns.iter().any(|c| &c.key == key) {
                let d = err(
                    value.span(),
                    format!("table `{name}` has no column `{key}`"),
                );
                let hint = closest(key, table.columns.iter().map(|c| c.key.as_str()))
                    .map(|c| format!("did you mean `{c}`?"));
                out.push(match hint {
                    Some(h) => d.with_hint(h),
                    None => d.with_hint("declare the column in the table's `columns` list"),
                });
            }
        }
    }
    let rows: Vec<&Spanned<Row>> = table.rows.iter().collect();
    let descending = rows.len() > 1 && ends(rows[0].get_ref()).0 > ends(rows[1].get_ref()).0;
    for pair in rows.windows(2) {
        let (a, b) = if descending {
            (pair[1], pair[0])
        } else {
            (pair[0], pair[1])
        };
        let later = pair[1];
        let (ra, rb) = (a.get_ref(), b.get_ref());
        if ends(ra).0 >= ends(rb).0 {
            out.push(err(later.span(), format!(
                "row `{}` of table `{name}` is out of order: rows must run from the lowest range to the highest, or from the highest to the lowest",
                later.get_ref().key
            )));
            continue;
        }
        let (Some(top), Some(bottom)) = (&ra.upper, &rb.lower) else {
            let span = ra
                .upper
                .as_ref()
                .or(rb.lower.as_ref())
                .map_or(later.span(), |b| b.span());
            out.push(err(span, format!(
                "rows `{}` and `{}` of table `{name}` overlap: the range below needs an `upper` and the range above a `lower`",
                ra.key, rb.key
            )));
            continue;
        };
        let (t, bt) = (top.get_ref(), bottom.get_ref());
        let problem =
            if t.value < bt.value || (t.value == bt.value && !t.inclusive && !bt.inclusive) {
                Some("leave a gap between them")
            } else if t.value > bt.value || (t.inclusive && bt.inclusive) {
                Some("overlap")
            } else {
                None
            };
        if let Some(problem) = problem {
            out.push(err(bottom.span(), format!(
                "rows `{}` and `{}` of table `{name}` {problem}: at {} one range must include the end and the other exclude it",
                ra.key, rb.key, format_number(bt.value, table.decimals)
            )));
        }
    }
}

fn inclusive(bound: &Option<Spanned<Bound>>) -> bool {
    bound.as_ref().is_some_and(|b| b.get_ref().inclusive)
}

/// A number as readers see it: a true minus sign (U+2212), thousands
/// separated by commas, and a fixed number of decimals.
pub fn format_number(value: f64, decimals: u8) -> String {
    let text = format!("{:.*}", decimals as usize, value.abs());
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "\u{2212}"
    } else {
        ""
    };
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

impl Table {
    fn bound_text(&self, bound: &Bound) -> String {
        let number = format_number(bound.value, self.decimals);
        match &self.unit {
            Some(unit) => format!("{number} {unit}"),
            None => number,
        }
    }

    /// A row's range in words: "−1.0 or higher", "lower than −1.0 and higher
    /// than −2.5", "−2.5 or lower". Never a dash or a bare "between".
    pub fn range_words(&self, row: &Row) -> String {
        let above = row.lower.as_ref().map(|b| {
            let b = b.get_ref();
            if b.inclusive {
                format!("{} or {}", self.bound_text(b), self.higher)
            } else {
                format!("{} than {}", self.higher, self.bound_text(b))
            }
        });
        let below = row.upper.as_ref().map(|b| {
            let b = b.get_ref();
            if b.inclusive {
                format!("{} or {}", self.bound_text(b), self.lower)
            } else {
                format!("{} than {}", self.lower, self.bound_text(b))
            }
        });
        match (below, above) {
            (Some(b), Some(a)) => format!("{b} and {a}"),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => "any value".to_string(),
        }
    }

    /// A row's value in a column, formatted with the column's unit.
    pub fn cell_text(&self, row: &Row, column: &Column) -> String {
        match row.values.get(&column.key).map(Spanned::get_ref) {
            Some(Cell::Number(n)) => {
                let number = format_number(*n, column.decimals);
                match &column.unit {
                    Some(unit) => format!("{number} {unit}"),
                    None => number,
                }
            }
            Some(Cell::Text(t)) => t.clone(),
            None => String::new(),
        }
    }

    pub fn row(&self, key: &str) -> Option<&Row> {
        self.rows
            .iter()
            .map(Spanned::get_ref)
            .find(|r| r.key == key)
    }
}

/// The row whose range holds `value`, if any.
pub fn classify(table: &Table, value: f64) -> Option<&Row> {
    table.rows.iter().map(Spanned::get_ref).find(|row| {
        let above_low = row.lower.as_ref().is_none_or(|b| {
            let b = b.get_ref();
            value > b.value || (b.inclusive && value == b.value)
        });
        let below_high = row.upper.as_ref().is_none_or(|b| {
            let b = b.get_ref();
            value < b.value || (b.inclusive && value == b.value)
        });
        above_low && below_high
    })
}

impl Data {
    /// Finds a table, with an error message that suggests the right name.
    pub fn table(&self, data: &str, table: &str) -> Result<(&DataFile, &Table), String> {
        let file = self.files.get(data).ok_or_else(|| {
            let mut m = format!("there is no valid data file `data/{data}.toml`");
            if let Some(c) = closest(data, self.files.keys().map(String::as_str)) {
                m.push_str(&format!("; did you mean `{c}`?"));
            }
            m
        })?;
        let t = file.tables.get(table).ok_or_else(|| {
            let mut m = format!("`data/{data}.toml` has no table `{table}`");
            match closest(table, file.tables.keys().map(String::as_str)) {
                Some(c) => m.push_str(&format!("; did you mean `{c}`?")),
                None => m.push_str(&format!(
                    "; its tables are {}",
                    file.tables
                        .keys()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
            m
        })?;
        Ok((file, t))
    }

    /// One value in words: a row's range, one of its bounds, or a column's value.
    pub fn value(
        &self,
        data: &str,
        table: &str,
        row: &str,
        field: Option<&str>,
    ) -> Result<String, String> {
        let (_, t) = self.table(data, table)?;
        let r = t.row(row).ok_or_else(|| {
            let mut m = format!("table `{table}` has no row `{row}`");
            if let Some(c) = closest(row, t.rows.iter().map(|r| r.get_ref().key.as_str())) {
                m.push_str(&format!("; did you mean `{c}`?"));
            }
            m
        })?;
        match field {
            None | Some("range") => Ok(t.range_words(r)),
            Some(end @ ("lower" | "upper")) => {
                let bound = if end == "lower" { &r.lower } else { &r.upper };
                bound
                    .as_ref()
                    .map(|b| t.bound_text(b.get_ref()))
                    .ok_or_else(|| format!("row `{row}` has no `{end}` bound"))
            }
            Some(key) => t
                .columns
                .iter()
                .find(|c| c.key == key)
                .map(|c| t.cell_text(r, c))
                .ok_or_else(|| {
                    let names = ["range", "lower", "upper"]
                        .into_iter()
                        .chain(t.columns.iter().map(|c| c.key.as_str()));
                    let mut m = format!("table `{table}` has no field `{key}`");
                    if let Some(c) = closest(key, names) {
                        m.push_str(&format!("; did you mean `{c}`?"));
                    }
                    m
                }),
        }
    }

    /// A table as templates see it: every text already formatted.
    pub fn table_value(
        &self,
        data: &str,
        table: &str,
        language: &str,
    ) -> Result<serde_json::Value, String> {
        let (file, t) = self.table(data, table)?;
        let rows: Vec<_> = t
            .rows
            .iter()
            .map(|r| {
                let r = r.get_ref();
                serde_json::json!({
                    "key": r.key,
                    "name": r.name,
                    "range": t.range_words(r),
                    "cells": t.columns.iter().map(|c| t.cell_text(r, c)).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(serde_json::json!({
            "caption": t.caption,
            "measure": t.measure,
            "category": t.category,
            "columns": t.columns.iter().map(|c| c.header.clone()).collect::<Vec<_>>(),
            "rows": rows,
            "source": file.source,
            "reviewed": file.reviewed.human(language),
            "reviewed_iso": file.reviewed.to_string(),
            "review_due": file.review_due.map(|d| d.human(language)),
        }))
    }
}

#[cfg(test)]
mod tests {
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
                "lower than \u{2212}1.0 and higher than \u{2212}2.5",
                "\u{2212}2.5 or lower"
            ]
        );
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
}
