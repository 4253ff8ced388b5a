//! External links: `malformed-url` errors in every check and build, and
//! `check --external` against a small HTTP server on 127.0.0.1 started by
//! each test (never the internet): a 200, a chain of permanent redirects, a
//! temporary one, 404, 410, 500, 429 with `Retry-After`, a slow route, and a
//! second server that accepts connections and never answers.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Run, SITE_TOML, Site};

/// What the test server has been asked.
#[derive(Default)]
struct Log {
    /// Requests by path, in order.
    paths: Vec<String>,
    user_agents: Vec<String>,
    /// Requests being answered now, and the most there ever were.
    in_flight: usize,
    most_in_flight: usize,
}

struct Server {
    /// `http://127.0.0.1:PORT`
    url: String,
    log: Arc<Mutex<Log>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&shared);
                std::thread::spawn(move || answer(stream, &log));
            }
        });
        Server { url, log }
    }

    /// Requests for `path` so far.
    fn hits(&self, path: &str) -> usize {
        let log = self.log.lock().unwrap();
        log.paths.iter().filter(|p| *p == path).count()
    }

    fn requests(&self) -> usize {
        self.log.lock().unwrap().paths.len()
    }
}

/// Answers one connection's one request, by its path.
fn answer(stream: TcpStream, log: &Mutex<Log>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split(' ').nth(1).unwrap_or("").to_string();
    let mut user_agent = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("user-agent")
        {
            user_agent = value.trim().to_string();
        }
    }
    let asked_before = {
        let mut log = log.lock().unwrap();
        let before = log.paths.iter().filter(|p| **p == path).count();
        log.paths.push(path.clone());
        log.user_agents.push(user_agent);
        log.in_flight += 1;
        log.most_in_flight = log.most_in_flight.max(log.in_flight);
        before
    };
    let (status, headers) = match path.as_str() {
        "/ok" | "/new" | "/also-ok" => ("200 OK", String::new()),
        "/old" => ("301 Moved Permanently", "Location: /older\r\n".into()),
        "/older" => ("308 Permanent Redirect", "Location: /new\r\n".into()),
        "/temp" => ("302 Found", "Location: /ok\r\n".into()),
        "/missing" => ("404 Not Found", String::new()),
        "/gone" => ("410 Gone", String::new()),
        "/broken" => ("500 Internal Server Error", String::new()),
        "/busy" if asked_before == 0 => ("429 Too Many Requests", "Retry-After: 1\r\n".into()),
        "/busy" => ("200 OK", String::new()),
        "/always-busy" => ("429 Too Many Requests", "Retry-After: 1\r\n".into()),
        p if p.starts_with("/slow") => {
            std::thread::sleep(Duration::from_millis(300));
            ("200 OK", String::new())
        }
        _ => ("404 Not Found", String::new()),
    };
    // Done before the answer is sent: once the client has it, it may ask
    // again at once.
    log.lock().unwrap().in_flight -= 1;
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.flush();
}

/// A server that accepts every connection and never says a word.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    url
}

/// A server that answers every connection in plain HTTP at once, before
/// reading anything: what a TLS client gets instead of a handshake.
fn plain_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                let _ = stream.shutdown(std::net::Shutdown::Write);
                // Read until the client hangs up, so closing sends no reset.
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = std::io::copy(&mut stream, &mut std::io::sink());
            });
        }
    });
    url
}

/// A site whose one article's body is `body`, with `references` (TOML
/// `[[references]]` tables) and `[external]` settings; `{S}` in any of
/// them is the test server's address.
fn site(server: &str, external: &str, references: &str, body: &str) -> Site {
    let fill = |s: &str| s.replace("{S}", server);
    Site::new(&format!(
        "//- site.toml\n{SITE_TOML}\n[external]\n{}\n\
         //- articles/a.md\n+++\ntitle = \"A\"\ndescription = \"D.\"\nreviewed = 2026-10-01\n\
         review_due = 2027-10-01\n{}\n+++\n\n{}\n",
        fill(external),
        fill(references),
        fill(body)
    ))
}

/// `(code, file, line, column, severity)` of each diagnostic of a JSON run.
fn diagnostics(run: &Run) -> Vec<(String, String, u64, u64, String)> {
    crate::support::json_diagnostics(run, "severity")
}

/// The 1-based line and column where `needle` starts in `text`.
fn at(text: &str, needle: &str) -> (u64, u64) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is not in:\n{text}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line as u64, before[start..].chars().count() as u64 + 1)
}

/// A row for the diagnostic at `needle` in `file` of `site`.
fn found(
    site: &Site,
    code: &str,
    file: &str,
    needle: &str,
    severity: &str,
) -> (String, String, u64, u64, String) {
    let (line, column) = at(&site.read(file), needle);
    row(code, file, line, column, severity)
}

fn row(
    code: &str,
    file: &str,
    line: u64,
    column: u64,
    severity: &str,
) -> (String, String, u64, u64, String) {
    (code.into(), file.into(), line, column, severity.into())
}

const REFERENCES: &str =
    "[[references]]\ntitle = \"Gone\"\npublisher = \"P\"\nurl = \"{S}/gone\"\n";

const BODY: &str = "Read [the guide]({S}/ok) and [the old guide]({S}/old#part).\n\
[A moved page]({S}/temp) is fine, [a lost page]({S}/missing) is not,\n\
and [a broken server]({S}/broken) neither.\n";

#[test]
fn dead_and_moved_links_are_warnings_on_their_lines() {
    let server = Server::start();
    let site = site(&server.url, "", REFERENCES, BODY);
    site.write(
        "data/figures.toml",
        &format!(
            "source = \"The figures, as {}/gone.\"\nreviewed = 2026-10-01\n",
            server.url
        ),
    );
    let run = site.run(&["check", "--external", "--format", "json"]);
    run.success();
    let (a, s) = ("articles/a.md", &server.url);
    assert_eq!(
        diagnostics(&run),
        [
            // The reference's url, in the front matter.
            found(&site, "dead-link", a, &format!("{s}/gone\""), "warning"),
            // The chain of permanent redirects, at the address in the link.
            found(&site, "redirected-link", a, &format!("{s}/old#"), "warning"),
            found(&site, "dead-link", a, &format!("{s}/missing"), "warning"),
            found(&site, "dead-link", a, &format!("{s}/broken"), "warning"),
            found(&site, "dead-link", "data/figures.toml", s, "warning"),
        ],
        "{}",
        run.stderr
    );
    // Every hop of the redirect chain was asked, the temporary one too.
    for path in ["/old", "/older", "/new", "/temp", "/missing", "/broken"] {
        assert_eq!(server.hits(path), 1, "{path}");
    }
    // `/ok` once for its link, once at the end of the temporary redirect.
    assert_eq!(server.hits("/ok"), 2);
    // `/gone` is cited twice, by the reference and the data: asked once.
    assert_eq!(server.hits("/gone"), 1);

    let human = site.run(&["check", "--external"]);
    human.success();
    let out = &human.stderr;
    for expected in [
        "warning[redirected-link]: this link is permanently redirected",
        &format!("help: link to the new address, `{}/new`", server.url),
        &format!("`{}/gone` answers 410 Gone", server.url),
        "answers 404 Not Found",
        "answers 500 Internal Server Error",
        "checked 7 external links (6 addresses): 4 dead, 1 redirected",
    ] {
        assert!(out.contains(expected), "{expected}:\n{out}");
    }
}

#[test]
fn strict_makes_dead_links_errors() {
    let server = Server::start();
    let site = site(&server.url, "", "", "A [lost page]({S}/missing).\n");
    let run = site.run(&["check", "--external", "--strict"]);
    run.failure();
    assert!(run.stderr.contains("error[dead-link]"), "{}", run.stderr);
    // Without `--external`, nothing is asked and nothing is wrong.
    let before = server.requests();
    site.run(&["check", "--strict"]).success();
    site.run(&["build", "--strict"]).success();
    assert_eq!(server.requests(), before);
}

#[test]
fn a_fresh_cache_sends_no_request() {
    let server = Server::start();
    let body = "[Fine]({S}/ok), [moved]({S}/old), [lost]({S}/missing), [gone]({S}/gone).\n";
    let site = site(&server.url, "max_age_days = 7", "", body);
    let check = |today: &str| {
        let run = site.run_with_env(
            &["check", "--external", "--format", "json"],
            &[("OSTEON_TODAY", today)],
        );
        run.success();
        (diagnostics(&run).len(), run.stderr)
    };
    let (first, _) = check("2026-11-01");
    assert_eq!(first, 3);
    let asked = server.requests();
    assert_eq!(asked, 6);
    let cache = site.read(".osteon/cache/external-links.json");
    assert!(
        cache.contains(&format!("{}/missing", server.url)),
        "{cache}"
    );
    // The cache is kept outside the output, and the build does not publish it.
    site.build().success();
    assert!(!site.path().join("public/.osteon").exists());

    // Six days on: the same warnings, from the cache alone.
    let (again, stderr) = check("2026-11-07");
    assert_eq!(again, 3);
    assert_eq!(server.requests(), asked, "{stderr}");
    assert!(
        stderr.contains("(4 from the cache, no request sent)"),
        "{stderr}"
    );

    // A week on, the answers are stale and every address is asked again.
    check("2026-11-08");
    assert_eq!(server.requests(), 2 * asked);

    // A link added since is the only one asked.
    site.write(
        "articles/a.md",
        &site
            .read("articles/a.md")
            .replace("[Fine]", "[Also fine]({S}/also-ok), [Fine]")
            .replace("{S}", &server.url),
    );
    check("2026-11-09");
    assert_eq!(server.requests(), 2 * asked + 1);
    assert_eq!(server.hits("/also-ok"), 1);
}

#[test]
fn failures_that_may_pass_are_asked_again() {
    let server = Server::start();
    let site = site(&server.url, "", "", "[Broken]({S}/broken).\n");
    site.run(&["check", "--external"]).success();
    site.run(&["check", "--external"]).success();
    assert_eq!(server.hits("/broken"), 2);
}

#[test]
fn a_server_that_never_answers_does_not_hang_the_check() {
    let server = Server::start();
    let silent = silent_server();
    let body = format!("[Silent]({silent}/a), [also silent]({silent}/b) and [fine]({{S}}/ok).\n");
    let site = site(&server.url, "timeout_seconds = 1", "", &body);
    let started = Instant::now();
    let run = site.run(&["check", "--external"]);
    let took = started.elapsed();
    run.success();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(
        run.stderr.matches("no answer before the timeout").count(),
        2,
        "{}",
        run.stderr
    );
    assert_eq!(server.hits("/ok"), 1);
    // Nothing is cached of a timeout: the next run asks again.
    let cache = site.read(".osteon/cache/external-links.json");
    assert!(!cache.contains(&silent), "{cache}");
}

#[test]
fn the_deadline_ends_the_run_and_leaves_the_rest_for_the_next() {
    let silent = silent_server();
    let body: String = (0..4)
        .map(|i| format!("[Silent page {i}]({silent}/{i}).\n"))
        .collect();
    // Each request may take a minute, but the run only three seconds, one
    // request to the host at a time.
    let site = site(
        "",
        "timeout_seconds = 60\ndeadline_seconds = 3\nper_host = 1",
        "",
        &body,
    );
    let started = Instant::now();
    let run = site.run(&["check", "--external"]);
    let took = started.elapsed();
    run.success();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(took >= Duration::from_secs(3), "took {took:?}");
    assert!(
        run.stderr.contains("4 not asked before the deadline"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("dead-link"), "{}", run.stderr);
}

#[test]
fn a_busy_server_is_asked_again_after_its_retry_after() {
    let server = Server::start();
    let site = site(
        &server.url,
        "retries = 1",
        "",
        "[Busy]({S}/busy) and [always busy]({S}/always-busy).\n",
    );
    let started = Instant::now();
    let run = site.run(&["check", "--external"]);
    run.success();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.hits("/busy"), 2);
    assert_eq!(server.hits("/always-busy"), 2);
    assert!(
        run.stderr.contains("answers 429 Too Many Requests"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("/busy` answers"), "{}", run.stderr);
}

#[test]
fn requests_to_one_host_are_limited_and_say_who_asks() {
    let server = Server::start();
    let body: String = (0..6)
        .map(|i| format!("[Slow page {i}]({{S}}/slow{i}).\n"))
        .collect();
    let site = site(&server.url, "concurrency = 8\nper_host = 2", "", &body);
    site.run(&["check", "--external"]).success();
    let log = server.log.lock().unwrap();
    assert_eq!(log.paths.len(), 6);
    assert_eq!(log.most_in_flight, 2);
    for agent in &log.user_agents {
        assert!(agent.starts_with("osteon/"), "{agent}");
    }
}

#[test]
fn excluded_addresses_are_never_asked() {
    let server = Server::start();
    let site = site(
        &server.url,
        "exclude = [\"{S}/missing*\", \"*/gone\"]",
        "",
        "[Lost]({S}/missing), [lost too]({S}/missing/page), [gone]({S}/gone), [fine]({S}/ok).\n",
    );
    let run = site.run(&["check", "--external", "--strict"]);
    run.success();
    assert_eq!(server.requests(), 1);
    assert!(run.stderr.contains("3 links excluded"), "{}", run.stderr);
}

#[test]
fn mail_addresses_are_checked_for_their_syntax_only() {
    let server = Server::start();
    let site = site(
        &server.url,
        "",
        "",
        "Write to [the editors](mailto:editors@example.org?subject=Hello).\n\
         Or to [nobody](mailto:nobody).\n",
    );
    let (check, _) = site.fail_alike(&[]);
    assert!(
        check.stderr.contains(
            "error[malformed-url]: this link cannot be followed: this e-mail address is malformed"
        ),
        "{}",
        check.stderr
    );
    let run = site.run(&["check", "--external", "--format", "json"]);
    run.failure();
    assert_eq!(
        diagnostics(&run),
        [found(
            &site,
            "malformed-url",
            "articles/a.md",
            "mailto:nobody",
            "error"
        )]
    );
    assert_eq!(server.requests(), 0);
}

#[test]
fn malformed_addresses_are_errors_in_check_and_build_alike() {
    let references = "[[references]]\ntitle = \"R\"\npublisher = \"P\"\nurl = \"https://\"\n";
    let body = "A [typo](htps://example.org/x), [a script](javascript:alert(1)),\n\
                [no host](https:///path) and [fine](https://example.org/).\n";
    let site = site("", "", references, body);
    site.write(
        "data/figures.toml",
        "source = \"See htp://example.org/figures\"\nreviewed = 2026-10-01\n",
    );
    let (check, build) = site.fail_alike(&[]);
    assert!(!site.path().join("public").exists());
    assert!(
        build.stderr.contains("did you mean `https:`?"),
        "{}",
        build.stderr
    );
    let a = "articles/a.md";
    let expected: Vec<(String, String, u64, u64)> = [
        (a, "https://\""),
        (a, "htps:"),
        (a, "javascript:"),
        (a, "https:///"),
        ("data/figures.toml", "htp:"),
    ]
    .into_iter()
    .map(|(file, needle)| {
        let (line, column) = at(&site.read(file), needle);
        ("malformed-url".to_string(), file.to_string(), line, column)
    })
    .collect();
    assert_eq!(site.check_json(), expected, "{}", check.stderr);
    let messages: BTreeMap<u64, String> = site
        .check_json_messages()
        .into_iter()
        .map(|(_, _, line, column, message)| (line * 100 + column, message))
        .collect();
    assert!(messages[&908].contains("has no host name"), "{messages:?}");
    assert!(messages[&1344].contains("`javascript:`"), "{messages:?}");
}

#[test]
fn only_check_asks_the_network() {
    let run = Site::new("//- articles/a.md\n").run(&["build", "--external"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn external_settings_are_checked_like_every_key() {
    for (setting, message) in [
        ("timeout_secs = 3", "did you mean `timeout_seconds`?"),
        ("per_host = 0", "expected a nonzero"),
        ("exclude = \"https://a.org/*\"", "expected a sequence"),
    ] {
        let site = site("", setting, "", "Text.\n");
        let run = site.run(&["check", "--format", "json"]);
        run.failure();
        let found = diagnostics(&run);
        // On the setting's line of site.toml.
        assert_eq!(found.len(), 1, "{}", run.stdout);
        assert_eq!(
            (found[0].0.as_str(), found[0].2),
            ("config", 7),
            "{setting}"
        );
        assert!(run.stdout.contains(message), "{setting}: {}", run.stdout);
    }
}

#[test]
fn drafts_are_asked_only_when_published() {
    let server = Server::start();
    let site = site(&server.url, "", "", "[Fine]({S}/ok).\n");
    site.write(
        "articles/draft.md",
        &format!(
            "+++\ntitle = \"D\"\ndescription = \"D.\"\nreviewed = 2026-10-01\ndraft = true\n+++\n\n\
             [A lost page]({}/missing).\n",
            server.url
        ),
    );
    site.run(&["check", "--external"]).success();
    assert_eq!(server.hits("/missing"), 0);
    let run = site.run(&["check", "--external", "--drafts"]);
    run.success();
    assert_eq!(server.hits("/missing"), 1);
    assert!(
        run.stderr.contains("articles/draft.md:8:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failed_connection_or_tls_handshake_is_a_dead_link() {
    let server = Server::start();
    // A port nothing listens on any more.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    // `https:` to a server that answers in plain HTTP at once: no handshake.
    let tls = plain_server().replace("http:", "https:");
    let body = format!("[Closed]({closed}/a) and [not secure]({tls}/ok).\n");
    let site = site(&server.url, "timeout_seconds = 5", "", &body);
    let run = site.run(&["check", "--external", "--format", "json"]);
    run.success();
    let a = "articles/a.md";
    assert_eq!(
        diagnostics(&run),
        [
            found(&site, "dead-link", a, &closed, "warning"),
            found(&site, "dead-link", a, &tls, "warning"),
        ]
    );
    let human = site.run(&["check", "--external"]);
    assert!(
        human
            .stderr
            .contains("could not be reached: the server refused the connection"),
        "{}",
        human.stderr
    );
    assert!(
        human
            .stderr
            .contains("could not be reached: the secure connection (TLS) failed"),
        "{}",
        human.stderr
    );
}
