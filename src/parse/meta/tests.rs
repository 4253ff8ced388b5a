//! `meta`'s tests: base URLs, dates, and every problem of a table in one run.

use super::*;

#[test]
fn base_path_handles_sub_folders() {
    let mut config: SiteConfig =
        toml::from_str("title='t'\nbase_url='https://x.org'\nlanguage='en-GB'").unwrap();
    assert_eq!(config.base_path(), "/");
    config.base_url = "https://x.org/bones/".into();
    assert_eq!(config.base_path(), "/bones/");
    assert_eq!(config.base_url(), "https://x.org/bones/");
}

#[test]
fn base_url_must_be_absolute_http_with_a_host() {
    for good in [
        "https://example.org",
        "https://example.org/health/",
        "http://localhost:8080/",
        "HTTPS://Example.org/a%20b/",
        "https://[::1]:8080/",
        "https://bücher.example/",
    ] {
        assert_eq!(check_base_url(good), Ok(()), "{good}");
    }
    for bad in [
        "",
        "/health/",
        "example.org",
        "ftp://example.org/",
        "https://",
        "https:///health/",
        "https://exa mple.org/",
        "https://example.org/a b/",
        "https://example.org:80x/",
        "https://user@example.org/",
        "https://example.org/?x=1",
        "https://example.org/#top",
    ] {
        assert!(check_base_url(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_bad_base_url_is_an_error_on_its_value() {
    let text = "title = 't'\nbase_url = 'example.org'\nlanguage = 'en-GB'\n";
    let d = only(parse_toml::<SiteConfig>(
        Code::Config,
        "site.toml",
        text,
        0..text.len(),
    ));
    assert_eq!(&text[d.span.clone()], "'example.org'");
    assert!(d.message.contains("absolute http(s) URL"), "{}", d.message);
}

#[test]
fn unknown_key_suggests_the_closest() {
    let text = "+++\ntitel = \"x\"\n+++\n";
    let split = split_front_matter("a.md", text).unwrap();
    let mut problems =
        parse_toml::<PageMeta>(Code::FrontMatter, "a.md", text, split.front).unwrap_err();
    // `title` is not missing too: `titel` is meant for it.
    let d = problems.remove(0);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].message, "missing field `description`");
    assert_eq!(&text[d.span.clone()], "titel");
    assert_eq!(d.hint.as_deref(), Some("did you mean `title`?"));
}

#[test]
fn dates_read_as_people_write_them() {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    for (i, month) in MONTHS.iter().enumerate() {
        for (year, day) in [(2026, 1), (999, 9), (1, 28)] {
            let date = Date(jiff::civil::date(year, i as i8 + 1, day));
            assert_eq!(date.human("en-GB"), format!("{day} {month} {year}"));
            assert_eq!(date.human("en-us"), format!("{month} {day}, {year}"));
        }
    }
    let date = Date(jiff::civil::date(2026, 10, 31));
    assert_eq!(date.human("fr"), "31 October 2026");
    assert_eq!(date.human("en-US"), "October 31, 2026");
}

#[test]
fn dates_must_be_dates() {
    let text = "+++\ntitle='t'\ndescription='d'\nreviewed=2026-02-30\ntopics=[]\n+++\n";
    let split = split_front_matter("a.md", text).unwrap();
    let d = only(parse_toml::<ArticleMeta>(
        Code::FrontMatter,
        "a.md",
        text,
        split.front,
    ));
    assert!(d.message.contains("date"), "{}", d.message);
}

/// The one problem of a table that has exactly one.
#[track_caller]
fn only<T: std::fmt::Debug>(parsed: Result<T, Vec<Diagnostic>>) -> Diagnostic {
    let mut problems = parsed.unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    problems.remove(0)
}

/// `REQUIRED` of `T` names exactly the keys serde cannot do without:
/// `minimal` (a value for each required key) parses, and without any
/// one of them it is missing that field.
#[track_caller]
fn required_keys_are_serdes<T: Keys + std::fmt::Debug>(minimal: &str) {
    toml::from_str::<T>(minimal).unwrap();
    let lines: Vec<&str> = minimal.lines().collect();
    assert_eq!(lines.len(), T::REQUIRED.len(), "one line per required key");
    for (i, key) in T::REQUIRED.iter().enumerate() {
        assert!(lines[i].starts_with(key), "{key}: in the order of REQUIRED");
        let without: Vec<&str> = [&lines[..i], &lines[i + 1..]].concat();
        let e = toml::from_str::<T>(&without.join("\n")).unwrap_err();
        assert_eq!(e.message(), format!("missing field `{key}`"));
    }
}

#[test]
fn required_keys_are_the_ones_serde_requires() {
    required_keys_are_serdes::<SiteConfig>(
        "title = ''\nbase_url = 'https://x.org/'\nlanguage = 'en-GB'",
    );
    required_keys_are_serdes::<ArticleMeta>("title = ''\ndescription = ''\nreviewed = 2026-01-01");
    required_keys_are_serdes::<GlossaryMeta>("term = ''\nsummary = ''");
    required_keys_are_serdes::<PageMeta>("title = ''\ndescription = ''");
    required_keys_are_serdes::<crate::parse::data::DataFile>("source = ''\nreviewed = 2026-01-01");
}

#[test]
fn every_bad_key_is_reported_in_one_run() {
    let text = "+++\nname = 'x'\ndescription = 3\nreviewed = 'soon'\ntopics = ['ok']\nreferences = [{ title = 't' }]\n+++\n";
    let split = split_front_matter("a.md", text).unwrap();
    let problems =
        parse_toml::<ArticleMeta>(Code::FrontMatter, "a.md", text, split.front).unwrap_err();
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|d| (&text[d.span.clone()], d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 5, "{found:#?}");
    assert_eq!(found[0].0, "name");
    assert!(found[0].1.starts_with("unknown field `name`"), "{found:?}");
    assert_eq!(found[1].0, "3");
    assert_eq!(found[2].0, "'soon'");
    assert!(found[2].1.contains("expected a date"), "{found:?}");
    // A key missing from a nested table is that table's problem.
    assert!(
        found[3].1.contains("missing field `publisher`"),
        "{found:?}"
    );
    assert_eq!(found[4], ("+++", "missing field `title`"));
}
