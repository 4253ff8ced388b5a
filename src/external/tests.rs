//! The pure half of the external-link check: where addresses are found,
//! which are malformed, what is asked and what an answer means.

use super::*;
use crate::load::SourceFile;
use crate::parse::markdown::Output;

const ARTICLE: &str = "+++\ntitle = \"A\"\ndescription = \"D.\"\nreviewed = 2026-01-01\n\
[[references]]\ntitle = \"R\"\npublisher = \"P\"\nurl = \"https://ref.example.org/r\"\n+++\n\
See [the guide](https://a.example.org/guide#part \"title\") and [B](https://b.example.org/),\n\
[mail](mailto:a@example.org), <c@example.org>, [page](other.md), [ref][r].\n\n\
[r]: https://c.example.org/\n";

fn page(text: &str) -> (Vec<Found>, Vec<Diagnostic>) {
    let file = SourceFile {
        path: "articles/a.md".into(),
        text: text.into(),
    };
    let (page, diagnostics) = parse::parse_page(
        &file,
        "/",
        Output {
            html: false,
            stats: false,
        },
    );
    let page = page.expect("the page parses");
    (
        in_page(&file.path, text, &page.body, Some(&page.meta)),
        diagnostics,
    )
}

#[test]
fn addresses_are_found_where_they_are_written() {
    let (found, diagnostics) = page(ARTICLE);
    assert_eq!(diagnostics, []);
    let at: Vec<(&str, &str, Place)> = found
        .iter()
        .map(|f| (f.address.as_str(), &ARTICLE[f.span.clone()], f.place))
        .collect();
    assert_eq!(
        at,
        [
            (
                "https://a.example.org/guide#part",
                "https://a.example.org/guide#part",
                Place::Body
            ),
            (
                "https://b.example.org/",
                "https://b.example.org/",
                Place::Body
            ),
            ("mailto:a@example.org", "mailto:a@example.org", Place::Body),
            // A reference-style link is reported on the link itself.
            ("https://c.example.org/", "[ref][r]", Place::Body),
            (
                "https://ref.example.org/r",
                "https://ref.example.org/r",
                Place::Reference
            ),
        ]
    );
}

#[test]
fn malformed_addresses_are_errors_on_their_place() {
    let text = ARTICLE
        .replace("https://ref.example.org/r", "htps://ref.example.org/r")
        .replace("https://b.example.org/", "https:///b")
        .replace("mailto:a@example.org", "javascript:alert(1)");
    let (_, diagnostics) = page(&text);
    let got: Vec<(Code, &str)> = diagnostics
        .iter()
        .map(|d| (d.code, &text[d.span.clone()]))
        .collect();
    assert_eq!(
        got,
        [
            (Code::MalformedUrl, "https:///b"),
            (Code::MalformedUrl, "javascript:alert(1)"),
            (Code::MalformedUrl, "htps://ref.example.org/r"),
        ]
    );
    assert!(diagnostics.iter().all(Diagnostic::is_error));
    assert!(
        diagnostics[2]
            .message
            .starts_with("this reference cannot be followed"),
        "{}",
        diagnostics[2].message
    );
}

#[test]
fn addresses_in_a_data_source_are_found_in_the_file() {
    let text = "source = \"WHO, https://who.example.org/x. And htps://bad.example.org\"\n";
    let span = text.find('"').unwrap()..text.rfind('"').unwrap() + 1;
    let source = &text[span.start + 1..span.end - 1];
    let found = in_data("data/x.toml", text, source, span);
    let at: Vec<&str> = found.iter().map(|f| &text[f.span.clone()]).collect();
    assert_eq!(at, ["https://who.example.org/x", "htps://bad.example.org"]);
    assert_eq!(malformed(&found).len(), 1);
}

fn found(address: &str) -> Found {
    Found {
        file: "articles/a.md".into(),
        span: 0..1,
        address: address.into(),
        place: Place::Body,
    }
}

fn day(s: &str) -> Date {
    Date(s.parse().unwrap())
}

#[test]
fn a_plan_asks_each_web_address_once_unless_cached_or_excluded() {
    let mut cache = Cache::default();
    let asked = BTreeMap::from([("https://cached.example.org/".to_string(), Outcome::Alive)]);
    let site = asked.keys().cloned().collect();
    cache = cache.updated(&asked, &site, day("2026-03-01"));
    let config = ExternalConfig {
        exclude: vec!["https://login.example.org/*".into()],
        ..ExternalConfig::default()
    };
    let links = vec![
        found("https://a.example.org/x#one"),
        found("https://a.example.org/x#two"),
        found("https://cached.example.org/"),
        found("https://login.example.org/account"),
        found("mailto:a@example.org"),
        found("tel:+441234"),
    ];
    let plan = plan(links.clone(), &config, &cache, day("2026-03-02"));
    assert_eq!(plan.ask, ["https://a.example.org/x"]);
    assert_eq!(plan.known.len(), 1);
    assert_eq!(plan.excluded, 1);
    assert_eq!(plan.links.len(), 3);
    // A week on, the cached answer is stale and asked again.
    let later = super::plan(links, &config, &cache, day("2026-03-08"));
    assert_eq!(
        later.ask,
        ["https://a.example.org/x", "https://cached.example.org/"]
    );
}

#[test]
fn answers_become_warnings_on_each_link() {
    let links = vec![
        (
            found("https://a.example.org/"),
            "https://a.example.org/".into(),
        ),
        (
            found("https://b.example.org/"),
            "https://b.example.org/".into(),
        ),
        (
            found("https://c.example.org/"),
            "https://c.example.org/".into(),
        ),
        (
            found("https://d.example.org/"),
            "https://d.example.org/".into(),
        ),
        (
            found("https://e.example.org/"),
            "https://e.example.org/".into(),
        ),
    ];
    let outcomes = BTreeMap::from([
        ("https://a.example.org/".to_string(), Outcome::Alive),
        (
            "https://b.example.org/".to_string(),
            Outcome::Moved {
                to: "https://b.example.org/new".into(),
            },
        ),
        (
            "https://c.example.org/".to_string(),
            Outcome::Dead {
                status: 404,
                reason: "Not Found".into(),
                via: None,
            },
        ),
        (
            "https://d.example.org/".to_string(),
            Outcome::Unreachable {
                reason: "no answer before the timeout".into(),
            },
        ),
        ("https://e.example.org/".to_string(), Outcome::Unasked),
    ]);
    let diagnostics = diagnose(&links, &outcomes);
    let got: Vec<(Code, &str, Option<&str>)> = diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str(), d.hint.as_deref()))
        .collect();
    assert_eq!(got.len(), 3, "{got:#?}");
    assert_eq!(got[0].0, Code::RedirectedLink);
    assert_eq!(
        got[0].2,
        Some("link to the new address, `https://b.example.org/new`")
    );
    assert_eq!(
        got[1].1,
        "this link is dead: `https://c.example.org/` answers 404 Not Found"
    );
    assert_eq!(got[2].0, Code::DeadLink);
    assert!(got[2].1.contains("no answer before the timeout"));
    assert!(diagnostics.iter().all(|d| !d.is_error()));
}
