//! `osteon serve`: pages from memory, reload on save, the error overlay, path
//! safety, content types, and byte-for-byte equality with `build`.
//!
//! Most tests run the server in-process on a free port; one runs the binary. The
//! HTTP client is a plain `TcpStream`, and every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use osteon::Options;
use osteon::serve::{Config, LIVE_JS, SETTLE, reload_script};

use crate::support::{ARTICLE, Site};

/// How long a change may take to show; waits end as soon as it does.
const PATIENCE: Duration = Duration::from_secs(10);

fn small_site() -> Site {
    Site::new(&format!(
        "//- articles/bones.md\n{ARTICLE}\n## Strong bones\n\nSee [calcium](../glossary/calcium.md) and the [about page](../pages/about.md).\n\
         //- articles/dexa.md\n{ARTICLE}\n## Scans\n\nA scan measures bone density.\n\
         //- glossary/calcium.md\n+++\nterm = \"Calcium\"\nsummary = \"A mineral in bones.\"\n+++\n\nUsed in [bones](../articles/bones.md).\n\
         //- static/leaflet.txt\nhello\n"
    ))
}

/// A server running in-process on a free port, stopped when dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(site: &Site) -> Server {
        Server::start_with(site, |_| {})
    }

    /// A server whose rebuild panics after a save of a file named `fail_on`.
    fn start_failing_on(site: &Site, fail_on: Option<&str>) -> Server {
        Server::start_with(site, |config| {
            config.fail_on = fail_on.map(str::to_string);
        })
    }

    /// A server with the default configuration as `configure` changes it.
    fn start_with(site: &Site, configure: impl FnOnce(&mut Config)) -> Server {
        let mut config = Config {
            options: Options {
                root: site.path().to_path_buf(),
                ..Options::default()
            },
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            settle: SETTLE,
            follow: true,
            fail_on: None,
        };
        configure(&mut config);
        let (started, addr) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let shutdown = async {
                let _ = stopped.await;
            };
            osteon::serve::run(&config, |s| started.send(s.addr).unwrap(), shutdown).unwrap();
        });
        let addr = addr
            .recv_timeout(Duration::from_secs(60))
            .expect("the server did not start");
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn get(&self, path: &str) -> Response {
        get(self.addr, path)
    }

    /// The page at `path` once `ready` holds for it, or a panic after `PATIENCE`.
    #[track_caller]
    fn wait_for(&self, path: &str, what: &str, ready: impl Fn(&Response) -> bool) -> Response {
        let start = Instant::now();
        loop {
            let response = self.get(path);
            if ready(&response) {
                return response;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "{path} never showed {what}; last response: {} {}",
                response.status,
                response.text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The page as `build` would write it: the reload script, present exactly once,
    /// taken out.
    #[track_caller]
    fn without_script(&self) -> Vec<u8> {
        let text = self.text();
        assert_eq!(text.matches(LIVE_JS).count(), 1, "{text}");
        let n = self.served_at();
        text.replacen(&reload_script(n), "", 1).into_bytes()
    }

    /// The count of changes published before the page was served, as its
    /// reload script carries it.
    #[track_caller]
    fn served_at(&self) -> u64 {
        let text = self.text();
        let (_, after) = text
            .split_once("<script id=\"osteon-live\" data-n=\"")
            .unwrap_or_else(|| panic!("no reload script: {text}"));
        after[..after.find('"').unwrap()].parse().unwrap()
    }

    fn has_overlay(&self) -> bool {
        self.text().contains("id=\"osteon-overlay\"")
    }
}

fn get(addr: SocketAddr, path: &str) -> Response {
    request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    )
}

/// Sends `raw` as it is and reads the whole response (the server closes the connection).
fn request(addr: SocketAddr, raw: &str) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    parse_response(&bytes)
}

fn parse_response(bytes: &[u8]) -> Response {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end: {}", String::from_utf8_lossy(bytes)));
    let head = std::str::from_utf8(&bytes[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_string(), v.trim().to_string())
        })
        .collect();
    Response {
        status: status.parse().unwrap(),
        headers,
        body: bytes[end + 4..].to_vec(),
    }
}

/// An open `/__osteon/events` stream, as a browser tab holds one.
struct Events {
    stream: TcpStream,
    received: String,
    reloads: usize,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(b"GET /__osteon/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            .unwrap();
        let mut events = Events {
            stream,
            received: String::new(),
            reloads: 0,
        };
        // The server subscribes before it answers, so after this no reload is
        // missed; the hello event follows at once.
        events.wait_until("the connected comment and the hello event", |text| {
            text.contains(": connected")
                && text
                    .split_once("event: hello")
                    .is_some_and(|(_, rest)| rest.contains("}\n"))
        });
        assert!(events.received.starts_with("HTTP/1.1 200"));
        assert!(events.received.contains("text/event-stream"));
        events
    }

    /// Waits for a reload event after the last one seen.
    #[track_caller]
    fn reload(&mut self) {
        let seen = self.reloads;
        self.wait_until("a reload event", |text| {
            text.matches("event: reload").count() > seen
        });
        self.reloads = self.received.matches("event: reload").count();
    }

    /// Waits for the next change and returns it (the JSON of the event).
    #[track_caller]
    fn change(&mut self) -> serde_json::Value {
        self.reload();
        self.changes().pop().expect("a change")
    }

    /// Every change received so far, oldest first.
    fn changes(&self) -> Vec<serde_json::Value> {
        self.data_of("reload")
    }

    /// The data of every event of `kind` received so far, oldest first.
    fn data_of(&self, kind: &str) -> Vec<serde_json::Value> {
        let mut event = "";
        let mut data = Vec::new();
        for line in self.received.lines() {
            if let Some(name) = line.strip_prefix("event: ") {
                event = name;
            } else if let Some(text) = line.strip_prefix("data: ")
                && event == kind
            {
                data.push(serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}")));
            }
        }
        data
    }

    /// Reads whatever arrives within `time`, without waiting for anything.
    fn linger(&mut self, time: Duration) {
        let start = Instant::now();
        let mut buffer = [0; 4096];
        while let Some(left) = time.checked_sub(start.elapsed()) {
            if left.is_zero() {
                break;
            }
            self.stream.set_read_timeout(Some(left)).unwrap();
            match self.stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => self
                    .received
                    .push_str(&String::from_utf8_lossy(&buffer[..n])),
            }
        }
        self.reloads = self.received.matches("event: reload").count();
    }

    #[track_caller]
    fn wait_until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let start = Instant::now();
        let mut buffer = [0; 4096];
        while !done(&self.received) {
            let left = PATIENCE.saturating_sub(start.elapsed());
            assert!(
                !left.is_zero(),
                "no {what} within {PATIENCE:?}; received:\n{}",
                self.received
            );
            self.stream.set_read_timeout(Some(left)).unwrap();
            match self.stream.read(&mut buffer) {
                Ok(0) => panic!("the event stream closed:\n{}", self.received),
                Ok(n) => self
                    .received
                    .push_str(&String::from_utf8_lossy(&buffer[..n])),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reading events: {e}"),
            }
        }
    }
}

/// The `<code>file:line:column</code> error[code]` entries the overlay must show:
/// exactly what `check --format json` reports.
fn expected_overlay_entries(site: &Site) -> Vec<String> {
    site.check_json()
        .iter()
        .map(|(code, file, line, column)| {
            format!("<code>{file}:{line}:{column}</code> error[{code}]")
        })
        .collect()
}

#[test]
fn serves_pages_with_the_reload_script_and_reloads_them_on_save() {
    let site = small_site();
    let server = Server::start(&site);
    let page = server.get("/articles/bones/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let text = page.text();
    assert!(
        text.contains(&format!("{}</body>", reload_script(0))),
        "the script goes right before </body>: {text}"
    );
    assert!(!page.has_overlay());

    let mut events = Events::open(server.addr);
    site.write(
        "articles/bones.md",
        &format!("{ARTICLE}\n## Strong bones\n\nFreshly saved words. See [calcium](../glossary/calcium.md).\n"),
    );
    events.reload();
    server.wait_for("/articles/bones/", "the new words", |r| {
        r.text().contains("Freshly saved words.")
    });
}

#[test]
fn a_page_that_connects_after_a_change_learns_it_missed_it() {
    let site = small_site();
    let server = Server::start(&site);
    let mut watching = Events::open(server.addr);
    // Served, then a save, then the page's script connects.
    let page = server.get("/articles/bones/");
    site.write(
        "articles/bones.md",
        &format!("{ARTICLE}\n## Strong bones\n\nSaved before the page connected.\n"),
    );
    let change = watching.change();
    let late = Events::open(server.addr);
    let hello = late.data_of("hello");
    assert_eq!(hello.len(), 1, "{}", late.received);
    assert_eq!(hello[0]["n"], change["n"]);
    assert!(
        hello[0]["n"].as_u64().unwrap() > page.served_at(),
        "the stream's count {} is not past the page's {}",
        hello[0]["n"],
        page.served_at()
    );
    // A page served now has seen every change.
    let now = server.get("/articles/bones/");
    assert_eq!(Some(now.served_at()), hello[0]["n"].as_u64());
}

#[test]
fn build_output_never_has_the_reload_script() {
    let site = small_site();
    site.build().success();
    for (path, bytes) in site.snapshot_output() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("__osteon"), "{path}");
        assert!(!text.contains("osteon-overlay"), "{path}");
    }
}

#[test]
fn a_broken_save_shows_an_overlay_on_every_page_until_it_is_fixed() {
    let site = small_site();
    let server = Server::start(&site);
    let mut events = Events::open(server.addr);
    let good = server.get("/articles/bones/").without_script();

    site.write(
        "articles/bones.md",
        &format!(
            "{}\nBroken <b>save</b>.\n",
            ARTICLE.replace("topics =", "topcs =")
        ),
    );
    events.reload();
    let page = server.wait_for("/articles/bones/", "the overlay", Response::has_overlay);
    let text = page.text();
    assert_eq!(page.status, 200);
    // The last good version is still served, with the overlay added.
    let (page_text, overlay) = text.split_once("<div id=\"osteon-overlay\"").unwrap();
    assert!(page_text.contains("Strong bones"), "{text}");
    assert!(!page_text.contains("Broken"), "{text}");
    assert!(
        !overlay.contains("<b>"),
        "the overlay escapes the source: {overlay}"
    );
    let expected = expected_overlay_entries(&site);
    assert!(!expected.is_empty());
    for entry in &expected {
        assert!(
            text.contains(entry),
            "{entry} missing from the overlay: {text}"
        );
    }
    assert!(text.contains("topcs"), "the message names the key: {text}");
    // Accessible: a labelled alert dialog with a heading and a close button.
    assert!(text.contains("role=\"alertdialog\""), "{text}");
    assert!(text.contains("aria-labelledby=\"osteon-overlay-title\""));
    assert!(text.contains("<h2 id=\"osteon-overlay-title\">The site has 1 error</h2>"));
    assert!(text.contains("<button type=\"button\">Close</button>"));
    // The overlay comes before the reload script, which is still last in the body.
    let n = page.served_at();
    assert!(text.contains(&format!("</div>{}</body>", reload_script(n))));

    // A page opened after the broken save shows it too, and so does the 404 page.
    assert!(server.get("/").has_overlay());
    assert!(server.get("/glossary/calcium/").has_overlay());
    let missing = server.get("/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(missing.has_overlay());

    site.write(
        "articles/bones.md",
        &format!("{ARTICLE}\n## Strong bones\n\nFixed. See [calcium](../glossary/calcium.md).\n"),
    );
    events.reload();
    let page = server.wait_for("/articles/bones/", "the fix", |r| {
        !r.has_overlay() && r.text().contains("Fixed.")
    });
    assert_ne!(page.without_script(), good);
    assert!(!server.get("/").has_overlay());
}

#[test]
fn deleting_a_linked_article_shows_the_broken_links_where_they_are() {
    let site = small_site();
    let server = Server::start(&site);
    let mut events = Events::open(server.addr);
    site.remove("articles/bones.md");
    events.reload();
    let home = server.wait_for("/", "the overlay", Response::has_overlay);
    let text = home.text();
    let expected = expected_overlay_entries(&site);
    assert!(
        expected
            .iter()
            .any(|e| e.contains("glossary/calcium.md:") && e.ends_with("error[broken-link]")),
        "{expected:?}"
    );
    for entry in &expected {
        assert!(text.contains(entry), "{entry} missing: {text}");
    }
    // The deleted article keeps being served, as it was, until the site builds again.
    let article = server.get("/articles/bones/");
    assert_eq!(article.status, 200);
    assert!(article.text().contains("Strong bones"));
}

#[test]
fn removing_a_heading_another_page_links_to_shows_the_broken_anchor_there() {
    let site = small_site();
    site.write(
        "articles/dexa.md",
        &format!("{ARTICLE}\nSee [strong bones](bones.md#strong-bones).\n"),
    );
    let server = Server::start(&site);
    let good = server.get("/articles/dexa/").without_script();
    let mut events = Events::open(server.addr);
    let bones = site.read("articles/bones.md");
    site.write(
        "articles/bones.md",
        &bones.replace("## Strong bones", "## Sturdy bones"),
    );
    events.reload();
    let page = server.wait_for("/articles/dexa/", "the overlay", Response::has_overlay);
    let expected = expected_overlay_entries(&site);
    assert!(
        expected
            .iter()
            .any(|e| e.contains("articles/dexa.md:") && e.ends_with("error[broken-anchor]")),
        "{expected:?}"
    );
    for entry in &expected {
        assert!(page.text().contains(entry), "{entry} missing");
    }

    // The heading back: the overlay goes and the page is as it was.
    site.write("articles/bones.md", &bones);
    events.reload();
    let page = server.wait_for("/articles/dexa/", "no overlay", |r| !r.has_overlay());
    assert_eq!(page.without_script(), good);
}

#[test]
fn paths_outside_the_output_are_never_served() {
    let site = small_site();
    site.write("Cargo.toml", "[package]\nname = \"secret\"\n");
    let server = Server::start(&site);
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2e%2e/site.toml",
        "/articles/..%2f..%2fsite.toml",
        "/articles/%2e%2e%2f%2e%2e%2fsite.toml",
        "/..%5csite.toml",
        "/../../../../../../etc/passwd",
        "/./site.toml",
        "//site.toml",
        "/site.toml",
        "/Cargo.toml",
        "/articles/bones.md",
        "/themes/default/templates/base.html",
        "/static/leaflet.txt",
        "/public/index.html",
    ] {
        let response = request(
            server.addr,
            &format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        );
        assert!(
            matches!(response.status, 400 | 404),
            "{target}: {}",
            response.status
        );
        let text = response.text();
        for secret in ["base_url", "name = \"secret\"", "+++", "{% block", "root:"] {
            assert!(!text.contains(secret), "{target} leaked {secret}");
        }
    }
    // The file itself is served where the site publishes it.
    assert_eq!(server.get("/leaflet.txt").text(), "hello\n");
}

#[test]
fn content_types_match_the_file() {
    let site = small_site();
    let files: &[(&str, &[u8], &str)] = &[
        ("static/a.css", b"p{}", "text/css; charset=utf-8"),
        ("static/a.js", b"1", "text/javascript; charset=utf-8"),
        ("static/a.xml", b"<a/>", "application/xml; charset=utf-8"),
        ("static/a.txt", b"a", "text/plain; charset=utf-8"),
        ("static/a.json", b"{}", "application/json; charset=utf-8"),
        ("static/a.svg", b"<svg/>", "image/svg+xml; charset=utf-8"),
        ("static/a.png", b"\x89PNG", "image/png"),
        ("static/a.jpg", b"\xff\xd8", "image/jpeg"),
        ("static/a.webp", b"RIFF", "image/webp"),
        ("static/a.pdf", b"%PDF", "application/pdf"),
        ("static/a.woff2", b"wOF2", "font/woff2"),
        ("static/favicon.ico", b"\0\0\x01\0", "image/x-icon"),
        ("static/a.bin", b"\0", "application/octet-stream"),
    ];
    for (path, bytes, _) in files {
        std::fs::write(site.path().join(path), bytes).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    // Inside the temporary folder, so the record beside it goes with it.
    let out = out.path().join("public");
    site.run(&["build", "--output", out.to_str().unwrap()])
        .success();
    let server = Server::start(&site);
    for (path, bytes, kind) in files {
        // CSS and JavaScript are published under a name with their hash.
        let name = path.strip_prefix("static/").unwrap();
        let (stem, extension) = name.split_once('.').unwrap();
        let published = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .find(|f| {
                f == name
                    || (f.starts_with(&format!("{stem}.")) && f.ends_with(&format!(".{extension}")))
            })
            .unwrap_or_else(|| panic!("{name} not published"));
        let url = format!("/{published}");
        let response = server.get(&url);
        assert_eq!(response.status, 200, "{url}");
        assert_eq!(response.header("content-type"), Some(*kind), "{url}");
        assert_eq!(&response.body, bytes, "{url}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    }
    let home = server.get("/");
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        server.get("/atom.xml").header("content-type"),
        Some("application/xml; charset=utf-8")
    );
}

#[test]
fn folders_redirect_to_their_slash_and_missing_paths_get_the_404_page() {
    let site = small_site();
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("out");
    site.run(&["build", "--output", out.to_str().unwrap()])
        .success();
    let server = Server::start(&site);

    let redirect = server.get("/articles/bones?x=1");
    assert_eq!(redirect.status, 307);
    assert_eq!(redirect.header("location"), Some("/articles/bones/?x=1"));
    assert_eq!(server.get("/articles/bones/index.html").status, 200);
    assert_eq!(
        server.get("/glossary").header("location"),
        Some("/glossary/")
    );

    let not_found = std::fs::read(out.join("404.html")).unwrap();
    for missing in [
        "/nope",
        "/nope/",
        "/articles/bones/nope.png",
        "/articles/bones.md",
    ] {
        let response = server.get(missing);
        assert_eq!(response.status, 404, "{missing}");
        assert_eq!(
            response.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(response.without_script(), not_found, "{missing}");
    }

    let head = request(
        server.addr,
        "HEAD /articles/bones/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let post = request(
        server.addr,
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(post.status, 405);
}

#[test]
fn after_a_sequence_of_edits_every_page_equals_the_build_byte_for_byte() {
    let site = small_site();
    let server = Server::start(&site);
    let mut events = Events::open(server.addr);

    // Edit an article's body.
    site.write(
        "articles/bones.md",
        &format!("{ARTICLE}\n## Strong bones\n\nWalking helps. See [calcium](../glossary/calcium.md) and the [about page](../pages/about.md).\n"),
    );
    events.reload();
    server.wait_for("/articles/bones/", "the edit", |r| {
        r.text().contains("Walking helps.")
    });

    // Edit a glossary summary, which other pages show.
    site.write(
        "glossary/calcium.md",
        "+++\nterm = \"Calcium\"\nsummary = \"A mineral that keeps bones strong.\"\n+++\n\nUsed in [bones](../articles/bones.md).\n",
    );
    events.reload();
    server.wait_for("/glossary/", "the new summary", |r| {
        r.text().contains("A mineral that keeps bones strong.")
    });

    // Add an article.
    site.write(
        "articles/walking.md",
        &format!("{ARTICLE}\n## Walk daily\n\nRead about [bones](bones.md).\n"),
    );
    events.reload();
    server.wait_for("/articles/walking/", "the new article", |r| r.status == 200);

    // Delete an article nothing links to.
    site.remove("articles/dexa.md");
    events.reload();
    server.wait_for("/articles/dexa/", "the deletion", |r| r.status == 404);

    // Rename a file.
    std::fs::rename(
        site.path().join("articles/walking.md"),
        site.path().join("articles/strolling.md"),
    )
    .unwrap();
    events.reload();
    server.wait_for("/articles/strolling/", "the renamed article", |r| {
        r.status == 200
    });
    assert_eq!(server.get("/articles/walking/").status, 404);

    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("out");
    site.run(&["build", "--output", out.to_str().unwrap()])
        .success();
    let mut compared = 0;
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().strip_prefix(&out).unwrap().to_str().unwrap();
        if path == osteon::write::MARKER {
            continue;
        }
        let built = std::fs::read(entry.path()).unwrap();
        let url = match path.strip_suffix("index.html") {
            Some(dir) => format!("/{dir}"),
            None => format!("/{path}"),
        };
        let served = server.get(&url);
        assert_eq!(served.status, 200, "{url}");
        let served = if path.ends_with(".html") {
            served.without_script()
        } else {
            served.body
        };
        assert!(
            served == built,
            "{url} differs from the build:\nserved: {}\nbuilt:  {}",
            String::from_utf8_lossy(&served),
            String::from_utf8_lossy(&built)
        );
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} files compared");
}

#[test]
fn the_binary_prints_its_url_serves_and_stops_on_ctrl_c() {
    let site = small_site();
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.path())
        .stdout(Stdio::piped())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("serving http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let addr: SocketAddr = url.trim_end_matches('/').parse().unwrap();
    assert!(addr.ip().is_loopback(), "binds to 127.0.0.1 by default");
    assert_ne!(addr.port(), 0);

    let mut events = Events::open(addr);
    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains(LIVE_JS));
    site.write(
        "articles/dexa.md",
        &format!("{ARTICLE}\n## Scans\n\nA scan measures bone density, quickly.\n"),
    );
    events.reload();
    // The log line follows the reload event.
    let start = Instant::now();
    while !std::fs::read_to_string(log.path())
        .unwrap()
        .contains("after articles/dexa.md")
    {
        assert!(start.elapsed() < PATIENCE, "no rebuild line in the log");
        std::thread::sleep(Duration::from_millis(10));
    }

    // SAFETY: `kill` with our own child's pid and a valid signal number.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("serve did not stop on Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = std::fs::read_to_string(log.path()).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(
        stderr.contains("rebuilt in ") && stderr.contains("ms after articles/dexa.md: "),
        "{stderr}"
    );
    assert!(stderr.contains("stopped"), "{stderr}");
}

#[test]
fn a_source_folder_created_after_the_start_is_watched() {
    let site = Site::new(&format!("//- articles/bones.md\n{ARTICLE}\nBones.\n"));
    assert!(!site.path().join("static").exists());
    let server = Server::start(&site);
    site.write("static/new.txt", "one\n");
    server.wait_for("/new.txt", "the new file", |r| r.text() == "one\n");
    site.write("static/new.txt", "two\n");
    server.wait_for("/new.txt", "the edit", |r| r.text() == "two\n");
}

#[test]
fn a_site_under_a_sub_folder_is_served_under_it() {
    let site = small_site();
    site.write(
        "site.toml",
        &crate::support::SITE_TOML.replace("https://example.org/", "https://example.org/bones/"),
    );
    let server = Server::start(&site);
    let page = server.get("/bones/articles/bones/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains(r#"href="/bones/glossary/calcium/""#));
    assert_eq!(server.get("/").header("location"), Some("/bones/"));
    assert_eq!(server.get("/bones").header("location"), Some("/bones/"));
    assert_eq!(server.get("/bones/").status, 200);
    assert_eq!(server.get("/articles/bones/").status, 404);
}

#[test]
fn an_edit_to_a_template_override_reloads_like_a_theme_edit() {
    // templates/ does not exist at the start: its creation is seen, then it
    // is watched like the theme.
    let site = small_site();
    assert!(!site.path().join("templates").exists());
    let server = Server::start(&site);
    let partial = |marker: &str| {
        format!(
            "<nav class=\"{marker}\" aria-label=\"Breadcrumb\"><a href=\"{{{{ site.base_path }}}}\">Home</a></nav>\n"
        )
    };
    site.write(
        "templates/partials/breadcrumbs.html",
        &partial("crumbs-one"),
    );
    server.wait_for("/articles/bones/", "the override", |r| {
        r.text().contains("crumbs-one")
    });
    site.write(
        "templates/partials/breadcrumbs.html",
        &partial("crumbs-two"),
    );
    server.wait_for("/articles/bones/", "the edited override", |r| {
        r.text().contains("crumbs-two")
    });
}

#[test]
fn a_rebuild_that_panics_is_reported_and_the_next_save_rebuilds() {
    let site = small_site();
    let server = Server::start_failing_on(&site, Some("boom.md"));
    let mut events = Events::open(server.addr);
    site.write(
        "articles/boom.md",
        &format!("{ARTICLE}\n## Boom\n\nA page whose save makes the rebuild fail.\n"),
    );
    events.reload();
    let page = server.wait_for("/articles/dexa/", "the overlay", Response::has_overlay);
    let text = page.text();
    assert!(text.contains("error[internal]"), "{text}");
    assert!(text.contains("articles/boom.md"), "{text}");
    assert!(text.contains("please report it"), "{text}");
    // The last good site is still served, without the page that failed.
    assert!(text.contains("Scans"), "{text}");
    assert_eq!(server.get("/articles/boom/").status, 404);

    // The watcher still runs: the next save rebuilds the whole site.
    site.write(
        "articles/dexa.md",
        &format!("{ARTICLE}\n## Scans\n\nA scan measures bone density, and more.\n"),
    );
    let page = server.wait_for("/articles/dexa/", "the new text", |r| {
        r.text().contains("and more")
    });
    assert!(!page.has_overlay(), "{}", page.text());
    assert!(server.get("/articles/boom/").text().contains("Boom"));
}

/// A broken save prints its new error in full, a fixed one a line, and the
/// site's warnings only as a count: on a large site they would bury it.
#[test]
fn a_rebuild_reports_what_changed_and_counts_the_warnings() {
    let bare = "See <https://example.org>.\n";
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\n{bare}//- articles/b.md\n{ARTICLE}\n{bare}"
    ));
    let options = Options {
        root: site.path().to_path_buf(),
        ..Options::default()
    };
    let live = osteon::serve::Live::new(osteon::serve::project::Project::open(&options).unwrap());
    let a = site.path().join("articles/a.md");

    site.write(
        "articles/a.md",
        &format!("{ARTICLE}\n{bare}[gone](nowhere.md)\n"),
    );
    let text = live.rebuild(&[&a]).unwrap().problems.expect("a new error");
    assert!(text.contains("error[broken-link]"), "{text}");
    assert!(text.contains("articles/a.md:10:1"), "{text}");
    assert!(
        text.contains("2 warning(s): run `osteon check` to list them"),
        "{text}"
    );
    assert!(!text.contains("warning["), "no warning in full: {text}");

    // The same error again: nothing new to say.
    assert!(live.rebuild(&[&a]).unwrap().problems.is_none());

    site.write("articles/a.md", &format!("{ARTICLE}\n{bare}"));
    let text = live
        .rebuild(&[&a])
        .unwrap()
        .problems
        .expect("a fixed error");
    assert!(text.starts_with("fixed: articles/a.md:10:1: "), "{text}");
    assert!(!text.contains("error["), "{text}");
}

/// The search index is made from what is served when a search asks for it,
/// and made again after an edit: it follows the site without a rebuild
/// paying for it.
#[test]
fn the_search_index_follows_an_edit() {
    let site = small_site();
    let server = Server::start(&site);
    let mut events = Events::open(server.addr);
    let entry = || server.get("/search-index/manifest.json");
    let before = entry();
    assert_eq!(before.status, 200, "{}", before.text());
    assert!(before.text().contains("\"pages\":"), "{}", before.text());
    assert_eq!(server.get("/search-index/no-such-file").status, 404);

    site.write(
        "articles/dexa.md",
        &format!(
            "{ARTICLE}\n## Scans\n\nA scan measures bone density, also called osteodensitometry.\n"
        ),
    );
    events.reload();
    let after = entry();
    assert_eq!(after.status, 200);
    assert_ne!(after.body, before.body, "the index was not made again");

    // What is served is what `build` writes.
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("out");
    site.run(&["build", "--output", out.to_str().unwrap()])
        .success();
    assert_eq!(
        after.body,
        std::fs::read(out.join("search-index/manifest.json")).unwrap()
    );
}

/// Saves a new section in `articles/dexa.md`; returns the change it made,
/// which names that page alone.
fn save_dexa(site: &Site, events: &mut Events) -> serde_json::Value {
    site.write(
        "articles/dexa.md",
        &format!("{ARTICLE}\n## Scans\n\nA scan measures bone density, in minutes.\n"),
    );
    let change = events.change();
    assert_eq!(
        change["pages"],
        serde_json::json!(["/articles/dexa/"]),
        "{change}"
    );
    change
}

/// Each change tells open pages which pages changed, so each fetches only
/// itself, and after a save of one content file, which page to follow;
/// a save of a template or `site.toml` (or data: the same full rebuild)
/// is followed nowhere.
#[test]
fn a_change_names_the_pages_it_changed_and_the_page_to_follow() {
    let site = small_site();
    site.write("static/a.png", "\u{89}PNG one");
    let server = Server::start(&site);
    let mut events = Events::open(server.addr);

    let change = save_dexa(&site, &mut events);
    assert_eq!(change["follow"], "/articles/dexa/", "{change}");
    assert_eq!(change["all"], false, "{change}");
    assert_eq!(change["reload"], false, "{change}");
    assert_eq!(change["errors"], 0, "{change}");

    // A glossary entry's page is followed too; the pages showing its
    // summary change with it.
    site.write(
        "glossary/calcium.md",
        "+++\nterm = \"Calcium\"\nsummary = \"A mineral in bones and teeth.\"\n+++\n\nUsed in [bones](../articles/bones.md).\n",
    );
    let change = events.change();
    assert_eq!(change["follow"], "/glossary/calcium/", "{change}");
    let pages = change["pages"].as_array().unwrap();
    assert!(pages.contains(&"/articles/bones/".into()), "{change}");

    for (path, text) in [
        (
            "templates/partials/breadcrumbs.html",
            "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a href=\"{{ site.base_path }}\">Home</a></nav>\n",
        ),
        (
            "site.toml",
            &crate::support::SITE_TOML.replace("Test site", "Test site, renamed"),
        ),
    ] {
        site.write(path, text);
        let change = events.change();
        assert!(change.get("follow").is_none(), "{path}: {change}");
    }

    // A picture the pages load: they reload in full to show it.
    site.write("static/a.png", "\u{89}PNG two");
    let change = events.change();
    assert_eq!(change["reload"], true, "{change}");

    // A broken save: every page shows the overlay.
    site.write(
        "articles/dexa.md",
        &format!("{ARTICLE}\n[gone](nowhere.md)\n"),
    );
    let change = events.change();
    assert_eq!(change["all"], true, "{change}");
    assert_eq!(change["errors"], 1, "{change}");
}

#[test]
fn with_no_follow_no_change_names_a_page_to_follow() {
    let site = small_site();
    let server = Server::start_with(&site, |config| config.follow = false);
    let mut events = Events::open(server.addr);
    let change = save_dexa(&site, &mut events);
    assert!(change.get("follow").is_none(), "{change}");
}

/// A way to save a file, by name.
type Save<'a> = (&'static str, &'a dyn Fn(&str));

/// Editors save in more than one step. Each step starts a rebuild at once,
/// so one catches the file cut short or missing; its errors wait for the
/// rest of the save and are never shown.
#[test]
fn a_save_in_two_steps_never_shows_an_error() {
    let site = small_site();
    // Longer than `SETTLE`: on a loaded machine the second step of a save
    // can come later than 50 ms after the first.
    let settle = Duration::from_millis(300);
    let server = Server::start_with(&site, |config| config.settle = settle);
    let mut events = Events::open(server.addr);
    let path = site.path().join("articles/bones.md");
    let text = |n: usize| {
        format!(
            "{ARTICLE}\n## Strong bones\n\nSaved in steps, {n} times. See [calcium](../glossary/calcium.md).\n"
        )
    };
    let styles: [Save; 3] = [
        ("truncate, then write", &|text| {
            let mut file = std::fs::File::create(&path).unwrap();
            std::thread::sleep(Duration::from_millis(5));
            file.write_all(text.as_bytes()).unwrap();
        }),
        ("write a temporary file, then rename it", &|text| {
            let temporary = path.with_extension("md.tmp1234");
            std::fs::write(&temporary, text).unwrap();
            std::fs::rename(&temporary, &path).unwrap();
        }),
        ("rename to a backup, then write", &|text| {
            std::fs::rename(&path, path.with_extension("md~")).unwrap();
            std::thread::sleep(Duration::from_millis(5));
            std::fs::write(&path, text).unwrap();
        }),
    ];
    for (n, (style, save)) in styles.iter().enumerate() {
        let seen = events.changes().len();
        let text = text(n);
        save(&text);
        server.wait_for("/articles/bones/", style, |r| {
            r.text().contains(&format!("Saved in steps, {n} times."))
        });
        events.linger(settle * 2);
        let changes = events.changes().split_off(seen);
        let errors: Vec<_> = changes.iter().filter(|c| c["errors"] != 0).collect();
        assert!(errors.is_empty(), "{style}: {errors:?}");
        // The save is the article's alone, and the tab follows it.
        assert!(
            changes.iter().any(|c| c["follow"] == "/articles/bones/"),
            "{style}: {changes:?}"
        );
    }
}
