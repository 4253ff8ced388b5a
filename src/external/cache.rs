//! The answers kept between runs of `check --external`: what each address
//! answered and on which day, which of them are still fresh, and which
//! answers are worth keeping at all. Pure: `load` reads the file and
//! `write` writes it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::parse::meta::Date;

/// Where the cache lives, from the site folder: outside the output, so it is
/// never deployed, and hidden, so it is never read as part of the site.
pub const PATH: &str = ".osteon/cache/external-links.json";

/// Raised when the file's shape changes; an older file is ignored.
const VERSION: u32 = 1;

/// What asking one address came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// A 2xx answer, after temporary redirects if any.
    Alive,
    /// A 2xx answer after one or more permanent redirects (301, 308):
    /// `to` is the address the link should be written as now.
    Moved { to: String },
    /// A 4xx or 5xx answer; `via` is where redirects led, if they did.
    Dead {
        status: u16,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
    /// No answer: the name was not found, the connection or TLS failed, the
    /// request timed out, or redirects went round.
    Unreachable { reason: String },
    /// The run's deadline passed before an answer came: nothing is known.
    Unasked,
}

impl Outcome {
    /// Whether the answer says something lasting, worth keeping for
    /// `max_age_days`: successes, moves and client errors. A server error,
    /// a timeout, a `408` or a `429` may be gone on the next try.
    pub fn lasts(&self) -> bool {
        match self {
            Outcome::Alive | Outcome::Moved { .. } => true,
            Outcome::Dead { status, .. } => {
                (400..500).contains(status) && *status != 408 && *status != 429
            }
            Outcome::Unreachable { .. } | Outcome::Unasked => false,
        }
    }
}

/// One kept answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The day the address was asked.
    pub checked: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The cache file: kept answers by address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cache {
    version: u32,
    pub links: BTreeMap<String, Entry>,
}

impl Cache {
    /// The cache in `text`; empty if there is none, it is not this
    /// version's, or it does not parse (it is only ever a saving).
    pub fn parse(text: Option<&str>) -> Cache {
        text.and_then(|t| serde_json::from_str::<Cache>(t).ok())
            .filter(|c| c.version == VERSION)
            .unwrap_or_default()
    }

    /// The file's text: one address a line, sorted, so it diffs well.
    pub fn to_json(&self) -> String {
        let cache = Cache {
            version: VERSION,
            links: self.links.clone(),
        };
        serde_json::to_string_pretty(&cache).expect("the cache serializes") + "\n"
    }

    /// The kept answer for `address` if it was asked fewer than `max_age_days`
    /// days before `today`.
    pub fn fresh(&self, address: &str, today: Date, max_age_days: u32) -> Option<&Outcome> {
        let entry = self.links.get(address)?;
        let checked: jiff::civil::Date = entry.checked.parse().ok()?;
        let age = checked.until(today.0).ok()?.get_days();
        (age >= 0 && i64::from(age) < i64::from(max_age_days)).then_some(&entry.outcome)
    }

    /// The cache after a run: the lasting answers of `asked`, dated `today`,
    /// and the kept ones still fresh, for the addresses the site still has.
    pub fn updated(
        &self,
        asked: &BTreeMap<String, Outcome>,
        site: &BTreeSet<String>,
        today: Date,
    ) -> Cache {
        let mut links: BTreeMap<String, Entry> = self
            .links
            .iter()
            .filter(|(address, _)| site.contains(*address) && !asked.contains_key(*address))
            .map(|(a, e)| (a.clone(), e.clone()))
            .collect();
        for (address, outcome) in asked {
            if outcome.lasts() {
                let entry = Entry {
                    checked: today.to_string(),
                    outcome: outcome.clone(),
                };
                links.insert(address.clone(), entry);
            }
        }
        Cache {
            version: VERSION,
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        Date(s.parse().unwrap())
    }

    #[test]
    fn an_answer_is_fresh_for_max_age_days() {
        let mut cache = Cache::default();
        cache.links.insert(
            "https://a.org/".into(),
            Entry {
                checked: "2026-03-01".into(),
                outcome: Outcome::Alive,
            },
        );
        let fresh = |today, days| cache.fresh("https://a.org/", day(today), days).is_some();
        assert!(fresh("2026-03-01", 7));
        assert!(fresh("2026-03-07", 7));
        assert!(!fresh("2026-03-08", 7));
        assert!(!fresh("2026-03-01", 0));
        // A date before the check (a clock set back) asks again.
        assert!(!fresh("2026-02-28", 7));
        assert!(
            cache
                .fresh("https://b.org/", day("2026-03-01"), 7)
                .is_none()
        );
    }

    #[test]
    fn only_lasting_answers_are_kept_for_addresses_the_site_has() {
        let dead = |status| Outcome::Dead {
            status,
            reason: String::new(),
            via: None,
        };
        let asked: BTreeMap<String, Outcome> = [
            ("a", Outcome::Alive),
            ("b", Outcome::Moved { to: "c".into() }),
            ("d", dead(404)),
            ("e", dead(410)),
            ("f", dead(429)),
            ("g", dead(503)),
            (
                "h",
                Outcome::Unreachable {
                    reason: "timeout".into(),
                },
            ),
            ("i", Outcome::Unasked),
        ]
        .into_iter()
        .map(|(a, o)| (a.to_string(), o))
        .collect();
        let mut old = Cache::default();
        for address in ["a", "kept", "gone"] {
            old.links.insert(
                address.into(),
                Entry {
                    checked: "2026-01-01".into(),
                    outcome: Outcome::Alive,
                },
            );
        }
        let mut site: BTreeSet<String> = asked.keys().cloned().collect();
        site.insert("kept".into());
        let new = old.updated(&asked, &site, day("2026-03-01"));
        let kept: Vec<&str> = new.links.keys().map(String::as_str).collect();
        assert_eq!(kept, ["a", "b", "d", "e", "kept"]);
        assert_eq!(new.links["a"].checked, "2026-03-01");
        assert_eq!(new.links["kept"].checked, "2026-01-01");
        let text = new.to_json();
        assert_eq!(Cache::parse(Some(&text)), new);
        assert_eq!(Cache::parse(Some("{not json")), Cache::default());
        assert_eq!(
            Cache::parse(Some(r#"{"version": 0, "links": {}}"#)),
            Cache::default()
        );
    }
}
