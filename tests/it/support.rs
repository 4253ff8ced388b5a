//! Fixture sites from strings, and running the binary over them.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// A site written from a fixture: `//- path` lines start each file.
pub struct Site {
    pub dir: TempDir,
}

/// Front matter of a valid article, for fixtures that need one quickly.
pub const ARTICLE: &str = "+++\ntitle = \"A\"\ndescription = \"D.\"\nreviewed = 2026-10-01\nreview_due = 2027-10-01\ntopics = [\"bones\"]\n+++\n";

pub const SITE_TOML: &str = "title = \"Test site\"\nbase_url = \"https://example.org/\"\nlanguage = \"en-GB\"\nnotice = \"For education only.\"\n";

impl Site {
    /// Writes the fixture. Unless it has its own `site.toml`, the default
    /// one is added, so a fixture holds only what its test is about. The
    /// theme is the one built into osteon.
    pub fn new(fixture: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let mut has_config = false;
        for (path, text) in files(fixture) {
            has_config |= path == "site.toml";
            write(&dir.path().join(&path), &text);
        }
        if !has_config {
            write(&dir.path().join("site.toml"), SITE_TOML);
        }
        // Most fixtures stand for a whole site, so they get the two pages
        // every site should have (the theme's menus link to them when they exist).
        for page in ["about", "accessibility"] {
            let path = dir.path().join(format!("pages/{page}.md"));
            if !path.exists() {
                write(
                    &path,
                    &format!("+++\ntitle = \"{page}\"\ndescription = \"D.\"\n+++\n\nText.\n"),
                );
            }
        }
        Site { dir }
    }

    /// Copies the built-in theme's source to `themes/NAME/`, as a publisher
    /// starting a theme of their own would.
    pub fn copy_default_theme(&self, name: &str) {
        copy_dir(
            &repo().join("themes/default"),
            &self.path().join("themes").join(name),
        );
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, text: &str) {
        write(&self.path().join(path), text);
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Runs `osteon ARGS --root SITE`.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// Runs `osteon ARGS --root SITE` with extra environment variables.
    ///
    /// Every `check` of the suite is differential: `build` with the same
    /// flags (into a folder of its own, so the site is left as it was) must
    /// report the same diagnostics, since a site that passes `check` and
    /// fails `build` is a bug.
    #[track_caller]
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let run = self.osteon(args, env);
        let differential = args.first() == Some(&"check")
            && !args.iter().any(|a| matches!(*a, "--format" | "--external"));
        if differential {
            let out = tempfile::tempdir().unwrap();
            let out = out.path().join("public");
            let mut build = vec!["build", "--output", out.to_str().unwrap()];
            build.extend(&args[1..]);
            let built = self.osteon(&build, env);
            assert_eq!(
                diagnostics_text(&run.stderr),
                diagnostics_text(&built.stderr),
                "check and build report differently on this site"
            );
        }
        run
    }

    fn osteon(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_osteon"))
            .args(args)
            .arg("--root")
            .arg(self.path())
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Run::from(output)
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// `check` and `build` with the same `flags`: both fail and print the
    /// same diagnostics, as the contract says. Returns both runs.
    #[track_caller]
    pub fn fail_alike(&self, flags: &[&str]) -> (Run, Run) {
        let check = self.run(&[&["check"][..], flags].concat());
        let build = self.run(&[&["build"][..], flags].concat());
        check.failure();
        build.failure();
        assert_eq!(check.stderr, build.stderr);
        (check, build)
    }

    /// `check --format json`, as `(code, file, line, column)` per diagnostic.
    pub fn check_json(&self) -> Vec<(String, String, u64, u64)> {
        self.check_json_messages()
            .into_iter()
            .map(|(code, file, line, column, _)| (code, file, line, column))
            .collect()
    }

    /// `check --format json`, as `(code, file, line, column, message)`.
    pub fn check_json_messages(&self) -> Vec<(String, String, u64, u64, String)> {
        json_diagnostics(&self.run(&["check", "--format", "json"]), "message")
    }

    /// Every file under `public/`, path → bytes, for comparing builds.
    pub fn snapshot_output(&self) -> Vec<(String, Vec<u8>)> {
        let out = self.path().join("public");
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(&out)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(output: std::process::Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub fn failure(&self) -> &Self {
        assert_eq!(
            self.code, 1,
            "expected exit 1:\n{}{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the built-in theme (`templates/article.html`), as its source in
/// the repository holds it: the start of a site's override.
pub fn built_in(path: &str) -> String {
    let path = repo().join("themes/default").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files(fixture: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("//- ") {
            out.push((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
        } else {
            assert!(
                line.trim().is_empty(),
                "fixture text before the first `//- path`: {line}"
            );
        }
    }
    out
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Pieces that mean something to one of the parsers, and characters that
/// have broken them before: Unicode spaces, the private-use characters osteon
/// marks its holes with, a byte-order mark, combining and wide characters.
pub const PIECES: &[&str] = &[
    "# ",
    "## ",
    "### ",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "`",
    "```\n",
    "*",
    "_",
    "|",
    "---\n",
    "[a](b.md)",
    "[t](../glossary/t.md)",
    "[x](#h)",
    "[up](/about/)",
    "![chart](/x.png)",
    "](",
    "[",
    "]",
    "(",
    ")",
    "{#",
    "}",
    "{{ ",
    " }}",
    "{{",
    "}}",
    "data_value(data=\"d\", table=\"t\", row=\"low\")",
    "category_table(data=\"d\", table=\"t\")",
    "data_value(data=\"d\", value=\"v\")",
    "=",
    ",",
    "\"",
    "'",
    "<img src=\"/x.png\">",
    "<a href=\"/about/\">about</a>",
    "<span id=\"h\">",
    "</span>",
    "\u{a0}",
    "\u{2009}",
    "\u{3000}",
    "\u{e000}",
    "\u{e001}",
    "S0",
    "T0",
    "\u{feff}",
    "\u{200d}",
    "e\u{301}",
    "Ö",
    "日本語",
    "🦴",
    "\r\n",
    "--",
    "...",
    "&amp;",
    "<",
    ">",
    "TODO: ",
    "+++",
    "https://example.org/x",
    "click here",
    "\t",
    "\\",
];

/// The diagnostics and their count in the human output of `check` or
/// `build`, without the closing line that only one of them prints, and
/// without how many pages a template problem was seen on: `check` renders a
/// sample of pages, so it names the first page and cannot count the rest.
fn diagnostics_text(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| {
            !l.starts_with("checked ")
                && !l.starts_with("built ")
                && !l.starts_with("note: the previous build")
        })
        .map(without_page_counts)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `l` without ` and N other page(s)` and ` (on N pages)`: `check` renders a
/// sample, so it counts the pages a template's problem is on from fewer.
fn without_page_counts(l: &str) -> String {
    let mut out = l.to_string();
    for (open, closes) in [
        (" and ", &[" other pages", " other page"][..]),
        (" (on ", &[" pages)"]),
    ] {
        let mut from = 0;
        while let Some(found) = out[from..].find(open) {
            let start = from + found;
            let rest = &out[start + open.len()..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            match closes.iter().find(|c| rest[digits..].starts_with(**c)) {
                Some(close) if digits > 0 => {
                    let end = start + open.len() + digits + close.len();
                    out.replace_range(start..end, "");
                }
                _ => from = start + open.len(),
            }
        }
    }
    out
}

/// `(code, file, line, column, FIELD)` of each diagnostic of a JSON run.
pub fn json_diagnostics(run: &Run, field: &str) -> Vec<(String, String, u64, u64, String)> {
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d[field].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A diagnostic as `check_json` lists it.
pub fn d(code: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (code.to_string(), file.to_string(), line, column)
}
