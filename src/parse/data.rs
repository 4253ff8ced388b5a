//! Shared data in `data/`: range tables (T-score categories, intakes by age),
//! their validation, the one formatter that writes a range or value in words,
//! and the classifier that puts a number in its category.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::load::SourceFile;
use crate::parse::meta::{Date, Keys, parse_toml};

/// One file of `data/`, by its name without `.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFile {
    /// Who the figures come from; an address in it is checked like a link.
    pub source: Spanned<String>,
    /// When someone last checked the figures against the source.
    pub reviewed: Date,
    pub review_due: Option<Date>,
    #[serde(default)]
    pub tables: BTreeMap<String, Table>,
    /// Single figures, such as an average, shown with `data_value(value=…)`.
    #[serde(default)]
    pub values: BTreeMap<String, Figure>,
}

impl Keys for DataFile {
    const REQUIRED: &'static [&'static str] = &["source", "reviewed"];
}

/// One named number with its unit: `[values.average_age]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// What the number is, for people reading the data file.
    pub name: String,
    pub value: Spanned<f64>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub decimals: u8,
}

impl Figure {
    pub fn text(&self) -> String {
        with_unit(
            format_number(*self.value.get_ref(), self.decimals),
            self.unit.as_deref(),
        )
    }
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
    /// The same amount in a second unit, shown in brackets: "15 mcg (600 IU)".
    #[serde(default)]
    pub also: Option<Spanned<AlsoUnit>>,
}

/// A second unit computed from the first, so the two can never disagree.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlsoUnit {
    pub unit: String,
    /// How many of this unit make one of the column's unit (IU per mcg: 40).
    pub factor: f64,
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
                validate_numbers(&file.path, &parsed, &mut diagnostics);
                let source = &parsed.source;
                let found = crate::external::in_data(
                    &file.path,
                    &file.text,
                    source.get_ref(),
                    source.span(),
                );
                // Reported after, so the tables stay usable: a bad address
                // in `source` is no reason to fail every shortcode.
                let malformed = crate::external::malformed(&found);
                if diagnostics.len() == before {
                    data.files.insert(name, parsed);
                }
                diagnostics.extend(malformed);
            }
            Err(mut problems) => diagnostics.append(&mut problems),
        }
    }
    (data, diagnostics)
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

/// A formatted number followed by its unit, if it has one.
fn with_unit(number: String, unit: Option<&str>) -> String {
    match unit {
        Some(unit) => format!("{number} {unit}"),
        None => number,
    }
}

impl Table {
    fn bound_text(&self, bound: &Bound) -> String {
        with_unit(
            format_number(bound.value, self.decimals),
            self.unit.as_deref(),
        )
    }

    /// Whether the rows run from the highest range down, as the T-score
    /// table does; a range is read in the same direction as its table.
    fn descending(&self) -> bool {
        self.rows.len() > 1 && ends(self.rows[0].get_ref()).0 > ends(self.rows[1].get_ref()).0
    }

    /// A row's range in words, exact about which ends belong to it:
    /// "−1.0 or higher", "older than 50 years", "19 to 50 years" (both ends
    /// in), "40 to just under 45 years" (one end out), "between −1.0 and −2.5,
    /// but not −1.0 or −2.5" (both ends out). Never a dash, and never a bare
    /// "between", which readers take either way.
    pub fn range_words(&self, row: &Row) -> String {
        let lower = row.lower.as_ref().map(Spanned::get_ref);
        let upper = row.upper.as_ref().map(Spanned::get_ref);
        match (lower, upper) {
            (Some(low), Some(high)) => self.two_sided(low, high),
            (Some(b), None) if b.inclusive => format!("{} or {}", self.bound_text(b), self.higher),
            (Some(b), None) => format!("{} than {}", self.higher, self.bound_text(b)),
            (None, Some(b)) if b.inclusive => format!("{} or {}", self.bound_text(b), self.lower),
            (None, Some(b)) => format!("{} than {}", self.lower, self.bound_text(b)),
            (None, None) => "any value".to_string(),
        }
    }

    fn two_sided(&self, low: &Bound, high: &Bound) -> String {
        let number = |b: &Bound| format_number(b.value, self.decimals);
        let unit = self.unit.as_deref();
        if low.value == high.value {
            return with_unit(number(low), unit);
        }
        let (low_text, high_text) = (number(low), number(high));
        let (a, b) = if self.descending() {
            (&high_text, &low_text)
        } else {
            (&low_text, &high_text)
        };
        if !low.inclusive && !high.inclusive {
            return format!(
                "between {a} and {}, but not {a} or {b}",
                with_unit(b.clone(), unit)
            );
        }
        // An end left out is "just over" the lower bound or "just under" the upper.
        let low_end = if low.inclusive {
            low_text.clone()
        } else {
            format!("just over {low_text}")
        };
        let high_end = if high.inclusive {
            high_text.clone()
        } else {
            format!("just under {high_text}")
        };
        let (first, second) = if self.descending() {
            (high_end, low_end)
        } else {
            (low_end, high_end)
        };
        format!("{first} to {}", with_unit(second, unit))
    }

    /// A row's value in a column, formatted with the column's unit.
    pub fn cell_text(&self, row: &Row, column: &Column) -> String {
        match row.values.get(&column.key).map(Spanned::get_ref) {
            Some(Cell::Number(n)) => {
                let text = with_unit(format_number(*n, column.decimals), column.unit.as_deref());
                match column.also.as_ref().map(Spanned::get_ref) {
                    Some(also) => {
                        let other = format_number(n * also.factor, also.decimals);
                        format!("{text} ({other} {})", also.unit)
                    }
                    None => text,
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

/// Names as a message lists them: "`a`, `b`".
fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    names
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Data {
    fn file(&self, data: &str) -> Result<&DataFile, String> {
        self.files.get(data).ok_or_else(|| {
            let mut m = format!("there is no valid data file `data/{data}.toml`");
            if let Some(c) = closest(data, self.files.keys().map(String::as_str)) {
                m.push_str(&format!("; did you mean `{c}`?"));
            }
            m
        })
    }

    /// Finds a table, with an error message that suggests the right name.
    pub fn table(&self, data: &str, table: &str) -> Result<(&DataFile, &Table), String> {
        let file = self.file(data)?;
        let t = file.tables.get(table).ok_or_else(|| {
            let mut m = format!("`data/{data}.toml` has no table `{table}`");
            match closest(table, file.tables.keys().map(String::as_str)) {
                Some(c) => m.push_str(&format!("; did you mean `{c}`?")),
                None => m.push_str(&format!("; its tables are {}", list(file.tables.keys()))),
            }
            m
        })?;
        Ok((file, t))
    }

    /// A single figure of a data file, with its unit: "51 years".
    pub fn figure(&self, data: &str, name: &str) -> Result<String, String> {
        let file = self.file(data)?;
        let figure = file.values.get(name).ok_or_else(|| {
            let mut m = format!("`data/{data}.toml` has no value `{name}`");
            match closest(name, file.values.keys().map(String::as_str)) {
                Some(c) => m.push_str(&format!("; did you mean `{c}`?")),
                None if file.values.is_empty() => {
                    m.push_str("; it has no `[values]`, only tables (use `table` and `row`)")
                }
                None => m.push_str(&format!("; its values are {}", list(file.values.keys()))),
            }
            m
        })?;
        Ok(figure.text())
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
mod tests;
mod validate;

use validate::{ends, validate, validate_numbers};
