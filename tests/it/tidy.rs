//! Tidy: the pipeline's boundaries, checked on the text of `src/`, as
//! rust-analyzer's tidy test checks its habits.
//!
//! - `tera` is named only by the render stage: `render.rs` and its
//!   `render/` folder (`minify.rs` there prepares the templates it loads).
//! - Only `write.rs` writes, creates, renames or removes files and folders.
//! - Only `load.rs` reads the site folder. Reading means learning what is on
//!   disk: a file's bytes, a folder's entries, whether a path exists or is a
//!   file or a folder, where it leads (`canonicalize`). Every such call
//!   counts, whatever folder it is given, since the text cannot tell which;
//!   the few that are not of the site are allowed by name in `READS_ALLOWED`,
//!   each with its reason.
//!
//! Comments, strings and character literals are blanked before the scan, so
//! a doc comment about `fs::write` is no violation. `#[cfg(test)]` items,
//! and module files declared under one, are exempt from the file-system
//! rules: tests read the repository's own fixtures and write temporary folders.
//! Watching (notify, in `serve`) is no read: it is told of changes and asks
//! `load` for the files.

use std::collections::BTreeSet;
use std::path::Path;

/// The render stage's files, the only ones that may name `tera`: a path, or
/// a folder ending in `/`.
const RENDER_STAGE: &[&str] = &["src/render.rs", "src/render/"];

/// The one writer: a file, and its folder of children.
const WRITER: &[&str] = &["src/write.rs", "src/write/"];

fn in_stage(stage: &[&str], path: &str) -> bool {
    stage
        .iter()
        .any(|r| path == *r || (r.ends_with('/') && path.starts_with(r)))
}

/// The one reader of the site folder.
const READER: &str = "src/load.rs";

/// Reads outside `load.rs`: (file, call or `*` for every read, why).
const READS_ALLOWED: &[(&str, &str, &str)] = &[
    (
        "src/write.rs",
        "*",
        "reads only what it writes: the output folder (bytes compared before a write, \
         entries listed to remove stale files), its record beside it, and the folders \
         `new` and `init` create files in (which must not be overwritten)",
    ),
    (
        "src/write/stage.rs",
        "*",
        "reads only what it writes: the output folder (bytes compared before a file is \
         staged) and its own staging folder beside it",
    ),
    (
        "src/write/fingerprint.rs",
        "*",
        "reads only what it writes, the output folder (its entries' sizes and times) and \
         its record beside it, and of the system only the running osteon binary's size \
         and date and Linux's boot id",
    ),
    (
        "src/serve/watch.rs",
        "canonicalize",
        "names the site and output folders as the watcher reports paths, to tell \
         which changes matter; it reads no file or folder listing",
    ),
];

/// `fs::NAME` items that write.
const FS_WRITES: &[&str] = &[
    "write",
    "create_dir",
    "create_dir_all",
    "remove_file",
    "remove_dir",
    "remove_dir_all",
    "rename",
    "copy",
    "hard_link",
    "soft_link",
    "symlink",
    "symlink_file",
    "symlink_dir",
    "set_permissions",
    "OpenOptions",
];

/// `fs::NAME` items that read.
const FS_READS: &[&str] = &[
    "read",
    "read_to_string",
    "read_dir",
    "read_link",
    "metadata",
    "symlink_metadata",
    "canonicalize",
    "exists",
];

/// `fs::NAME` items that are types, whose use is caught by their calls
/// (`File::open`, `.metadata()`), and unix's `fs::MetadataExt`, whose
/// methods read a `Metadata` already read.
const FS_TYPES: &[&str] = &[
    "File",
    "DirEntry",
    "FileType",
    "Metadata",
    "MetadataExt",
    "Permissions",
    "ReadDir",
];

/// Methods of `Path` (and of `DirEntry`, `FileType`, `Metadata`) that ask
/// the disk, all called with no argument.
const PATH_READS: &[&str] = &[
    "exists",
    "try_exists",
    "is_dir",
    "is_file",
    "is_symlink",
    "metadata",
    "symlink_metadata",
    "canonicalize",
    "read_dir",
    "read_link",
];

#[test]
fn src_keeps_the_pipeline_boundaries() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs") {
            let rel = entry.path().strip_prefix(&src).unwrap();
            let path = format!("src/{}", rel.to_string_lossy().replace('\\', "/"));
            files.push((path, std::fs::read_to_string(entry.path()).unwrap()));
        }
    }
    assert!(files.len() > 10, "src/ was not found: {files:?}");
    let found = violations(&files);
    assert!(
        found.is_empty(),
        "the pipeline's boundaries are crossed (see tests/it/tidy.rs):\n{}",
        found.join("\n")
    );
}

/// Every violation in `files` (path from the repository root, text), as
/// `path:line: message`.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let stripped: Vec<(&str, String)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), strip(text)))
        .collect();
    let tests = test_only_files(&stripped);
    let mut found = Vec::new();
    for (path, code) in &stripped {
        let fs_exempt = tests.contains(*path);
        check(path, code, fs_exempt, &mut found);
    }
    found
}

/// Checks one file's stripped text.
fn check(path: &str, code: &str, test_only: bool, found: &mut Vec<String>) {
    let test_code = test_ranges(code);
    let in_render = in_stage(RENDER_STAGE, path);
    for (start, ident) in idents(code) {
        let end = start + ident.len();
        let line = code[..start].matches('\n').count() + 1;
        let mut report = |message: String| found.push(format!("{path}:{line}: {message}"));
        if (ident == "tera" || ident == "Tera") && !in_render {
            report(format!(
                "`{ident}` outside the render stage ({}): only render knows the template engine",
                RENDER_STAGE.join(", ")
            ));
        }
        if test_only || test_code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let next = next_token(code, end);
        let after_path = next.strip_prefix("::").map(str::trim_start);
        let prev = code[..start].trim_end();
        // The disk's methods take no argument: `files.exists(page)` asks an index.
        let is_method = prev.ends_with('.')
            && next
                .strip_prefix('(')
                .is_some_and(|args| args.trim_start().starts_with(')'));
        let kind = match (ident, after_path) {
            ("fs", Some(rest)) if rest.starts_with('{') => Some(Err(
                "`fs::{…}` imports: name each call by its path (`fs::write`) so tidy can see it"
                    .to_string(),
            )),
            ("fs", Some(rest)) => {
                let item = leading_ident(rest);
                if FS_WRITES.contains(&item) {
                    Some(Ok((Access::Write, format!("fs::{item}"))))
                } else if FS_READS.contains(&item) {
                    Some(Ok((Access::Read, format!("fs::{item}"))))
                } else if FS_TYPES.contains(&item) {
                    None
                } else {
                    Some(Err(format!(
                        "`fs::{item}` is not known to tidy: add it to FS_WRITES, FS_READS or FS_TYPES"
                    )))
                }
            }
            ("File", Some(rest)) => match leading_ident(rest) {
                "open" => Some(Ok((Access::Read, "File::open".to_string()))),
                item => Some(Ok((Access::Write, format!("File::{item}")))),
            },
            ("OpenOptions", _) => Some(Ok((Access::Write, ident.to_string()))),
            ("WalkDir" | "walkdir", _) => Some(Ok((Access::Read, ident.to_string()))),
            (method, _) if is_method && PATH_READS.contains(&method) => {
                Some(Ok((Access::Read, format!(".{method}()"))))
            }
            _ => None,
        };
        match kind {
            None => {}
            Some(Err(message)) => report(message),
            Some(Ok((Access::Write, call))) if !in_stage(WRITER, path) => report(format!(
                "`{call}` writes to the disk outside write.rs: add a function to write.rs and call it"
            )),
            Some(Ok((Access::Read, call))) if path != READER && !read_allowed(path, &call) => {
                report(format!(
                    "`{call}` reads the disk outside load.rs: ask load.rs, the only reader of the \
                     site folder (or, if this reads no site file, allow it in READS_ALLOWED and say why)"
                ))
            }
            Some(Ok(_)) => {}
        }
    }
}

#[derive(Clone, Copy)]
enum Access {
    Read,
    Write,
}

fn read_allowed(path: &str, call: &str) -> bool {
    let name = call
        .trim_start_matches("fs::")
        .trim_matches(['.', '(', ')']);
    READS_ALLOWED
        .iter()
        .any(|(file, allowed, _)| *file == path && (*allowed == "*" || *allowed == name))
}

/// The text with every comment replaced by spaces, and every string and
/// character literal too but its first character, so `f("x")` still shows an
/// argument. Newlines are kept, so lines still count.
fn strip(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if bytes[i..].starts_with(b"//") {
            let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
        } else if bytes[i..].starts_with(b"/*") {
            let mut depth = 0;
            let mut j = i;
            while j < bytes.len() {
                if bytes[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if bytes[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if b == b'"' {
            let end = string_end(bytes, i + 1);
            blank(&mut out, i + 1, end);
            i = end;
        } else if b == b'\'' {
            i = match char_literal_end(text, i) {
                Some(end) => {
                    blank(&mut out, i + 1, end);
                    end
                }
                // A lifetime or a label.
                None => i + 1,
            };
        } else if is_ident_start(b) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            let word = &text[start..i];
            if matches!(word, "r" | "br" | "cr") {
                let hashes = bytes[i..].iter().take_while(|&&c| c == b'#').count();
                if bytes.get(i + hashes) == Some(&b'"') {
                    let close = format!("\"{}", "#".repeat(hashes));
                    let body = i + hashes + 1;
                    let end = text[body..]
                        .find(&close)
                        .map_or(bytes.len(), |n| body + n + close.len());
                    blank(&mut out, start + 1, end);
                    i = end;
                }
            } else if matches!(word, "b" | "c") && bytes.get(i) == Some(&b'"') {
                let end = string_end(bytes, i + 1);
                blank(&mut out, start + 1, end);
                i = end;
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).expect("only whole characters are blanked")
}

/// Where a `"…"` string whose text starts at `i` ends, past its quote.
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Where the character literal at `i` (a `'`) ends, or `None` for a lifetime.
fn char_literal_end(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i + 1..];
    if let Some(escape) = rest.strip_prefix('\\') {
        // `'\n'`, `'\''`, `'\u{E000}'`: the escape, then the closing quote.
        let skip = 1 + escape.chars().next()?.len_utf8();
        return rest[skip..].find('\'').map(|n| i + 1 + skip + n + 1);
    }
    let c = rest.chars().next()?;
    rest[c.len_utf8()..]
        .starts_with('\'')
        .then(|| i + 1 + c.len_utf8() + 1)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every identifier of stripped code, with its offset.
fn idents(code: &str) -> Vec<(usize, &str)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if is_ident_start(bytes[i]) && (i == 0 || !is_ident(bytes[i - 1])) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            found.push((start, &code[start..i]));
        } else {
            i += 1;
        }
    }
    found
}

/// The code from `at` on, after any spaces.
fn next_token(code: &str, at: usize) -> &str {
    code[at..].trim_start()
}

fn leading_ident(text: &str) -> &str {
    let end = text
        .bytes()
        .position(|b| !is_ident(b))
        .unwrap_or(text.len());
    &text[..end]
}

/// The byte ranges of `#[cfg(test)]` items: from the attribute to the end of
/// the item, its first `;` or the close of its first `{…}` outside brackets.
fn test_ranges(code: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = code.as_bytes();
    let mut ranges = Vec::new();
    for (start, _) in code.match_indices("#[cfg(test)]") {
        let mut depth = 0i32;
        let mut end = bytes.len();
        for (j, &b) in bytes.iter().enumerate().skip(start + "#[cfg(test)]".len()) {
            match b {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    end = j + 1;
                    break;
                }
                _ => {}
            }
        }
        ranges.push(start..end);
    }
    ranges
}

/// Files that are modules declared under `#[cfg(test)]` (`mod tests;`), and
/// the modules those declare in turn.
fn test_only_files<'a>(files: &[(&'a str, String)]) -> BTreeSet<&'a str> {
    let mut test_only = BTreeSet::new();
    loop {
        let before = test_only.len();
        for (path, code) in files {
            let whole_file = test_only.contains(path);
            let ranges = test_ranges(code);
            for (start, name) in module_files(code) {
                if whole_file || ranges.iter().any(|r| r.contains(&start)) {
                    let dir = module_dir(path);
                    for candidate in [format!("{dir}{name}.rs"), format!("{dir}{name}/mod.rs")] {
                        if let Some((p, _)) = files.iter().find(|(p, _)| *p == candidate) {
                            test_only.insert(*p);
                        }
                    }
                }
            }
        }
        if test_only.len() == before {
            return test_only;
        }
    }
}

/// `mod NAME;` declarations: their offsets and names.
fn module_files(code: &str) -> Vec<(usize, &str)> {
    let words = idents(code);
    words
        .windows(2)
        .filter(|w| w[0].1 == "mod" && next_token(code, w[1].0 + w[1].1.len()).starts_with(';'))
        .map(|w| (w[0].0, w[1].1))
        .collect()
}

/// The folder a file's `mod NAME;` looks in, with a trailing `/`.
fn module_dir(path: &str) -> String {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    match file {
        "lib.rs" | "main.rs" | "mod.rs" => format!("{dir}/"),
        _ => format!("{dir}/{}/", file.trim_end_matches(".rs")),
    }
}

/// The scanner itself, on fixtures: each rule can fail.
fn scan(path: &str, text: &str) -> Vec<String> {
    violations(&[(path.to_string(), text.to_string())])
}

#[test]
fn comments_strings_and_characters_are_not_code() {
    let text = r##"
//! Only `render` knows tera; `fs::write` is write.rs's.
/// Calls `std::fs::read_to_string(path)` and `Path::is_dir()`.
/* a block /* nested */ std::fs::write("x", "y") */
fn f<'a>(s: &'a str) -> &'a str {
let _ = "std::fs::write(\"quoted\") and tera";
let _ = r#"WalkDir::new(".") "fs::read" "#;
let _ = b"fs::remove_file";
let _ = ['"', '\'', '\u{E000}', 'x'];
let _ = "a string after the characters: fs::rename";
// An index of the site's files, in memory: a method with an argument.
let _ = files.exists("pages/about.md");
s
}
"##;
    assert_eq!(scan("src/parse.rs", text), Vec::<String>::new());
}

#[test]
fn each_rule_names_file_and_line() {
    let text = "use std::fs;\n\
                fn f(p: &Path) {\n\
                \x20   let t = tera::Tera::default();\n\
                \x20   std::fs::write(p, \"x\").unwrap();\n\
                \x20   let _ = fs::read_to_string(p);\n\
                \x20   if p.is_dir() {}\n\
                \x20   for e in walkdir::WalkDir::new(p) {}\n\
                \x20   let _ = File::create(p);\n\
                \x20   let _ = fs::File::open(p);\n\
                }\n";
    let found = scan("src/parse.rs", text);
    let at: Vec<&str> = found
        .iter()
        .map(|v| v.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            "src/parse.rs:3", // tera
            "src/parse.rs:3", // Tera
            "src/parse.rs:4", // fs::write
            "src/parse.rs:5", // fs::read_to_string
            "src/parse.rs:6", // .is_dir()
            "src/parse.rs:7", // walkdir
            "src/parse.rs:7", // WalkDir
            "src/parse.rs:8", // File::create
            "src/parse.rs:9", // File::open
        ],
        "{found:#?}"
    );
    assert!(found[2].contains("`fs::write` writes"), "{}", found[2]);
    assert!(
        found[3].contains("`fs::read_to_string` reads"),
        "{}",
        found[3]
    );
    assert!(found[7].contains("`File::create` writes"), "{}", found[7]);
}

#[test]
fn the_reader_the_writer_and_render_have_their_own_rights() {
    let reads = "fn f(p: &Path) { let _ = std::fs::read(p); let _ = p.exists(); }\n";
    let writes = "fn f(p: &Path) { std::fs::write(p, b\"\").unwrap(); }\n";
    let tera = "use tera::Tera;\n";
    assert!(scan("src/load.rs", reads).is_empty());
    assert_eq!(scan("src/load.rs", writes).len(), 1);
    assert!(scan("src/write.rs", writes).is_empty());
    assert!(
        scan("src/write.rs", reads).is_empty(),
        "write reads its output"
    );
    assert_eq!(scan("src/serve/watch.rs", reads).len(), 2);
    let canonical = "fn f(p: &Path) { let _ = p.canonicalize(); }\n";
    assert!(scan("src/serve/watch.rs", canonical).is_empty());
    assert_eq!(scan("src/serve.rs", canonical).len(), 1);
    assert_eq!(scan("src/project.rs", canonical).len(), 1);
    assert!(scan("src/render.rs", tera).is_empty());
    assert!(scan("src/render/pages.rs", tera).is_empty());
    assert!(scan("src/render/minify.rs", tera).is_empty());
    assert_eq!(scan("src/renderer.rs", tera).len(), 2);
    assert_eq!(scan("src/write.rs", tera).len(), 2);
}

#[test]
fn unknown_fs_items_and_grouped_imports_are_refused() {
    let found = scan(
        "src/url.rs",
        "use std::fs::{self, File};\nfn f() { fs::exotic(); }\n",
    );
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("src/url.rs:1: `fs::{…}`"),
        "{}",
        found[0]
    );
    assert!(
        found[1].starts_with("src/url.rs:2: `fs::exotic`"),
        "{}",
        found[1]
    );
}

#[test]
fn test_code_may_touch_the_disk_but_not_tera() {
    let text = "fn f() {}\n\
                #[cfg(test)]\n\
                mod tests {\n\
                \x20   fn g() { let _ = std::fs::read_to_string(\"x\"); if true {} }\n\
                }\n\
                fn h() { let _ = std::fs::read(\"y\"); }\n";
    assert_eq!(
        scan("src/data.rs", text),
        [
            "src/data.rs:6: `fs::read` reads the disk outside load.rs: ask load.rs, the only reader \
          of the site folder (or, if this reads no site file, allow it in READS_ALLOWED and say why)"
        ]
    );
    let files = [
        (
            "src/verify.rs".to_string(),
            "#[cfg(test)]\nmod tests;\nmod html;\n".to_string(),
        ),
        (
            "src/verify/tests.rs".to_string(),
            "mod more;\nfn t() { std::fs::read(\"x\"); }\n".to_string(),
        ),
        (
            "src/verify/tests/more.rs".to_string(),
            "fn t() { std::fs::write(\"x\", \"\"); let _ = tera::Tera::default(); }\n".to_string(),
        ),
        (
            "src/verify/html.rs".to_string(),
            "fn t() { std::fs::read(\"x\"); }\n".to_string(),
        ),
    ];
    let found = violations(&files);
    let at: Vec<&str> = found
        .iter()
        .map(|v| v.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            "src/verify/tests/more.rs:1",
            "src/verify/tests/more.rs:1",
            "src/verify/html.rs:1",
        ],
        "{found:#?}"
    );
}
