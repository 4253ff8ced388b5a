//! A soak test of the incremental rebuild behind `serve`: a seeded, bounded
//! sequence of random edits, creations, deletions, renames, invalid UTF-8,
//! half-written files and template, data and `site.toml` edits. After every
//! step the project reports what a cold check of the same folder reports, and
//! serves what a cold build produces (or, while the sources have errors, the
//! last good site). A panic anywhere fails the test with the step that made it.

use std::path::{Path, PathBuf};

use osteon::serve::Live;
use osteon::serve::project::Project;
use osteon::{Options, compile, load};

use crate::support::{PIECES, Site};

/// A small, seeded generator: the sequence is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// A few pieces of Markdown, links and hostile characters.
    fn text(&mut self, pieces: usize) -> String {
        let words = ["bone", "calcium", "walk", "risk", "and", "the"];
        (0..self.below(pieces) + 1)
            .map(|_| match self.below(8) {
                0 => self.pick(PIECES).to_string(),
                _ => format!("{} ", self.pick(&words)),
            })
            .collect()
    }
}

const SLUGS: [&str; 4] = ["a", "b", "c", "d"];

fn article(rng: &mut Rng) -> String {
    let links: Vec<String> = (0..rng.below(3))
        .map(|_| {
            let slug = rng.pick(&SLUGS);
            match rng.below(3) {
                0 => format!("[{slug}]({slug}.md)"),
                1 => format!("[{slug}]({slug}.md#start)"),
                _ => format!("[t](../glossary/{slug}.md)"),
            }
        })
        .collect();
    let topic = rng.pick(&["Bones", "bones", "Diet"]);
    let draft = if rng.chance(10) { "draft = true\n" } else { "" };
    format!(
        "+++\ntitle = \"{}\"\ndescription = \"D.\"\nreviewed = 2026-10-01\ntopics = [\"{topic}\"]\n{draft}+++\n\n## Start\n\n{} {}\n",
        rng.pick(&["A", "Bones", "Calcium"]),
        rng.text(8),
        links.join(" ")
    )
}

fn glossary(rng: &mut Rng) -> String {
    format!(
        "+++\nterm = \"{}\"\naliases = [\"{}\"]\nsummary = \"S.\"\n+++\n\n{}\n",
        rng.pick(&["Term", "Bone", "Öl"]),
        rng.pick(&["T", "HRT", "bone"]),
        rng.text(4)
    )
}

/// Writes one random change and returns the paths it touched.
fn step(rng: &mut Rng, root: &Path) -> Vec<String> {
    let content = |rng: &mut Rng| match rng.below(3) {
        0 => format!("glossary/{}.md", rng.pick(&SLUGS)),
        _ => format!("articles/{}.md", rng.pick(&SLUGS)),
    };
    let write = |path: &str, bytes: &[u8]| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let remove = |path: &str| {
        let _ = std::fs::remove_file(root.join(path));
    };
    if rng.chance(12) {
        return repair(root);
    }
    match rng.below(12) {
        0..=3 => {
            let path = content(rng);
            let text = if path.starts_with("glossary") {
                glossary(rng)
            } else {
                article(rng)
            };
            write(&path, text.as_bytes());
            vec![path]
        }
        4 => {
            let path = content(rng);
            remove(&path);
            vec![path]
        }
        5 => {
            // A rename: one file goes, another comes.
            let (from, to) = (content(rng), content(rng));
            let text =
                std::fs::read(root.join(&from)).unwrap_or_else(|_| article(rng).into_bytes());
            remove(&from);
            write(&to, &text);
            vec![from, to]
        }
        6 => {
            // Invalid UTF-8, or a save cut short inside a character.
            let path = content(rng);
            let mut bytes = article(rng).replace("Start", "Stärt").into_bytes();
            if rng.chance(50) {
                bytes.insert(bytes.len() / 2, 0xff);
            } else {
                let cut = rng.below(bytes.len());
                bytes.truncate(cut);
            }
            write(&path, &bytes);
            vec![path]
        }
        7 => {
            // Hostile pieces spliced into a file's front matter.
            let path = content(rng);
            let text =
                article(rng).replacen("description", &format!("{}description", rng.text(3)), 1);
            write(&path, text.as_bytes());
            vec![path]
        }
        8 => {
            let path = "templates/page.html";
            match rng.below(3) {
                0 => remove(path),
                1 => write(path, b"{% extends \"base.html\" %}{% block main %}<h1>{{ page.title }}</h1>{{ content }}{% endblock %}"),
                _ => write(path, b"{% extends \"base.html\" %}{% block main %}<h1>{{ page.title }</h1>{% endblock %}"),
            }
            vec![path.to_string()]
        }
        9 => {
            let value = rng.pick(&["-2.5", "-1.0", "\"x\"", "nan"]);
            let text = format!(
                "source = \"s\"\nreviewed = 2026-01-01\n[tables.t]\ncaption = \"c\"\nmeasure = \"m\"\n\
                 [[tables.t.rows]]\nkey = \"low\"\nname = \"Low\"\nupper = {{ value = {value}, inclusive = true }}\n"
            );
            write("data/d.toml", text.as_bytes());
            vec!["data/d.toml".to_string()]
        }
        10 => {
            let title = rng.text(2).replace(['"', '\\', '\n', '\r'], "");
            let menu = if rng.chance(30) {
                format!(
                    "[[menu.main]]\nname = \"M\"\npage = \"articles/{}.md\"\n",
                    rng.pick(&SLUGS)
                )
            } else {
                String::new()
            };
            let text = format!(
                "title = \"{title}\"\nbase_url = \"https://example.org/\"\nlanguage = \"en-GB\"\nnotice = \"N.\"\n{menu}"
            );
            write("site.toml", text.as_bytes());
            vec!["site.toml".to_string()]
        }
        _ => {
            let path = "pages/about.md";
            if rng.chance(50) {
                remove(path);
            } else {
                write(
                    path,
                    format!(
                        "+++\ntitle = \"About\"\ndescription = \"D.\"\n+++\n\n{}\n",
                        rng.text(6)
                    )
                    .as_bytes(),
                );
            }
            vec![path.to_string()]
        }
    }
}

/// Puts every file the steps touch back in order, as an editor fixing the
/// site would: good pages with distinct glossary words, the theme's own
/// templates, valid data and `site.toml`.
fn repair(root: &Path) -> Vec<String> {
    let mut paths = Vec::new();
    let mut write = |path: String, text: String| {
        let full = root.join(&path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        paths.push(path);
    };
    for slug in SLUGS {
        write(
            format!("articles/{slug}.md"),
            format!(
                "+++\ntitle = \"{slug}\"\ndescription = \"D.\"\nreviewed = 2026-10-01\n+++\n\n## Start\n\nSee [a](a.md#start).\n"
            ),
        );
        write(
            format!("glossary/{slug}.md"),
            format!("+++\nterm = \"Word {slug}\"\nsummary = \"S.\"\n+++\n\nText.\n"),
        );
    }
    write(
        "site.toml".into(),
        "title = \"T\"\nbase_url = \"https://example.org/\"\nlanguage = \"en-GB\"\nnotice = \"N.\"\n".into(),
    );
    write(
        "data/d.toml".into(),
        "source = \"s\"\nreviewed = 2026-01-01\n".into(),
    );
    let _ = std::fs::remove_file(root.join("templates/page.html"));
    paths.push("templates/page.html".into());
    paths
}

#[test]
fn hundreds_of_random_edits_leave_serve_equal_to_a_cold_build() {
    let site = Site::new(
        "//- articles/a.md\n+++\ntitle = \"A\"\ndescription = \"D.\"\nreviewed = 2026-10-01\n+++\n\n## Start\n\nText.\n",
    );
    let options = Options {
        root: site.path().to_path_buf(),
        today: Some(osteon::parse::meta::Date(jiff::civil::date(2026, 11, 1))),
        ..Options::default()
    };
    // Through `Live`, as `serve` runs it: a panic in a rebuild is caught there.
    let live = Live::new(Project::open(&options).unwrap());
    let mut rng = Rng(0x05ee_d0fb_04e5);
    let mut last_good = live.with_project(|p| p.outputs().clone());
    let (mut builds, mut rejected) = (0, 0);
    for n in 0..300 {
        let paths = step(&mut rng, site.path());
        let full: Vec<PathBuf> = paths.iter().map(|p| site.path().join(p)).collect();
        let refs: Vec<&Path> = full.iter().map(PathBuf::as_path).collect();
        let rebuilt = live
            .rebuild(&refs)
            .unwrap_or_else(|e| panic!("step {n} {paths:?}: {e}"));
        if let Some(problems) = &rebuilt.problems {
            assert!(
                !problems.contains("error[internal]"),
                "step {n} {paths:?}: {problems}"
            );
        }

        let (sources, mut cold) = load::load(site.path()).unwrap();
        let compiled = compile(&sources, &options);
        cold.extend(compiled.diagnostics);
        osteon::diagnostic::sort(&mut cold);
        live.with_project(|project| {
            assert_eq!(
                project.diagnostics(),
                cold.as_slice(),
                "step {n}: {paths:?}"
            );
            match &compiled.outputs {
                Some(outputs) if !cold.iter().any(|d| d.is_error()) => {
                    assert!(rebuilt.rebuild.ok, "step {n}: {paths:?}");
                    assert!(
                        project.outputs() == outputs,
                        "step {n}: {paths:?} serves other bytes than a cold build"
                    );
                }
                _ => {
                    assert!(!rebuilt.rebuild.ok, "step {n}: {paths:?}");
                    assert!(
                        project.outputs() == &last_good,
                        "step {n}: {paths:?} stopped serving the last good site"
                    );
                }
            }
        });
        match compiled.outputs {
            Some(outputs) if !cold.iter().any(|d| d.is_error()) => {
                last_good = outputs;
                builds += 1;
            }
            _ => rejected += 1,
        }
    }
    // Still alive: a last repair builds and serves the whole site.
    let paths = repair(site.path());
    let full: Vec<PathBuf> = paths.iter().map(|p| site.path().join(p)).collect();
    let refs: Vec<&Path> = full.iter().map(PathBuf::as_path).collect();
    assert!(live.rebuild(&refs).unwrap().rebuild.ok);
    eprintln!("soak: 300 steps, {builds} good sites served, {rejected} broken saves rejected");
    assert!(
        builds > 30 && rejected > 30,
        "{builds} good, {rejected} rejected: the mix is off"
    );
}
