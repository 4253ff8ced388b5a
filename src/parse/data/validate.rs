//! A data file's tables checked before anything uses them: real numbers,
//! rows in order, and no gap or overlap between one row and the next.

use super::*;

/// Every figure is a real number and every second unit has a positive factor:
/// TOML accepts `nan` and `inf`, which no reader should ever see.
pub(super) fn validate_numbers(file: &str, parsed: &DataFile, out: &mut Vec<Diagnostic>) {
    for (name, figure) in &parsed.values {
        if !figure.value.get_ref().is_finite() {
            out.push(Diagnostic::error(
                Code::Data,
                file,
                figure.value.span(),
                format!("the value `{name}` is not a finite number"),
            ));
        }
    }
    let conversions = parsed
        .tables
        .iter()
        .flat_map(|(t, table)| table.columns.iter().map(move |c| (t, c)))
        .filter_map(|(t, c)| c.also.as_ref().map(|a| (t, c, a)));
    for (table, column, also) in conversions {
        let factor = also.get_ref().factor;
        if !(factor.is_finite() && factor > 0.0) {
            out.push(Diagnostic::error(
                Code::Data,
                file,
                also.span(),
                format!(
                    "column `{}` of table `{table}` converts to {} with the factor {factor}, which is not a positive number",
                    column.key,
                    also.get_ref().unit
                ),
            ));
        }
    }
}

/// The low and high ends of a row as numbers, open ends as infinities.
pub(super) fn ends(row: &Row) -> (f64, f64) {
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
pub(super) fn validate(file: &str, name: &str, table: &Table, out: &mut Vec<Diagnostic>) {
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
    let descending = table.descending();
    for pair in rows.windows(2) {
        let (a, b) = if descending {
            (pair[1], pair[0])
        } else {
            (pair[0], pair[1])
        };
        let later = pair[1];
        let (ra, rb) = (a.get_ref(), b.get_ref());
        if !starts_before(ra, rb) {
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
        // Reported where the gap or overlap starts as the file reads: on the
        // bound of the earlier row that faces the later one.
        let at = if descending { bottom } else { top };
        let words = |b: &Bound| table.bound_text(b);
        // The values between the ends, each end in or out of them.
        let stretch = |low: &Bound, low_in: bool, high: &Bound, high_in: bool| {
            let low = if low_in {
                words(low)
            } else {
                format!("just over {}", words(low))
            };
            let high = if high_in {
                words(high)
            } else {
                format!("just under {}", words(high))
            };
            format!("from {low} to {high}")
        };
        let problem = if t.value < bt.value {
            Some(format!(
                "leave a gap: no row covers the values {}",
                stretch(t, !t.inclusive, bt, !bt.inclusive)
            ))
        } else if t.value == bt.value && !t.inclusive && !bt.inclusive {
            Some(format!(
                "leave a gap: neither includes {}, so one of them must",
                words(t)
            ))
        } else if t.value > bt.value {
            Some(format!(
                "overlap: both cover the values {}",
                stretch(bt, bt.inclusive, t, t.inclusive)
            ))
        } else if t.inclusive && bt.inclusive {
            Some(format!(
                "overlap: both include {}, so one of them must leave it out",
                words(t)
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            out.push(
                err(
                    at.span(),
                    format!(
                        "rows `{}` and `{}` of table `{name}` {problem}",
                        pair[0].get_ref().key,
                        later.get_ref().key
                    ),
                )
                .with_hint(format!(
                    "make `{}`'s `upper` and `{}`'s `lower` the same value, included in exactly one of the two rows",
                    ra.key, rb.key
                )),
            );
        }
    }
}

/// Whether range `a` starts below range `b`; at equal values an included
/// end comes first, so a one-value row ("51") may sit below "over 51".
pub(super) fn starts_before(a: &Row, b: &Row) -> bool {
    let start = |r: &Row| (ends(r).0, !inclusive(&r.lower));
    start(a) < start(b)
}

pub(super) fn inclusive(bound: &Option<Spanned<Bound>>) -> bool {
    bound.as_ref().is_some_and(|b| b.get_ref().inclusive)
}
