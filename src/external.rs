//! External links: every `http(s):` and `mailto:` address a site cites, in
//! its bodies, its articles' `[[references]]` and its data files' `source`.
//!
//! Two jobs. Without the network, in every `check`, `build` and `serve`
//! (through `parse`): an address no reader can follow is a `malformed-url`
//! error ([`malformed`], by the rules of `external/address.rs`). With
//! `check --external` only ([`check`]): each web address is asked, within
//! the bounds of `[external]` in `site.toml`, and a dead one is a
//! `dead-link` warning, a permanently moved one a `redirected-link` warning
//! with the new address, on the line that cites it. Answers are kept in
//! `.osteon/cache/` (read by `load`, written by `write`) for
//! `max_age_days`, so an unchanged site with a fresh cache sends nothing.
//!
//! What to ask ([`plan`]) and what an answer means ([`diagnose`]) are pure;
//! `external/fetch.rs` is the only code here that touches the network.

pub mod address;
pub mod cache;
pub mod fetch;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::Options;
use crate::diagnostic::{Code, Diagnostic};
use crate::load::{self, SourceFile, Sources};
use crate::parse::markdown::{self, Body, Target};
use crate::parse::meta::{Date, ExternalConfig};
use crate::parse::{self, Meta};
use address::Address;
use cache::{Cache, Outcome};

/// One external address as the site writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub file: String,
    /// Byte range of the address in the file (of the whole link when the
    /// address is not written inside it, as in a reference-style link).
    pub span: Range<usize>,
    pub address: String,
    pub place: Place,
}

/// Where an address is written, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A link or image in a Markdown body.
    Body,
    /// `url` of an article's `[[references]]`.
    Reference,
    /// The `source` of a data file.
    Source,
}

impl Place {
    fn noun(self) -> &'static str {
        match self {
            Place::Body => "link",
            Place::Reference => "reference",
            Place::Source => "source",
        }
    }
}

/// The external addresses of a page: its body's links with a scheme (or
/// `//`) and, for an article, its references' `url`s (whose spans `parse`
/// has made positions in the file).
pub fn in_page(file: &str, text: &str, body: &Body, meta: Option<&Meta>) -> Vec<Found> {
    let mut found: Vec<Found> = body
        .links
        .iter()
        .filter(|l| l.target == Target::External && crate::url::is_external(&l.dest))
        .map(|l| Found {
            file: file.to_string(),
            span: inside(text, &l.span, &l.dest),
            address: l.dest.clone(),
            place: Place::Body,
        })
        .collect();
    if let Some(Meta::Article(m)) = meta {
        found.extend(m.references.iter().map(|r| Found {
            file: file.to_string(),
            span: unquoted(text, r.url.span()),
            address: r.url.get_ref().clone(),
            place: Place::Reference,
        }));
    }
    found
}

/// The addresses written in a data file's `source` (`span` is the TOML
/// string's, quotes included): each word holding `://`.
pub fn in_data(file: &str, text: &str, source: &str, span: Range<usize>) -> Vec<Found> {
    let raw = text.get(span.clone()).unwrap_or("");
    address::in_text(source)
        .into_iter()
        .map(|range| {
            let address = &source[range];
            // Found again in the file's text, where escapes may differ.
            let span = raw.find(address).map_or(span.clone(), |i| {
                span.start + i..span.start + i + address.len()
            });
            Found {
                file: file.to_string(),
                span,
                address: address.to_string(),
                place: Place::Source,
            }
        })
        .collect()
}

/// The range of `dest` inside the link at `span`: its last occurrence, as
/// the address follows the text. The whole link if it is not there.
fn inside(text: &str, span: &Range<usize>, dest: &str) -> Range<usize> {
    text.get(span.clone())
        .and_then(|link| link.rfind(dest))
        .map_or(span.clone(), |i| {
            span.start + i..span.start + i + dest.len()
        })
}

/// A TOML string's span without its quotes, when it has one pair.
fn unquoted(text: &str, span: Range<usize>) -> Range<usize> {
    match text.get(span.clone()) {
        Some(s)
            if s.len() >= 2
                && (s.starts_with('"') && s.ends_with('"')
                    || s.starts_with('\'') && s.ends_with('\''))
                && !s.starts_with("\"\"\"")
                && !s.starts_with("'''") =>
        {
            span.start + 1..span.end - 1
        }
        _ => span,
    }
}

/// A `malformed-url` error for each address no reader can follow: always
/// reported, by `parse`, with no network.
pub fn malformed(found: &[Found]) -> Vec<Diagnostic> {
    found
        .iter()
        .filter_map(|f| match address::classify(&f.address) {
            Address::Malformed { message, hint } => {
                let d = Diagnostic::error(
                    Code::MalformedUrl,
                    &f.file,
                    f.span.clone(),
                    format!("this {} cannot be followed: {message}", f.place.noun()),
                );
                Some(match hint {
                    Some(hint) => d.with_hint(hint),
                    None => d,
                })
            }
            _ => None,
        })
        .collect()
}

/// What `check --external` did, for its closing line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// External web links in the site (each time one is written).
    pub links: usize,
    /// Distinct addresses among them.
    pub addresses: usize,
    /// Links matching an `exclude` pattern.
    pub excluded: usize,
    /// Addresses answered from the cache.
    pub cached: usize,
    /// Addresses asked, and the requests that took (redirects, retries).
    pub asked: usize,
    pub requests: usize,
    /// Links reported dead or permanently redirected.
    pub dead: usize,
    pub redirected: usize,
    /// Addresses the deadline left unasked.
    pub unasked: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "checked {} external links ({} addresses): {} dead, {} redirected",
            self.links, self.addresses, self.dead, self.redirected
        )?;
        write!(f, " ({} from the cache, ", self.cached)?;
        match self.requests {
            0 => f.write_str("no request sent")?,
            1 => write!(f, "{} asked in 1 request", self.asked)?,
            n => write!(f, "{} asked in {n} requests", self.asked)?,
        }
        if self.excluded > 0 {
            write!(f, ", {} links excluded", self.excluded)?;
        }
        if self.unasked > 0 {
            write!(
                f,
                ", {} not asked before the deadline: run again to check them",
                self.unasked
            )?;
        }
        f.write_str(")")
    }
}

/// What a run has to do: the web links it will judge, the answers already
/// known and the addresses to ask.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Web links not excluded, with the address to ask for each.
    pub links: Vec<(Found, String)>,
    pub excluded: usize,
    /// Fresh answers from the cache, by address.
    pub known: BTreeMap<String, Outcome>,
    /// Addresses to ask, each once, sorted.
    pub ask: Vec<String>,
}

/// Which of `found` to judge and which addresses to ask: web addresses
/// only (mail and other schemes are checked for syntax alone), not
/// excluded, and not answered in the cache within `max_age_days`.
pub fn plan(found: Vec<Found>, config: &ExternalConfig, cache: &Cache, today: Date) -> Plan {
    let mut plan = Plan::default();
    let mut addresses = BTreeSet::new();
    for f in found {
        let Address::Web(asked) = address::classify(&f.address) else {
            continue;
        };
        if config
            .exclude
            .iter()
            .any(|p| address::matches(p, &f.address) || address::matches(p, &asked))
        {
            plan.excluded += 1;
            continue;
        }
        addresses.insert(asked.clone());
        plan.links.push((f, asked));
    }
    for address in addresses {
        match cache.fresh(&address, today, config.max_age_days) {
            Some(outcome) => {
                plan.known.insert(address, outcome.clone());
            }
            None => plan.ask.push(address),
        }
    }
    plan
}

/// A warning for each link whose address is dead or has moved for good.
pub fn diagnose(
    links: &[(Found, String)],
    outcomes: &BTreeMap<String, Outcome>,
) -> Vec<Diagnostic> {
    links
        .iter()
        .filter_map(|(f, asked)| diagnostic(f, outcomes.get(asked)?))
        .collect()
}

fn diagnostic(f: &Found, outcome: &Outcome) -> Option<Diagnostic> {
    let noun = f.place.noun();
    let address = &f.address;
    let (code, message, hint) = match outcome {
        Outcome::Alive | Outcome::Unasked => return None,
        Outcome::Moved { to } => (
            Code::RedirectedLink,
            format!("this {noun} is permanently redirected: `{address}` has moved"),
            format!("link to the new address, `{to}`"),
        ),
        Outcome::Dead {
            status,
            reason,
            via,
        } => {
            let answer = format!("{status} {reason}").trim_end().to_string();
            let message = match via {
                None => format!("this {noun} is dead: `{address}` answers {answer}"),
                Some(via) => format!(
                    "this {noun} is dead: `{address}` is redirected to `{via}`, which answers {answer}"
                ),
            };
            (Code::DeadLink, message, dead_hint(*status).to_string())
        }
        Outcome::Unreachable { reason } => (
            Code::DeadLink,
            format!("this {noun} is dead: `{address}` could not be reached: {reason}"),
            "check the address; if the site is only down for now, check again later".to_string(),
        ),
    };
    Some(Diagnostic::warning(code, &f.file, f.span.clone(), message).with_hint(hint))
}

fn dead_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => {
            "the server refuses osteon's request; if the page needs a login or refuses \
             robots, add it to `exclude` under `[external]` in site.toml"
        }
        404 | 410 => {
            "find where the page has gone (the site's search, or an archive such as \
             web.archive.org), or cite another source"
        }
        429 => {
            "the server asks to be asked less often; check again later, or add it to \
             `exclude` under `[external]` in site.toml"
        }
        500.. => "the server failed; if it still fails later, cite another source",
        _ => "check the address, or cite another source",
    }
}

/// Every external address of the published site (drafts too with
/// `--drafts`): the bodies and references of the pages, and the `source`
/// of each data file.
pub fn collect(sources: &Sources, options: &Options, base_path: &str) -> Vec<Found> {
    let output = markdown::Output {
        html: false,
        stats: false,
    };
    let mut found: Vec<Found> = sources
        .content
        .par_iter()
        .flat_map_iter(|file| {
            let (page, _) = parse::parse_page(file, base_path, output);
            page.filter(|p| options.drafts || !p.meta.draft())
                .map(|p| in_page(&file.path, &file.text, &p.body, Some(&p.meta)))
                .unwrap_or_default()
        })
        .collect();
    found.extend(sources.data.iter().flat_map(data_sources));
    found
}

fn data_sources(file: &SourceFile) -> Vec<Found> {
    #[derive(serde::Deserialize)]
    struct Source {
        source: toml::Spanned<String>,
    }
    match toml::from_str::<Source>(&file.text) {
        Ok(s) => in_data(&file.path, &file.text, s.source.get_ref(), s.source.span()),
        Err(_) => Vec::new(),
    }
}

/// `check --external`: asks every web address the site cites that the cache
/// does not answer, within `[external]`'s bounds, updates the cache and
/// returns a warning for each dead or moved link. `None` when `site.toml`
/// cannot be read (its errors are reported by the check itself).
pub fn check(
    sources: &Sources,
    options: &Options,
) -> anyhow::Result<Option<(Summary, Vec<Diagnostic>)>> {
    let overrides = parse::Overrides {
        base_url: options.base_url.clone(),
    };
    let Some(config) = parse::parse_config(sources, &overrides).0 else {
        return Ok(None);
    };
    let started = Instant::now();
    let today = options.today();
    let found = collect(sources, options, &config.base_path());
    let text = load::cache_file(&options.root, cache::PATH)?;
    let old = Cache::parse(text.as_deref());
    let external = &config.external;
    let plan = plan(found, external, &old, today);
    let limits = fetch::Limits {
        timeout: Duration::from_secs(external.timeout_seconds.get()),
        deadline: started + Duration::from_secs(external.deadline_seconds.get()),
        concurrency: external.concurrency.get(),
        per_host: external.per_host.get(),
        retries: external.retries,
    };
    let asked = if plan.ask.is_empty() {
        fetch::Asked::default()
    } else {
        fetch::ask(plan.ask.clone(), &limits)
    };
    let site: BTreeSet<String> = plan.links.iter().map(|(_, a)| a.clone()).collect();
    let new = old.updated(&asked.outcomes, &site, today);
    if new != old {
        crate::write::cache_file(&options.root, cache::PATH, &new.to_json())?;
    }
    let mut outcomes = plan.known.clone();
    outcomes.extend(asked.outcomes.iter().map(|(a, o)| (a.clone(), o.clone())));
    let diagnostics = diagnose(&plan.links, &outcomes);
    let unasked = outcomes
        .values()
        .filter(|o| **o == Outcome::Unasked)
        .count();
    let summary = Summary {
        links: plan.links.len() + plan.excluded,
        addresses: site.len(),
        excluded: plan.excluded,
        cached: plan.known.len(),
        asked: plan.ask.len() - unasked,
        requests: asked.requests,
        dead: count(&diagnostics, Code::DeadLink),
        redirected: count(&diagnostics, Code::RedirectedLink),
        unasked,
    };
    Ok(Some((summary, diagnostics)))
}

fn count(diagnostics: &[Diagnostic], code: Code) -> usize {
    diagnostics.iter().filter(|d| d.code == code).count()
}

#[cfg(test)]
mod tests;
