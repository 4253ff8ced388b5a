//! Drafts: left out unless asked for; `--drafts` previews them with a banner
//! and `noindex`, keeps them out of the sitemap and the feed, and `check
//! --drafts` checks what `build --drafts` builds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use crate::support::{ARTICLE, Site};

fn draft(body: &str) -> String {
    let front = ARTICLE
        .replace("title = \"A\"", "title = \"Coming soon\"")
        .replace("topics", "draft = true\ntopics");
    format!("{front}\n{body}\n")
}

fn site() -> Site {
    Site::new(&format!(
        "//- articles/published.md\n{ARTICLE}\nText.\n//- articles/soon.md\n{}",
        draft("Text.")
    ))
}

/// The `<head>` of a page.
fn head(html: &str) -> &str {
    &html[..html.find("</head>").unwrap()]
}

#[test]
fn a_draft_built_with_drafts_has_a_banner_and_noindex_and_is_in_no_sitemap_or_feed() {
    let site = site();
    site.build().success();
    assert!(!site.path().join("public/articles/soon").exists());
    let plain: Vec<(String, Vec<u8>)> = site.snapshot_output();

    site.run(&["build", "--drafts"]).success();
    let soon = site.read("public/articles/soon/index.html");
    assert!(
        soon.contains("<strong>Draft:</strong> this page is a preview."),
        "{soon}"
    );
    assert!(head(&soon).contains("noindex"), "{soon}");
    let published = site.read("public/articles/published/index.html");
    assert!(!published.contains("Draft:") && !head(&published).contains("noindex"));
    for machine in ["sitemap.xml", "atom.xml"] {
        let text = site.read(&format!("public/{machine}"));
        assert!(text.contains("/articles/published/"), "{text}");
        assert!(
            !text.contains("/articles/soon/"),
            "{machine} lists the draft"
        );
    }
    // Previewed, the draft is listed on the site itself.
    assert!(site.read("public/index.html").contains("/articles/soon/"));

    // Without --drafts nothing changes.
    site.build().success();
    assert_eq!(site.snapshot_output(), plain);
}

#[test]
fn check_with_drafts_reports_what_build_with_drafts_reports() {
    let site = Site::new(&format!(
        "//- articles/published.md\n{ARTICLE}\nText.\n//- articles/soon.md\n{}",
        draft("See [the missing page](missing.md).")
    ));
    assert_eq!(site.check_json(), []);
    site.build().success();
    let json = site.run(&["check", "--drafts", "--format", "json"]);
    json.failure();
    let check = site.run(&["check", "--drafts"]);
    check.failure();
    assert!(
        check.stderr.contains("--> articles/soon.md:10:5"),
        "{}",
        check.stderr
    );
    let build = site.run(&["build", "--drafts"]);
    build.failure();
    assert_eq!(build.stderr, check.stderr);
}

/// `GET path` from a server on `addr`: the status and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

/// Runs `osteon serve` with `flags` until `test` has asked it what it needs.
fn serving(site: &Site, flags: &[&str], test: impl FnOnce(&str)) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(["serve", "--port", "0"])
        .args(flags)
        .arg("--root")
        .arg(site.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("serving http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .trim_end_matches('/')
        .to_string();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&addr)));
    child.kill().unwrap();
    child.wait().unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn serve_with_drafts_previews_them() {
    let site = site();
    serving(&site, &["--drafts"], |addr| {
        let (status, body) = get(addr, "/articles/soon/");
        assert_eq!(status, 200);
        assert!(body.contains("<strong>Draft:</strong>"), "{body}");
    });
    serving(&site, &[], |addr| {
        assert_eq!(get(addr, "/articles/soon/").0, 404);
        assert_eq!(get(addr, "/articles/published/").0, 200);
    });
}
