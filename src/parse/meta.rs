//! Typed TOML: `site.toml`, the front matter of each kind of page, and dates.
//!
//! Every struct denies unknown keys, and every error keeps the byte span that
//! the toml crate reports, shifted to the position in the whole file.

use std::num::{NonZeroU64, NonZeroUsize};
use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::diagnostic::{Code, Diagnostic, closest};

/// A calendar date with no time, as front matter writes it: `2026-10-01`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub jiff::civil::Date);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = toml::value::Datetime::deserialize(deserializer).map_err(|e| {
            // Keep serde's own "missing field" error; replace the type error.
            if e.to_string().starts_with("missing field") {
                e
            } else {
                D::Error::custom("expected a date such as 2026-10-01, written without quotes")
            }
        })?;
        match (value.date, value.time, value.offset) {
            (Some(d), None, None) => {
                jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8)
                    .map(Date)
                    .map_err(|e| D::Error::custom(format!("not a real date: {e}")))
            }
            _ => Err(D::Error::custom(
                "expected a date such as 2026-10-01, without a time",
            )),
        }
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Date {
    /// The date as readers see it: `1 October 2026` or `October 1, 2026`.
    pub fn human(&self, language: &str) -> String {
        // `%B` is the English month name; `-` drops the padding.
        let format = if language.eq_ignore_ascii_case("en-US") {
            "%B %-d, %-Y"
        } else {
            "%-d %B %-Y"
        };
        self.0.strftime(format).to_string()
    }
}

/// `site.toml`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(deserialize_with = "absolute_url")]
    pub base_url: String,
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The educational notice every page carries.
    #[serde(default)]
    pub notice: String,
    /// Highest reading grades before a `reading-level` warning.
    #[serde(default, deserialize_with = "reading_limits")]
    pub max_reading_grade: Option<ReadingLimits>,
    /// Months a review lasts when an article has no `review_due` (default 12).
    #[serde(default)]
    pub review_limit_months: Option<u32>,
    /// `[[menu.main]]` and `[[menu.footer]]`; a menu left out is made from
    /// the pages the site has (see `resolve::menus`).
    #[serde(default)]
    pub menu: MenuConfig,
    /// `[topics]`: the name each topic slug is shown with, when the first
    /// spelling in the articles is not the one wanted.
    #[serde(default)]
    pub topics: std::collections::BTreeMap<toml::Spanned<String>, String>,
    /// `[external]`: how `check --external` asks external links.
    #[serde(default)]
    pub external: ExternalConfig,
}

/// The `[external]` table of `site.toml`: the bounds of `check --external`
/// and what it never asks. Every key is optional.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ExternalConfig {
    /// Days an answer is kept in the cache before the link is asked again;
    /// 0 asks every time.
    pub max_age_days: u32,
    /// Addresses never asked (sites that refuse robots or need a login):
    /// `*` stands for any run of characters, and a pattern must match the
    /// whole address, as `https://www.linkedin.com/*`.
    pub exclude: Vec<String>,
    /// Seconds one request may take, from the name lookup to the answer's
    /// headers.
    pub timeout_seconds: NonZeroU64,
    /// Seconds the whole check may take: what is not asked by then is left
    /// for the next run.
    pub deadline_seconds: NonZeroU64,
    /// Requests in flight at once, over all hosts.
    pub concurrency: NonZeroUsize,
    /// Requests in flight at once to one host.
    pub per_host: NonZeroUsize,
    /// Further tries after a `429 Too Many Requests` (or a `503` with
    /// `Retry-After`), each after the wait the server asks for.
    pub retries: u32,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        let n = |n: u64| NonZeroU64::new(n).expect("not zero");
        let m = |n: usize| NonZeroUsize::new(n).expect("not zero");
        ExternalConfig {
            max_age_days: 7,
            exclude: Vec::new(),
            timeout_seconds: n(10),
            deadline_seconds: n(120),
            concurrency: m(8),
            per_host: m(2),
            retries: 2,
        }
    }
}

/// The `[menu]` table of `site.toml`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuConfig {
    /// `None` when not written: the theme's default is used. An empty list
    /// is a menu with no items.
    pub main: Option<Vec<MenuEntry>>,
    pub footer: Option<Vec<MenuEntry>>,
}

/// One `[[menu.main]]` or `[[menu.footer]]` entry: the text a reader sees and
/// the page it links to, named by its source path (`pages/about.md`) or, for
/// the pages osteon makes, by URL (`/`, `/glossary/`, `/topics/`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuEntry {
    /// The link text. Both fields keep their place in `site.toml`, so a
    /// problem is reported on its line.
    pub name: toml::Spanned<String>,
    pub page: toml::Spanned<String>,
}

/// `max_reading_grade`: a number is the highest grade by either measure,
/// Flesch–Kincaid and SMOG alike ("no article above grade 8", as editors
/// mean it); a table names each measure it limits:
/// `{ flesch_kincaid = 8, smog = 9 }`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingLimits {
    pub flesch_kincaid: Option<f64>,
    pub smog: Option<f64>,
}

/// Accepts either form of `max_reading_grade`, with one message for both.
fn reading_limits<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ReadingLimits>, D::Error> {
    struct Limits;
    impl<'de> serde::de::Visitor<'de> for Limits {
        type Value = ReadingLimits;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(
                "a grade such as 8, which limits Flesch–Kincaid and SMOG alike, \
                 or a table such as { flesch_kincaid = 8, smog = 9 }",
            )
        }
        fn visit_f64<E: serde::de::Error>(self, grade: f64) -> Result<ReadingLimits, E> {
            Ok(ReadingLimits {
                flesch_kincaid: Some(grade),
                smog: Some(grade),
            })
        }
        fn visit_i64<E: serde::de::Error>(self, grade: i64) -> Result<ReadingLimits, E> {
            self.visit_f64(grade as f64)
        }
        fn visit_map<M: serde::de::MapAccess<'de>>(
            self,
            map: M,
        ) -> Result<ReadingLimits, M::Error> {
            ReadingLimits::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_any(Limits).map(Some)
}

/// Topics, each with a letter or digit to make its page's slug from.
fn topic_names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    use serde::de::Error;
    let topics = Vec::<String>::deserialize(d)?;
    match topics.iter().find(|t| crate::url::topic_slug(t).is_empty()) {
        Some(bad) => Err(D::Error::custom(format!(
            "the topic `{bad}` has no letter or digit to name its page by"
        ))),
        None => Ok(topics),
    }
}

/// `base_url`, refused with the reason when it is not an address the site
/// can be published at (see [`check_base_url`]).
fn absolute_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = String::deserialize(d)?;
    check_base_url(&url).map_err(serde::de::Error::custom)?;
    Ok(url)
}

/// Whether `url` can be a site's `base_url`: an absolute `http:` or `https:`
/// URL with a host, and no query or fragment (every page's address is built
/// by appending to it). Canonical links, the sitemap and the feed need the
/// host; the path is the sub-folder the site is deployed under.
pub fn check_base_url(url: &str) -> Result<(), String> {
    let example = "an absolute http(s) URL such as `https://example.org/` or \
                   `https://example.org/health/`";
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("`{url}` is not {example}"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(format!(
            "`{url}` starts with `{scheme}:`; base_url must be {example}"
        ));
    }
    let host = rest.split('/').next().unwrap_or_default();
    if !valid_host(host) {
        return Err(format!(
            "`{url}` has no valid host name; base_url must be {example}"
        ));
    }
    if let Some(c) = url
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(format!(
            "`{url}` contains {c:?}; base_url must be {example}"
        ));
    }
    if url.contains(['?', '#']) {
        return Err(format!(
            "`{url}` has a query or fragment; base_url must be {example}"
        ));
    }
    Ok(())
}

/// A host name or IP address with an optional port: `example.org`,
/// `localhost:8080`, `[::1]:8080`. No user name: a public site has none.
fn valid_host(host: &str) -> bool {
    let (name_ok, port) = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((address, port)) => (
                !address.is_empty()
                    && address
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.')),
                port,
            ),
            None => (false, ""),
        },
        None => {
            let (name, port) = host.split_at(host.find(':').unwrap_or(host.len()));
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.'));
            (ok, port)
        }
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    name_ok && port_ok
}

fn default_theme() -> String {
    "default".to_string()
}

impl SiteConfig {
    /// The path part of `base_url`, always starting and ending with `/`; every
    /// internal URL starts with it so the site works under a sub-folder.
    pub fn base_path(&self) -> String {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        let path = path.trim_matches('/');
        if path.is_empty() {
            "/".to_string()
        } else {
            format!("/{path}/")
        }
    }

    /// `base_url` with exactly one trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }
}

/// A reference listed in an article's front matter.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub title: String,
    pub publisher: String,
    /// Its byte range is in the whole file once `parse` has read the page
    /// (TOML gives it within the front matter).
    pub url: toml::Spanned<String>,
    pub year: Option<i32>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ArticleMeta {
    pub title: String,
    pub description: String,
    pub reviewed: Date,
    pub review_due: Option<Date>,
    /// Optional: an article without topics is still listed on the home page
    /// and in the feed. Spellings with one slug are one topic.
    #[serde(default, deserialize_with = "topic_names")]
    pub topics: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub references: Vec<Reference>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GlossaryMeta {
    pub term: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub summary: String,
    #[serde(default)]
    pub draft: bool,
    /// Where `term`, then each alias, is written in the file: set by `parse`,
    /// so two entries claiming one word can be named by file and line.
    #[serde(skip)]
    pub claims: Vec<Claim>,
}

/// Where a glossary entry writes its term or one of its aliases.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claim {
    /// Byte range of the quoted word in the file.
    pub span: Range<usize>,
    /// Its 1-based line, for diagnostics about another file that name it.
    pub line: usize,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub draft: bool,
}

/// Front matter and body of a Markdown file, as byte ranges of the file.
pub struct Split {
    /// The TOML between the `+++` lines.
    pub front: Range<usize>,
    pub body: Range<usize>,
}

/// Finds the `+++` fences. A file without them is a `front-matter` error.
pub fn split_front_matter(file: &str, text: &str) -> Result<Split, Diagnostic> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    if text[start..first_line_end].trim_end() != "+++" {
        return Err(Diagnostic::error(
            Code::FrontMatter,
            file,
            start..first_line_end,
            "the file does not start with front matter",
        )
        .with_hint(
            "start the file with a line `+++`, the TOML front matter, and another `+++` line",
        ));
    }
    let front_start = (first_line_end + 1).min(text.len());
    let mut line_start = front_start;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        if text[line_start..line_end].trim_end() == "+++" {
            return Ok(Split {
                front: front_start..line_start,
                body: (line_end + 1).min(text.len())..text.len(),
            });
        }
        line_start = line_end + 1;
    }
    Err(Diagnostic::error(
        Code::FrontMatter,
        file,
        start..first_line_end,
        "the front matter is never closed",
    )
    .with_hint("add a line `+++` after the last front-matter key"))
}

/// A TOML table osteon reads one key at a time (see [`parse_toml`]).
pub trait Keys: DeserializeOwned {
    /// The keys it cannot do without. A unit test holds each list to what
    /// serde requires, so the two cannot drift apart.
    const REQUIRED: &'static [&'static str];
}

impl Keys for SiteConfig {
    const REQUIRED: &'static [&'static str] = &["title", "base_url", "language"];
}

impl Keys for ArticleMeta {
    const REQUIRED: &'static [&'static str] = &["title", "description", "reviewed"];
}

impl Keys for GlossaryMeta {
    const REQUIRED: &'static [&'static str] = &["term", "summary"];
}

impl Keys for PageMeta {
    const REQUIRED: &'static [&'static str] = &["title", "description"];
}

/// The span a one-key table is given when each key is checked on its own:
/// an error there is about the table (a key it lacks), not about the key.
const WHOLE: Range<usize> = usize::MAX..usize::MAX;

/// Deserializes TOML from `text[range]`, reporting errors against the whole
/// file. Every problem of the table is reported, not only the first serde
/// meets: each unknown key with its suggestion, each bad value, each missing
/// key. A table that parses whole takes one pass; only one with a problem is
/// read again key by key.
pub fn parse_toml<T: Keys>(
    code: Code,
    file: &str,
    text: &str,
    range: Range<usize>,
) -> Result<T, Vec<Diagnostic>> {
    let toml = &text[range.clone()];
    let first = match toml::from_str(toml) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let diagnostic = |e: &toml::de::Error| toml_diagnostic(code, file, text, range.clone(), e);
    // A syntax error leaves no table to read key by key.
    let Ok(table) = toml::de::DeTable::parse(toml) else {
        return Err(vec![diagnostic(&first)]);
    };
    let table = table.into_inner();
    let fields = field_names::<T>();
    let mut out = Vec::new();
    // A misspelt key is reported once, as unknown with its suggestion, not
    // again as the key it was meant to be, missing.
    let mut meant = Vec::new();
    let mut keys: Vec<_> = table.iter().collect();
    keys.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in keys {
        let name: &str = key.get_ref();
        if !fields.contains(&name) {
            let span = range.start + key.span().start..range.start + key.span().end;
            let d = Diagnostic::error(code, file, span, unknown_field(name, fields));
            meant.extend(closest(name, fields.iter().copied()));
            out.push(match unknown_field_hint(name, fields) {
                Some(hint) => d.with_hint(hint),
                None => d,
            });
            continue;
        }
        let mut alone = toml::de::DeTable::new();
        alone.insert(key.clone(), value.clone());
        let de = toml::de::Deserializer::from(toml::Spanned::new(WHOLE, alone));
        if let Err(e) = T::deserialize(de)
            && e.span() != Some(WHOLE)
        {
            out.push(diagnostic(&e));
        }
    }
    for missing in T::REQUIRED {
        if !table.contains_key(*missing) && !meant.contains(missing) {
            out.push(Diagnostic::error(
                code,
                file,
                front_matter_start(text, &range),
                format!("missing field `{missing}`"),
            ));
        }
    }
    // Keys that pass one by one may still fail together; then serde's own
    // error stands.
    if out.is_empty() {
        out.push(diagnostic(&first));
    }
    Err(out)
}

/// The fields of struct `T`, as serde's derive names them.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{Error, Visitor, value};
    /// A deserializer that asks for a struct and notes its fields.
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
            Err(value::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, value::Error> {
            *self.0 = fields;
            Err(value::Error::custom("probed"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// serde's message for a key a struct does not have.
fn unknown_field(name: &str, fields: &[&str]) -> String {
    match fields {
        [] => format!("unknown field `{name}`, there are no fields"),
        [one] => format!("unknown field `{name}`, expected `{one}`"),
        _ => format!(
            "unknown field `{name}`, expected one of {}",
            fields
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Where a problem of the table as a whole is reported: the `+++` line
/// that opens front matter, or the start of a whole TOML file.
fn front_matter_start(text: &str, range: &Range<usize>) -> Range<usize> {
    let span = range.start.saturating_sub(4)..range.start.saturating_sub(1);
    span.start.min(text.len())..span.end.min(text.len())
}

fn toml_diagnostic(
    code: Code,
    file: &str,
    text: &str,
    range: Range<usize>,
    e: &toml::de::Error,
) -> Diagnostic {
    let message = e.message().trim_end().to_string();
    let span = match e.span() {
        // A missing key is reported against the whole table; point at its start.
        Some(s) if s.end - s.start < range.len() || s.start != 0 => {
            range.start + s.start..range.start + s.end
        }
        _ => front_matter_start(text, &range),
    };
    let span = span.start.min(text.len())..span.end.min(text.len());
    let diagnostic = Diagnostic::error(code, file, span, message.clone());
    match unknown_field_message(&message) {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// Turns serde's "unknown field `x`, expected one of `a`, `b`" into a
/// suggestion: a nested table's unknown key is reported by serde itself.
fn unknown_field_message(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    unknown_field_hint(unknown, &candidates)
}

/// "did you mean" the closest of `candidates`, or the list of them.
fn unknown_field_hint(unknown: &str, candidates: &[&str]) -> Option<String> {
    match closest(unknown, candidates.iter().copied()) {
        Some(best) => Some(format!("did you mean `{best}`?")),
        None if candidates.is_empty() => None,
        None => Some(format!(
            "the keys allowed here are {}",
            candidates.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests;
