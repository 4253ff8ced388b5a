//! Hostile input, found systematically: sites made from pieces of Markdown,
//! front matter, shortcodes and data, mixed with arbitrary Unicode (osteon's
//! own reserved characters included), are loaded and compiled as `check`
//! and `build` compile them. Neither may panic, every diagnostic must point
//! inside its file on a character boundary, and the two must find the same
//! problems in the sources.

use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;

use osteon::diagnostic::Diagnostic;
use osteon::{Options, Scope};
use proptest::prelude::*;

use crate::support::PIECES;

fn text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-z ]{1,12}",
    ];
    prop::collection::vec(piece, 0..max).prop_map(|p| p.concat())
}

/// A TOML basic string holding any text.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Either the valid text, or the valid text with hostile pieces spliced in
/// at a character boundary.
fn maybe_broken(valid: String) -> impl Strategy<Value = String> {
    (any::<bool>(), any::<prop::sample::Index>(), text(4)).prop_map(move |(keep, at, junk)| {
        if keep {
            return valid.clone();
        }
        let bounds: Vec<usize> = (0..=valid.len())
            .filter(|&i| valid.is_char_boundary(i))
            .collect();
        let i = bounds[at.index(bounds.len())];
        format!("{}{junk}{}", &valid[..i], &valid[i..])
    })
}

const DATA: &str = "source = \"s\"\nreviewed = 2026-01-01\n\n[values.v]\nname = \"n\"\nvalue = 51\nunit = \"years\"\n\n\
[tables.t]\ncaption = \"c\"\nmeasure = \"m\"\ncolumns = [{ key = \"a\", header = \"h\", unit = \"mcg\", also = { unit = \"IU\", factor = 40 } }]\n\n\
[[tables.t.rows]]\nkey = \"low\"\nname = \"Low\"\nupper = { value = 1, inclusive = false }\nvalues = { a = 15 }\n\n\
[[tables.t.rows]]\nkey = \"high\"\nname = \"High\"\nlower = { value = 1, inclusive = true }\nvalues = { a = 20 }\n";

const SITE: &str =
    "title = \"T\"\nbase_url = \"https://example.org/\"\nlanguage = \"en-GB\"\nnotice = \"N.\"\n";

/// A whole site: `site.toml`, a data file, two articles, a glossary entry
/// with aliases and an about page, any of which may be broken.
fn site() -> impl Strategy<Value = Vec<(String, String)>> {
    let article = |title: String, body: String| {
        format!(
            "+++\ntitle = {}\ndescription = \"D.\"\nreviewed = 2026-10-01\ntopics = [{}]\n+++\n\n{body}\n",
            toml_string(&title),
            toml_string(&title)
        )
    };
    (
        maybe_broken(SITE.to_string()),
        maybe_broken(DATA.to_string()),
        (text(6), text(40)).prop_flat_map(move |(t, b)| maybe_broken(article(t, b))),
        text(40).prop_map(move |b| article("B".into(), b)),
        (text(4), text(4), text(20)).prop_flat_map(|(term, alias, body)| {
            maybe_broken(format!(
                "+++\nterm = {}\naliases = [{}]\nsummary = \"S.\"\n+++\n\n{body}\n",
                toml_string(&format!("T{term}")),
                toml_string(&alias)
            ))
        }),
        text(20),
    )
        .prop_map(|(site, data, a, b, t, about)| {
            vec![
                ("site.toml".into(), site),
                ("data/d.toml".into(), data),
                ("articles/a.md".into(), a),
                ("articles/b.md".into(), b),
                ("glossary/t.md".into(), t),
                (
                    "pages/about.md".into(),
                    format!("+++\ntitle = \"About\"\ndescription = \"D.\"\n+++\n\n{about}\n"),
                ),
            ]
        })
}

/// Compiles the site as `check` and as `build` do; a panic is returned as
/// its message so the failing site is shown.
fn compile(
    files: &[(String, String)],
) -> Result<(Vec<Diagnostic>, Vec<Diagnostic>, osteon::load::Sources), String> {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let options = Options {
        root: dir.path().to_path_buf(),
        today: Some(osteon::parse::meta::Date(jiff::civil::date(2026, 11, 1))),
        ..Options::default()
    };
    std::panic::catch_unwind(AssertUnwindSafe(|| {
        let (sources, mut loaded) = osteon::load::load(dir.path()).unwrap();
        let check = osteon::compile_scoped(&sources, &options, Scope::Sample).diagnostics;
        let build = osteon::compile_scoped(&sources, &options, Scope::Everything).diagnostics;
        loaded.extend(check);
        (loaded, build, sources)
    }))
    .map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// What `check` must agree with `build` on: problems found in the sources.
fn in_sources(diagnostics: &[Diagnostic]) -> BTreeSet<String> {
    diagnostics
        .iter()
        .filter(|d| d.file.ends_with(".md") || d.file.ends_with(".toml"))
        .map(|d| format!("{} {}:{:?} {}", d.code.as_str(), d.file, d.span, d.message))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_site_makes_check_or_build_panic_or_point_outside_a_file(files in site()) {
        let (check, build, sources) = match compile(&files) {
            Ok(found) => found,
            Err(panic) => return Err(TestCaseError::fail(format!("panic: {panic}"))),
        };
        let text_of = |file: &str| {
            files.iter().find(|(p, _)| p == file).map(|(_, t)| t.as_str()).or_else(|| {
                sources.templates.iter().find(|t| t.path == file).map(|t| t.text.as_str())
            })
        };
        for d in check.iter().chain(&build) {
            if let Some(text) = text_of(&d.file) {
                prop_assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "{d:?}");
                prop_assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end), "{d:?}");
            }
        }
        let (check, build) = (in_sources(&check), in_sources(&build));
        prop_assert_eq!(check, build);
    }
}
