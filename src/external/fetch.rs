//! Asking addresses over HTTP, within bounds: a timeout per request, a
//! deadline for the whole run, a limit on requests in flight overall and
//! per host, and retries that wait as long as a `429` or `503` answer's
//! `Retry-After` asks. Redirects are followed here, one hop at a time, so a
//! permanent move can be told from a temporary one.
//!
//! The client is ureq (blocking, rustls), driven by a few scoped threads;
//! [`follow`] and [`retrying`] are the logic, over any way of asking, and
//! are tested without a network.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use super::cache::Outcome;

/// What every request says it is.
pub const USER_AGENT: &str = concat!(
    "osteon/",
    env!("CARGO_PKG_VERSION"),
    " (static-site generator checking the links of a health website)"
);

/// Redirects followed before a link counts as going round in circles.
const MAX_REDIRECTS: usize = 10;

/// The longest `Retry-After` honoured; a server asking for more is left for
/// another run.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// The bounds of a run, from `[external]` in `site.toml`.
#[derive(Clone, Debug)]
pub struct Limits {
    pub timeout: Duration,
    pub deadline: Instant,
    pub concurrency: usize,
    pub per_host: usize,
    pub retries: u32,
}

/// What a run of requests came to.
#[derive(Debug, Default)]
pub struct Asked {
    pub outcomes: BTreeMap<String, Outcome>,
    /// Requests sent, counting each redirect and retry.
    pub requests: usize,
}

/// One HTTP answer, as far as a link check needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub retry_after: Option<String>,
}

/// A request that got no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The request's own timeout passed.
    Timeout,
    /// The run's deadline passed first.
    Deadline,
    /// The name lookup, connection, TLS or protocol failed: why.
    Other(String),
}

/// Asks every address, at most `limits.concurrency` at once and
/// `limits.per_host` at once of one host. Addresses not begun by the
/// deadline are [`Outcome::Unasked`].
pub fn ask(addresses: Vec<String>, limits: &Limits) -> Asked {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(USER_AGENT)
        .build()
        .into();
    let requests = AtomicUsize::new(0);
    let queue = Mutex::new(Queue {
        pending: addresses.into_iter().collect(),
        busy: HashMap::new(),
        outcomes: BTreeMap::new(),
    });
    let ready = Condvar::new();
    let workers = limits.concurrency.min(queue_len(&queue)).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(address) = next(&queue, &ready, limits) {
                    let once = |url: &str| {
                        requests.fetch_add(1, Ordering::Relaxed);
                        request(&agent, url, limits)
                    };
                    let outcome = follow(&address, |url| {
                        retrying(url, limits, once, std::thread::sleep)
                    });
                    let mut q = queue.lock().expect("no worker panics holding the queue");
                    if let Some(n) = q.busy.get_mut(host_of(&address)) {
                        *n -= 1;
                    }
                    q.outcomes.insert(address, outcome);
                    ready.notify_all();
                }
            });
        }
    });
    let mut queue = queue.into_inner().expect("no worker panicked");
    for address in queue.pending.drain(..) {
        queue.outcomes.insert(address, Outcome::Unasked);
    }
    Asked {
        outcomes: queue.outcomes,
        requests: requests.into_inner(),
    }
}

struct Queue {
    pending: VecDeque<String>,
    /// Requests in flight by host.
    busy: HashMap<String, usize>,
    outcomes: BTreeMap<String, Outcome>,
}

fn queue_len(queue: &Mutex<Queue>) -> usize {
    queue.lock().map_or(0, |q| q.pending.len())
}

/// The next address whose host has a free slot, waiting for one if every
/// pending address's host is busy; `None` when nothing is left or the
/// deadline has passed.
fn next(queue: &Mutex<Queue>, ready: &Condvar, limits: &Limits) -> Option<String> {
    let mut q = queue.lock().ok()?;
    loop {
        let now = Instant::now();
        if q.pending.is_empty() || now >= limits.deadline {
            return None;
        }
        let free = q
            .pending
            .iter()
            .position(|a| q.busy.get(host_of(a)).copied().unwrap_or(0) < limits.per_host);
        if let Some(i) = free {
            let address = q.pending.remove(i)?;
            *q.busy.entry(host_of(&address).to_string()).or_default() += 1;
            return Some(address);
        }
        q = ready.wait_timeout(q, limits.deadline - now).ok()?.0;
    }
}

/// The host (with port) of an `http(s)://` address, as written: what the
/// per-host limit counts by.
pub fn host_of(address: &str) -> &str {
    let after = address.split_once("://").map_or(address, |(_, rest)| rest);
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..end];
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// What ureq needs: spaces, quotes and characters outside ASCII escaped.
const UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'^');

/// `address` as HTTP sends it: an international host name in punycode
/// (`bücher.example` → `xn--bcher-kva.example`), and spaces, quotes and
/// characters outside ASCII escaped elsewhere.
pub fn ascii(address: &str) -> String {
    let host = host_of(address);
    let address = match address.find(host) {
        Some(at) if !host.is_ascii() => {
            let labels: Vec<String> = host.split('.').map(punycode_label).collect();
            format!(
                "{}{}{}",
                &address[..at],
                labels.join("."),
                &address[at + host.len()..]
            )
        }
        _ => address.to_string(),
    };
    utf8_percent_encode(&address, UNSAFE).to_string()
}

/// One label of a host name as IDNA writes it: as it is if ASCII, else
/// `xn--` and its lower-cased text in punycode (RFC 3492).
fn punycode_label(label: &str) -> String {
    if label.is_ascii() {
        return label.to_string();
    }
    let (base, tmin, tmax, skew, damp) = (36u32, 1u32, 26u32, 38u32, 700u32);
    let digit = |d: u32| {
        char::from(if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        })
    };
    let adapt = |mut delta: u32, points: u32, first: bool| {
        delta /= if first { damp } else { 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((base - tmin) * tmax) / 2 {
            delta /= base - tmin;
            k += base;
        }
        k + (base - tmin + 1) * delta / (delta + skew)
    };
    let input: Vec<u32> = label.to_lowercase().chars().map(u32::from).collect();
    let mut out: String = input
        .iter()
        .filter(|&&c| c < 0x80)
        .filter_map(|&c| char::from_u32(c))
        .collect();
    let basic = out.len() as u32;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (0x80u32, 0u32, 72u32, basic);
    while (handled as usize) < input.len() {
        let m = input.iter().copied().filter(|&c| c >= n).min().unwrap_or(n);
        delta = delta.saturating_add((m - n).saturating_mul(handled + 1));
        n = m;
        for &c in &input {
            if c < n {
                delta = delta.saturating_add(1);
            }
            if c == n {
                let mut q = delta;
                let mut k = base;
                loop {
                    let t = if k <= bias {
                        tmin
                    } else if k >= bias + tmax {
                        tmax
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (base - t)));
                    q = (q - t) / (base - t);
                    k += base;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    format!("xn--{out}")
}

/// One GET, its body never read, within the request's timeout or what is
/// left of the run, whichever is shorter.
fn request(agent: &ureq::Agent, url: &str, limits: &Limits) -> Result<Answer, Failure> {
    let left = limits.deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Failure::Deadline);
    }
    let timeout = limits.timeout.min(left);
    let url = ascii(url);
    let response = agent
        .get(&url)
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .config()
        .timeout_global(Some(timeout))
        .build()
        .call();
    match response {
        Ok(response) => {
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            Ok(Answer {
                status: response.status().as_u16(),
                location: header("location"),
                retry_after: header("retry-after"),
            })
        }
        Err(ureq::Error::Timeout(_)) if timeout < limits.timeout => Err(Failure::Deadline),
        Err(ureq::Error::Timeout(_)) => Err(Failure::Timeout),
        Err(e) => Err(Failure::Other(describe(&e, url.starts_with("https:")))),
    }
}

/// A failed request in a reader's words. Over `https:` rustls reports a
/// failed handshake as invalid data (a bad certificate, a server that does
/// not speak TLS) or an early end of the stream.
fn describe(e: &ureq::Error, secure: bool) -> String {
    use std::io::ErrorKind;
    let tls = "the secure connection (TLS) failed";
    match e {
        ureq::Error::HostNotFound => "the host name was not found (DNS)".to_string(),
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused => "the server refused the connection".to_string(),
            ErrorKind::InvalidData if secure => format!("{tls}: {io}"),
            ErrorKind::UnexpectedEof if secure => {
                format!("{tls}: the server closed the connection during the handshake")
            }
            ErrorKind::UnexpectedEof => {
                "the server closed the connection without answering".to_string()
            }
            _ => format!("the connection failed: {io}"),
        },
        ureq::Error::ConnectionFailed => "the connection failed".to_string(),
        ureq::Error::Rustls(e) => format!("{tls}: {e}"),
        ureq::Error::Tls(e) => format!("{tls}: {e}"),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            format!("osteon cannot ask this address ({e})")
        }
        e => format!("the request failed: {e}"),
    }
}

/// Asks `url` with `once`, again after a `429` (or a `503` with
/// `Retry-After`) up to `limits.retries` times, each after the wait the
/// answer asks for (or 1, 2, 4… seconds), if it ends before the deadline
/// and within [`MAX_WAIT`].
pub fn retrying(
    url: &str,
    limits: &Limits,
    mut once: impl FnMut(&str) -> Result<Answer, Failure>,
    mut sleep: impl FnMut(Duration),
) -> Result<Answer, Failure> {
    let mut tries = 0;
    loop {
        let answer = once(url)?;
        let busy = answer.status == 429 || (answer.status == 503 && answer.retry_after.is_some());
        if !busy || tries >= limits.retries {
            return Ok(answer);
        }
        let wait = answer
            .retry_after
            .as_deref()
            .and_then(|v| retry_after(v, jiff::Timestamp::now()))
            .unwrap_or(Duration::from_secs(1 << tries.min(5)));
        let left = limits.deadline.saturating_duration_since(Instant::now());
        if wait > MAX_WAIT || wait >= left {
            return Ok(answer);
        }
        sleep(wait);
        tries += 1;
    }
}

/// A `Retry-After` value: seconds, or an HTTP date (`Wed, 21 Oct 2015
/// 07:28:00 GMT`) from `now`; a date past is no wait.
pub fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = now.duration_until(when);
    Some(wait.try_into().unwrap_or(Duration::ZERO))
}

/// Follows `address`'s redirects one hop at a time, asking each with `ask`:
/// a 2xx is alive, or moved if every redirect up to it was permanent (301,
/// 308); a 4xx or 5xx is dead; no answer is unreachable.
pub fn follow(address: &str, mut ask: impl FnMut(&str) -> Result<Answer, Failure>) -> Outcome {
    let mut url = address.to_string();
    // The address the link should now be written as, while every hop so
    // far has been a permanent redirect.
    let mut moved: Option<String> = None;
    let mut permanent = true;
    for hop in 0..=MAX_REDIRECTS {
        let answer = match ask(&url) {
            Ok(answer) => answer,
            Err(Failure::Deadline) => return Outcome::Unasked,
            Err(Failure::Timeout) => {
                let reason = "no answer before the timeout".to_string();
                return Outcome::Unreachable { reason };
            }
            Err(Failure::Other(reason)) => return Outcome::Unreachable { reason },
        };
        let status = answer.status;
        if (300..400).contains(&status) && status != 304 {
            let Some(next) = answer.location.as_deref().and_then(|l| join(&url, l)) else {
                let reason = format!("a {status} redirect with no address to go to");
                return Outcome::Unreachable { reason };
            };
            if matches!(status, 301 | 308) {
                if permanent {
                    moved = Some(next.clone());
                }
            } else {
                permanent = false;
            }
            url = next;
            continue;
        }
        let via = (hop > 0).then(|| url.clone());
        return if status >= 400 {
            Outcome::Dead {
                status,
                reason: reason_phrase(status).to_string(),
                via,
            }
        } else {
            match moved {
                Some(to) => Outcome::Moved { to },
                None => Outcome::Alive,
            }
        };
    }
    Outcome::Unreachable {
        reason: format!("more than {MAX_REDIRECTS} redirects"),
    }
}

/// The status's standard name (`Not Found`), or none.
fn reason_phrase(status: u16) -> &'static str {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// A `Location` read against the address that sent it: absolute, from the
/// host's root (`/x`), protocol-relative (`//host/x`) or relative (`x`).
pub fn join(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.is_empty() {
        return None;
    }
    if crate::url::has_scheme(location) {
        return Some(location.to_string());
    }
    let (scheme, rest) = base.split_once("://")?;
    if location.starts_with("//") {
        return Some(format!("{scheme}:{location}"));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = &base[..scheme.len() + 3 + authority_end];
    if location.starts_with('/') {
        return Some(format!("{origin}{location}"));
    }
    let path = &rest[authority_end..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    if location.starts_with(['?', '#']) {
        return Some(format!("{origin}{path}{location}"));
    }
    let folder = path.rfind('/').map_or("/", |i| &path[..=i]);
    Some(format!("{origin}{folder}{location}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, location: Option<&str>) -> Answer {
        Answer {
            status,
            location: location.map(str::to_string),
            retry_after: None,
        }
    }

    /// A web of addresses: each answers its status and where it leads.
    fn web(answers: &[(&str, u16, Option<&str>)], address: &str) -> Outcome {
        follow(address, |url| {
            answers
                .iter()
                .find(|(a, _, _)| *a == url)
                .map(|&(_, status, to)| answer(status, to))
                .ok_or(Failure::Other(format!("no {url}")))
        })
    }

    #[test]
    fn redirects_are_followed_and_permanent_moves_named() {
        let answers = [
            ("https://a.org/ok", 200, None),
            ("https://a.org/old", 301, Some("/older")),
            ("https://a.org/older", 308, Some("https://b.org/new")),
            ("https://b.org/new", 200, None),
            ("https://a.org/temp", 302, Some("ok")),
            ("https://a.org/temp-then-moved", 307, Some("/old")),
            ("https://a.org/moved-then-temp", 301, Some("/temp")),
            ("https://a.org/moved-dead", 301, Some("/gone")),
            ("https://a.org/gone", 410, None),
            ("https://a.org/loop", 302, Some("/loop")),
            ("https://a.org/nowhere", 301, None),
        ];
        let moved = |to: &str| Outcome::Moved { to: to.to_string() };
        assert_eq!(web(&answers, "https://a.org/ok"), Outcome::Alive);
        assert_eq!(
            web(&answers, "https://a.org/old"),
            moved("https://b.org/new")
        );
        assert_eq!(web(&answers, "https://a.org/temp"), Outcome::Alive);
        assert_eq!(
            web(&answers, "https://a.org/temp-then-moved"),
            Outcome::Alive
        );
        assert_eq!(
            web(&answers, "https://a.org/moved-then-temp"),
            moved("https://a.org/temp")
        );
        assert_eq!(
            web(&answers, "https://a.org/moved-dead"),
            Outcome::Dead {
                status: 410,
                reason: "Gone".into(),
                via: Some("https://a.org/gone".into())
            }
        );
        assert!(
            matches!(web(&answers, "https://a.org/loop"), Outcome::Unreachable { reason } if reason.contains("redirects"))
        );
        assert!(matches!(
            web(&answers, "https://a.org/nowhere"),
            Outcome::Unreachable { .. }
        ));
    }

    #[test]
    fn locations_join_like_a_browser() {
        let base = "https://a.org/x/y?q=1";
        assert_eq!(
            join(base, "https://b.org/").as_deref(),
            Some("https://b.org/")
        );
        assert_eq!(join(base, "//c.org/z").as_deref(), Some("https://c.org/z"));
        assert_eq!(join(base, "/z").as_deref(), Some("https://a.org/z"));
        assert_eq!(join(base, "z").as_deref(), Some("https://a.org/x/z"));
        assert_eq!(join(base, "?p=2").as_deref(), Some("https://a.org/x/y?p=2"));
        assert_eq!(
            join("https://a.org", "z").as_deref(),
            Some("https://a.org/z")
        );
        assert_eq!(join(base, " "), None);
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        let now: jiff::Timestamp = "2015-10-21T07:27:00Z".parse().unwrap();
        assert_eq!(retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn a_busy_server_is_asked_again_after_the_wait_it_asks_for() {
        let limits = Limits {
            timeout: Duration::from_secs(1),
            deadline: Instant::now() + Duration::from_secs(30),
            concurrency: 1,
            per_host: 1,
            retries: 2,
        };
        let busy = Answer {
            status: 429,
            location: None,
            retry_after: Some("2".into()),
        };
        // Busy twice, then fine: two waits of 2 s.
        let mut answers = vec![answer(200, None), busy.clone(), busy.clone()];
        let mut waits = Vec::new();
        let got = retrying(
            "u",
            &limits,
            |_| Ok(answers.pop().unwrap()),
            |d| waits.push(d),
        );
        assert_eq!(got, Ok(answer(200, None)));
        assert_eq!(waits, [Duration::from_secs(2); 2]);
        // Busy for longer than the retries: the 429 is the answer.
        let mut waits = Vec::new();
        let got = retrying("u", &limits, |_| Ok(busy.clone()), |d| waits.push(d));
        assert_eq!(got.map(|a| a.status), Ok(429));
        assert_eq!(waits.len(), 2);
        // A wait past the deadline is not waited.
        let long = Answer {
            retry_after: Some("3600".into()),
            ..busy
        };
        let mut waits = Vec::new();
        let got = retrying("u", &limits, |_| Ok(long.clone()), |d| waits.push(d));
        assert_eq!(got.map(|a| a.status), Ok(429));
        assert!(waits.is_empty());
    }

    #[test]
    fn international_host_names_are_sent_in_punycode() {
        assert_eq!(
            ascii("https://bücher.example/ä ö"),
            "https://xn--bcher-kva.example/%C3%A4%20%C3%B6"
        );
        assert_eq!(
            ascii("https://München.de:8080/"),
            "https://xn--mnchen-3ya.de:8080/"
        );
        assert_eq!(punycode_label("ελληνικά"), "xn--hxargifdar");
        assert_eq!(punycode_label("日本語"), "xn--wgv71a119e");
        assert_eq!(
            ascii("https://example.org/a?b=c"),
            "https://example.org/a?b=c"
        );
    }

    #[test]
    fn hosts_are_told_apart_with_their_ports() {
        assert_eq!(host_of("https://a.org/x"), "a.org");
        assert_eq!(host_of("http://127.0.0.1:8080?x"), "127.0.0.1:8080");
        assert_eq!(host_of("https://u@a.org"), "a.org");
    }
}
