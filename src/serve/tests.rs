//! Tests of `serve`'s request paths, live script, overlay, watch filter and
//! the rebuild loop.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::http::request_path;
use super::overlay::inject;
use super::watch::{Filter, Step, Waits, each_batch};
use super::*;
use crate::diagnostic::SourceMap;

#[test]
fn request_paths_that_leave_the_site_are_refused() {
    for bad in [
        "/../Cargo.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/site.toml",
        "/articles/..%2f..%2fsite.toml",
        "/articles/%2e%2e%2f%2e%2e%2fsite.toml",
        "/a/./b",
        "//etc/passwd",
        "/a%5c..%5csite.toml",
        "/a%00",
        "/%zz",
        "/%2",
        "/%ff",
        "relative",
    ] {
        assert_eq!(request_path(bad), None, "{bad}");
    }
    assert_eq!(request_path("/").as_deref(), Some("/"));
    assert_eq!(
        request_path("/articles/x/").as_deref(),
        Some("/articles/x/")
    );
    assert_eq!(
        request_path("/my%20file.pdf").as_deref(),
        Some("/my file.pdf")
    );
    assert_eq!(request_path("/a..b/").as_deref(), Some("/a..b/"));
}

#[test]
fn the_script_listens_where_the_server_sends() {
    assert!(LIVE_JS.contains(&format!("\"{EVENTS_PATH}\"")));
}

#[test]
fn the_script_goes_before_the_last_closing_body() {
    let page = b"<p></body>x<p>end</body></html>";
    assert_eq!(
        inject(page, "<s>"),
        b"<p></body>x<p>end<s></body></html>".to_vec()
    );
    assert_eq!(inject(b"<p>", "<s>"), b"<p><s>".to_vec());
}

#[test]
fn the_overlay_escapes_everything() {
    let mut sources = SourceMap::default();
    sources.insert("articles/<x>.md", "+++\ntitle = \"<script>\"\n+++\n");
    let d = Diagnostic::error(
        crate::diagnostic::Code::FrontMatter,
        "articles/<x>.md",
        12..20,
        "unknown key `<script>`",
    )
    .with_hint("did you mean \"title\" & co?");
    let html = overlay(&[d], &sources);
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("articles/&lt;x&gt;.md:2:9"), "{html}");
    assert!(html.contains("unknown key `&lt;script&gt;`"), "{html}");
    assert!(html.contains("&quot;title&quot; &amp; co?"), "{html}");
    assert!(
        html.contains("2 | title = &quot;&lt;script&gt;&quot;"),
        "{html}"
    );
    assert!(overlay(&[], &sources).is_empty());
}

#[test]
fn swap_files_hidden_folders_and_the_output_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        root: dir.path().to_path_buf(),
        ..Options::default()
    };
    let filter = Filter::new(&options).unwrap();
    let root = &filter.root;
    for ignored in [
        "public/index.html",
        "public",
        "target/debug/x",
        ".git/index",
        "articles/.bones.md.swp",
        "articles/bones.md~",
        "articles/bones.md.swp",
        "themes/.hidden/x.html",
        "",
    ] {
        assert_eq!(filter.relevant(&root.join(ignored)), None, "{ignored}");
    }
    assert_eq!(
        filter.relevant(&root.join("articles/bones.md")),
        Some(PathBuf::from("articles/bones.md"))
    );
    assert_eq!(filter.relevant(Path::new("/elsewhere/x.md")), None);
}

/// What the rebuild loop handed over: a batch of paths, or `None` to
/// publish what it held back.
type Calls = Vec<Option<Vec<PathBuf>>>;

/// Runs the rebuild loop on its own thread; `rebuild` answers whether it
/// holds back (and may wait for the test). Returns the calls once `feed`
/// has sent everything and dropped the sender.
fn batches(
    waits: Waits,
    mut rebuild: impl FnMut(&Option<Vec<PathBuf>>) -> bool + Send + 'static,
    feed: impl FnOnce(std::sync::mpsc::Sender<Vec<(PathBuf, Step)>>),
) -> Calls {
    let (sender, receiver) = std::sync::mpsc::channel();
    let looping = std::thread::spawn(move || {
        let mut calls = Calls::new();
        each_batch(&receiver, waits, |batch| {
            let held = rebuild(&batch);
            calls.push(batch);
            held
        });
        calls
    });
    feed(sender);
    looping.join().unwrap()
}

fn waits(settle_ms: u64, close_ms: u64) -> Waits {
    Waits {
        settle: Duration::from_millis(settle_ms),
        close: Duration::from_millis(close_ms),
    }
}

fn done(name: &str) -> Vec<(PathBuf, Step)> {
    vec![(name.into(), Step::Done)]
}

fn paths(names: &[&str]) -> Option<Vec<PathBuf>> {
    Some(names.iter().map(PathBuf::from).collect())
}

#[test]
fn the_first_change_rebuilds_at_once_and_those_meanwhile_make_one_more() {
    let (started, is_started) = std::sync::mpsc::channel();
    let (sent, were_sent) = std::sync::mpsc::channel::<()>();
    let calls = batches(
        waits(20, 20),
        move |_| {
            // The first rebuild lasts until the test has saved three more times.
            let _ = started.send(());
            let _ = were_sent.recv();
            false
        },
        move |sender| {
            sender.send(done("articles/a.md")).unwrap();
            is_started.recv_timeout(Duration::from_secs(10)).unwrap();
            for name in ["articles/b.md", "articles/a.md", "data/c.toml"] {
                sender.send(done(name)).unwrap();
            }
            sent.send(()).unwrap();
        },
    );
    assert_eq!(
        calls,
        [
            paths(&["articles/a.md"]),
            paths(&["articles/a.md", "articles/b.md", "data/c.toml"]),
        ]
    );
}

#[test]
fn a_held_rebuild_waits_for_the_rest_of_the_save_or_is_published() {
    // The rest of the save comes within the settle time: nothing is published
    // but by the rebuild after it.
    let (started, is_started) = std::sync::mpsc::channel();
    let calls = batches(
        waits(10_000, 10_000),
        move |batch| {
            let _ = started.send(());
            batch == &paths(&["articles/a.md"])
        },
        |sender| {
            sender.send(done("articles/a.md")).unwrap();
            is_started.recv_timeout(Duration::from_secs(10)).unwrap();
            sender.send(done("articles/b.md")).unwrap();
            is_started.recv_timeout(Duration::from_secs(10)).unwrap();
        },
    );
    assert_eq!(
        calls,
        [paths(&["articles/a.md"]), paths(&["articles/b.md"])]
    );

    // No more changes: after the settle time the held errors are published.
    let (published, is_published) = std::sync::mpsc::channel();
    let calls = batches(
        waits(20, 20),
        move |batch| {
            if batch.is_none() {
                let _ = published.send(());
            }
            batch.is_some()
        },
        |sender| {
            sender.send(done("articles/a.md")).unwrap();
            is_published.recv_timeout(Duration::from_secs(10)).unwrap();
        },
    );
    assert_eq!(calls, [paths(&["articles/a.md"]), None]);
}

#[test]
fn a_file_is_rebuilt_when_it_is_closed_or_after_the_close_wait_if_it_is_not() {
    // Truncated, written, then closed: one rebuild, at the close. A file
    // created and written without a close is rebuilt after the close wait.
    let (rebuilt, was_rebuilt) = std::sync::mpsc::channel();
    let calls = batches(
        waits(10, 50),
        move |_| {
            let _ = rebuilt.send(());
            false
        },
        move |sender| {
            let writing = |name: &str| vec![(PathBuf::from(name), Step::Writing)];
            sender.send(writing("articles/a.md")).unwrap();
            std::thread::sleep(Duration::from_millis(5));
            sender.send(writing("articles/a.md")).unwrap();
            sender.send(done("articles/a.md")).unwrap();
            was_rebuilt.recv_timeout(Duration::from_secs(10)).unwrap();
            sender.send(writing("articles/b.md")).unwrap();
            was_rebuilt.recv_timeout(Duration::from_secs(10)).unwrap();
        },
    );
    assert_eq!(
        calls,
        [paths(&["articles/a.md"]), paths(&["articles/b.md"])]
    );
}

#[test]
fn held_errors_wait_while_a_file_is_being_written() {
    // A rebuild catches the article renamed aside and holds its errors; the
    // new file is opened and written, slowly: the errors are not published
    // after the settle time, since the rest of the save is under way.
    let (started, is_started) = std::sync::mpsc::channel();
    let calls = batches(
        waits(10, 10_000),
        move |batch| {
            let _ = started.send(());
            batch == &paths(&["articles/a.md"])
        },
        move |sender| {
            sender.send(done("articles/a.md")).unwrap();
            is_started.recv_timeout(Duration::from_secs(10)).unwrap();
            sender
                .send(vec![("articles/a.md".into(), Step::Writing)])
                .unwrap();
            std::thread::sleep(Duration::from_millis(60));
            sender.send(done("articles/a.md")).unwrap();
            is_started.recv_timeout(Duration::from_secs(10)).unwrap();
        },
    );
    assert_eq!(
        calls,
        [paths(&["articles/a.md"]), paths(&["articles/a.md"])]
    );
}
