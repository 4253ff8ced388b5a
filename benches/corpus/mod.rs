//! A deterministic synthetic site for benchmarks: the same articles, glossary and links on every run.
//!
//! Use it from any bench binary in `benches/` with `mod corpus;`. It lives in a folder
//! of its own because Cargo would take a `benches/corpus.rs` for a bench binary.
//!
//! Every link the corpus writes points at a page that exists and every `#fragment` at
//! a heading id that exists, so the site builds with zero errors.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Words for filler prose, slugs and headings: plain English, letters only.
const WORDS: &[&str] = &[
    "bone",
    "bones",
    "strong",
    "walk",
    "walking",
    "daily",
    "calcium",
    "vitamin",
    "sun",
    "light",
    "milk",
    "cheese",
    "yogurt",
    "greens",
    "beans",
    "fish",
    "eggs",
    "protein",
    "muscle",
    "balance",
    "fall",
    "falls",
    "hip",
    "spine",
    "wrist",
    "risk",
    "doctor",
    "nurse",
    "pharmacist",
    "scan",
    "test",
    "result",
    "score",
    "medicine",
    "tablet",
    "dose",
    "week",
    "month",
    "year",
    "age",
    "women",
    "men",
    "family",
    "history",
    "habit",
    "sleep",
    "rest",
    "water",
    "salt",
    "coffee",
    "smoking",
    "alcohol",
    "weight",
    "exercise",
    "stairs",
    "garden",
    "dance",
    "lift",
    "carry",
    "posture",
    "pain",
    "back",
    "height",
    "change",
    "slow",
    "steady",
    "gentle",
    "regular",
    "safe",
    "simple",
    "clear",
    "common",
    "rare",
    "early",
    "later",
    "often",
    "sometimes",
    "usually",
    "most",
    "many",
    "some",
    "few",
    "people",
    "body",
    "health",
    "food",
    "meal",
    "plate",
    "breakfast",
    "lunch",
    "dinner",
    "snack",
    "home",
    "shoes",
    "floor",
    "rug",
    "lamp",
    "night",
    "morning",
    "question",
    "answer",
    "plan",
    "goal",
    "support",
    "friend",
    "group",
    "class",
    "program",
    "check",
    "review",
    "advice",
    "choice",
    "option",
    "benefit",
    "effect",
    "side",
    "care",
    "treatment",
    "therapy",
    "hormone",
    "menopause",
    "density",
    "fracture",
    "healing",
    "strength",
];

/// Small words that glue the filler together so it reads like sentences.
const GLUE: &[&str] = &[
    "the", "a", "and", "or", "with", "for", "to", "of", "in", "on", "can", "may", "will", "helps",
    "keeps", "means", "is", "are", "your", "you", "it", "this", "that", "when", "if", "not",
    "more", "less", "each", "every", "don't", "it's", "you'll",
];

const TOPICS: &[&str] = &[
    "osteoporosis",
    "calcium",
    "exercise",
    "menopause",
    "fractures",
    "medicines",
    "diet",
    "screening",
];

const SEED: u64 = 0x05_7E_0B_E5_C0_FF_EE;

/// Words in paragraphs per article; headings, lists, the table and overrunning
/// sentences bring an article to about 1,200 words.
const PROSE_WORDS: usize = 900;

/// Words per paragraph, a little more where a sentence runs over.
const PARAGRAPH_WORDS: usize = 60;

/// splitmix64: a tiny, good-enough, seeded generator.
struct Rng(u64);

impl Rng {
    fn new(stream: u64, index: usize) -> Rng {
        Rng(SEED ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (index as u64).rotate_left(32))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }
}

/// What other files need to know about one article before any is written.
struct Plan {
    slug: String,
    title: String,
    /// Heading level and text, in page order.
    headings: Vec<(usize, String)>,
}

impl Plan {
    /// The ids a link may target: every heading's, as GitHub makes them, plus the explicit one.
    fn ids(&self) -> impl Iterator<Item = String> + '_ {
        self.headings
            .iter()
            .map(|(_, text)| heading_id(text))
            .chain(std::iter::once(KEY_POINTS.to_string()))
    }
}

/// The id set by hand on every article's "Key points" heading.
const KEY_POINTS: &str = "key-points";

struct Glossary {
    slug: String,
    term: String,
}

/// A heading id by GitHub's rules: lower-case, spaces to hyphens, hyphens and
/// underscores kept, other punctuation dropped.
pub fn heading_id(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn plan_article(index: usize) -> Plan {
    let mut rng = Rng::new(1, index);
    let (a, b) = (rng.pick(WORDS), rng.pick(WORDS));
    let slug = format!("a{:05}-{a}-{b}", index + 1);
    let title = format!(
        "{} and {}: a guide to {} {}",
        capitalise(a),
        b,
        rng.pick(WORDS),
        rng.pick(WORDS)
    );
    // Each heading ends in its own number, so no two on a page share an id and none
    // can equal the explicit `key-points`.
    let mut headings = Vec::new();
    for section in 0..4 {
        for level in [2, 3, 3] {
            let number = headings.len() + 1;
            let text = match (section + number) % 3 {
                0 => format!(
                    "{} and {} {number}",
                    capitalise(rng.pick(WORDS)),
                    rng.pick(WORDS)
                ),
                1 => format!(
                    "{} {}: what to know, part {number}",
                    capitalise(rng.pick(WORDS)),
                    rng.pick(WORDS)
                ),
                _ => format!("Your {} {} {number}", rng.pick(WORDS), rng.pick(WORDS)),
            };
            headings.push((level, text));
        }
    }
    Plan {
        slug,
        title,
        headings,
    }
}

fn plan_glossary(index: usize) -> Glossary {
    // Every (first, second) pair is used once before a round number is added.
    let (round, index) = (index / WORDS.len().pow(2), index % WORDS.len().pow(2));
    let first = WORDS[index % WORDS.len()];
    let second = WORDS[(index / WORDS.len() + index + 1) % WORDS.len()];
    let mut term = format!("{} {second}", capitalise(first));
    if round > 0 {
        write!(term, " {}", round + 1).unwrap();
    }
    let slug = format!("g{:04}-{}", index + 1, heading_id(&term));
    Glossary { slug, term }
}

/// A sentence of filler; `link` is spliced in as one of its phrases.
fn sentence(rng: &mut Rng, out: &mut String, link: Option<String>) -> usize {
    let len = rng.range(8, 16);
    let link_at = rng.range(2, len - 1);
    let mut words = 0;
    for i in 0..len {
        if i > 0 {
            out.push(' ');
        }
        if i == link_at
            && let Some(link) = &link
        {
            out.push_str(link);
            words += 2;
            continue;
        }
        let word = if i % 2 == 0 {
            rng.pick(WORDS)
        } else {
            rng.pick(GLUE)
        };
        if i == 0 {
            out.push_str(&capitalise(word));
        } else if i == len / 2 && rng.range(0, 5) == 0 {
            write!(out, "\"{word}\"").unwrap();
        } else {
            out.push_str(word);
        }
        if i == len / 3 && rng.range(0, 2) == 0 {
            out.push(',');
        }
        words += 1;
    }
    out.push_str(". ");
    words
}

/// A paragraph of `target` words or a little more; each of `links` goes into a sentence of its own.
fn paragraph(rng: &mut Rng, out: &mut String, target: usize, mut links: Vec<String>) -> usize {
    let mut words = 0;
    while words < target || !links.is_empty() {
        words += sentence(rng, out, links.pop());
    }
    out.pop();
    out.push_str("\n\n");
    words
}

fn write_article(
    index: usize,
    plans: &[Plan],
    glossary: &[Glossary],
    shortcode: bool,
) -> (String, String) {
    let plan = &plans[index];
    let mut rng = Rng::new(2, index);
    let mut out = String::with_capacity(10_000);

    let first = rng.range(0, TOPICS.len() - 1);
    let second = (first + rng.range(1, TOPICS.len() - 1)) % TOPICS.len();
    writeln!(out, "+++").unwrap();
    writeln!(out, "title = \"{}\"", plan.title).unwrap();
    writeln!(
        out,
        "description = \"What to know about {} and {}, in plain words.\"",
        rng.pick(WORDS),
        rng.pick(WORDS)
    )
    .unwrap();
    writeln!(out, "reviewed = 2026-10-01").unwrap();
    writeln!(out, "review_due = 2027-10-01").unwrap();
    writeln!(
        out,
        "topics = [\"{}\", \"{}\"]",
        TOPICS[first], TOPICS[second]
    )
    .unwrap();
    writeln!(out, "+++\n").unwrap();

    // The links this article makes, each given to one of its paragraphs at random.
    let paragraphs = PROSE_WORDS / PARAGRAPH_WORDS;
    let mut links = vec![Vec::new(); paragraphs];
    if plans.len() > 1 {
        for _ in 0..rng.range(5, 10) {
            let mut other = rng.range(0, plans.len() - 2);
            if other >= index {
                other += 1;
            }
            let target = &plans[other];
            let text = format!("{} {}", rng.pick(WORDS), rng.pick(WORDS));
            let link = if rng.range(0, 2) == 0 {
                let ids: Vec<String> = target.ids().collect();
                let id = &ids[rng.range(0, ids.len() - 1)];
                format!("[{text}]({}.md#{id})", target.slug)
            } else {
                format!("[{text}]({}.md)", target.slug)
            };
            links[rng.range(0, paragraphs - 1)].push(link);
        }
    }
    if !glossary.is_empty() {
        for _ in 0..rng.range(2, 5) {
            let entry = &glossary[rng.range(0, glossary.len() - 1)];
            let link = format!(
                "[{}](../glossary/{}.md)",
                entry.term.to_lowercase(),
                entry.slug
            );
            links[rng.range(0, paragraphs - 1)].push(link);
        }
    }
    links[rng.range(0, paragraphs - 1)].push(format!("[see the key points](#{KEY_POINTS})"));
    let mut links = links.into_iter();

    // One paragraph of introduction with a footnote, then the rest shared among the headings.
    paragraph(&mut rng, &mut out, PARAGRAPH_WORDS, links.next().unwrap());
    out.truncate(out.len() - 2);
    out.push_str("[^source]\n\n");
    let rest = paragraphs - 1;
    let count = plan.headings.len();
    for (h, (level, text)) in plan.headings.iter().enumerate() {
        writeln!(out, "{} {text}\n", "#".repeat(*level)).unwrap();
        for _ in h * rest / count..(h + 1) * rest / count {
            paragraph(&mut rng, &mut out, PARAGRAPH_WORDS, links.next().unwrap());
        }
        match h {
            1 => {
                for _ in 0..rng.range(3, 6) {
                    out.push_str("- ");
                    sentence(&mut rng, &mut out, None);
                    out.pop();
                    out.push('\n');
                }
                out.push('\n');
            }
            4 => {
                out.push_str("| Food | Amount | Why it helps |\n|---|---:|---|\n");
                for _ in 0..rng.range(3, 6) {
                    writeln!(
                        out,
                        "| {} | {} mg | {} {} |",
                        capitalise(rng.pick(WORDS)),
                        rng.range(50, 400),
                        rng.pick(WORDS),
                        rng.pick(WORDS)
                    )
                    .unwrap();
                }
                out.push('\n');
            }
            7 if shortcode => {
                out.push_str("{{ category_table(data=\"thresholds\", table=\"t_score\") }}\n\n");
            }
            _ => {}
        }
    }
    writeln!(out, "## Key points {{#{KEY_POINTS}}}\n").unwrap();
    for _ in 0..3 {
        out.push_str("- ");
        sentence(&mut rng, &mut out, None);
        out.pop();
        out.push('\n');
    }
    out.push_str("\n[^source]: World Health Organization, bone health summary.\n");
    (format!("{}.md", plan.slug), out)
}

fn write_glossary(index: usize, entry: &Glossary, plans: &[Plan]) -> (String, String) {
    let mut rng = Rng::new(3, index);
    let article = &plans[rng.range(0, plans.len() - 1)];
    let mut out = String::new();
    writeln!(out, "+++").unwrap();
    writeln!(out, "term = \"{}\"", entry.term).unwrap();
    writeln!(
        out,
        "summary = \"A word for how {} and {} work together in the body.\"",
        rng.pick(WORDS),
        rng.pick(WORDS)
    )
    .unwrap();
    writeln!(out, "+++\n").unwrap();
    let link = format!(
        "[read more about {}](../articles/{}.md)",
        rng.pick(WORDS),
        article.slug
    );
    paragraph(&mut rng, &mut out, 50, vec![link]);
    (format!("{}.md", entry.slug), out)
}

pub fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Whether the repository's theme has the `category_table` shortcode, so articles may call it.
fn has_category_table(theme: &Path) -> bool {
    fs::read_dir(theme.join("templates/shortcodes"))
        .map(|dir| {
            dir.flatten()
                .any(|e| Path::new(&e.file_name()).file_stem() == Some("category_table".as_ref()))
        })
        .unwrap_or(false)
}

/// Writes a complete site of `articles` articles and `articles / 10` glossary entries
/// into `dir`, which should be empty or absent. The theme and data come from this
/// repository, copied as they are now.
pub fn generate(dir: &Path, articles: usize) -> io::Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let theme = repo.join("themes/default");
    fs::create_dir_all(dir.join("articles"))?;
    fs::create_dir_all(dir.join("glossary"))?;
    fs::create_dir_all(dir.join("pages"))?;
    copy_dir(&theme, &dir.join("themes/default"))?;
    copy_dir(&repo.join("data"), &dir.join("data"))?;

    fs::write(
        dir.join("site.toml"),
        "title = \"Bench Bones\"\n\
         description = \"A synthetic site for measuring osteon.\"\n\
         base_url = \"https://bench.example.org/\"\n\
         language = \"en-US\"\n\
         theme = \"default\"\n\
         notice = \"This page is for general education only. It is not a substitute for advice \
         from a doctor, nurse or pharmacist who knows your health.\"\n",
    )?;
    // The theme's footer links to these two pages.
    for (slug, title) in [
        ("about", "About us and our editorial policy"),
        ("accessibility", "Accessibility statement"),
    ] {
        fs::write(
            dir.join(format!("pages/{slug}.md")),
            format!(
                "+++\ntitle = \"{title}\"\n\
                 description = \"{title} for a site generated for benchmarks.\"\n+++\n\n\
                 This site is generated for benchmarks. Its words mean nothing.\n"
            ),
        )?;
    }

    let plans: Vec<Plan> = (0..articles).map(plan_article).collect();
    let glossary: Vec<Glossary> = (0..articles.div_ceil(10)).map(plan_glossary).collect();
    let shortcode = has_category_table(&theme);
    for index in 0..articles {
        let (name, text) = write_article(index, &plans, &glossary, shortcode);
        fs::write(dir.join("articles").join(name), text)?;
    }
    for (index, entry) in glossary.iter().enumerate() {
        let (name, text) = write_glossary(index, entry, &plans);
        fs::write(dir.join("glossary").join(name), text)?;
    }
    Ok(())
}

const HUGO_CONFIG: &str = r#"baseURL = "https://bench.example.org/"
languageCode = "en-US"
title = "Bench Bones"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]

[params]
notice = "This page is for general education only. It is not a substitute for advice from a doctor, nurse or pharmacist who knows your health."
"#;

const HUGO_BASEOF: &str = r#"<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ .Title }} | {{ site.Title }}</title>
<meta name="description" content="{{ .Description }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>{{ site.Params.notice }}</p></footer>
</body>
</html>
"#;

const HUGO_SINGLE: &str = r#"{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
{{ with .Params.reviewed }}<p>Reviewed {{ . }}</p>{{ end }}
{{ .Content }}
</article>{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
"#;

/// Rewrites links to source files into page URLs and fails on a missing page, as osteon does.
const HUGO_RENDER_LINK: &str = r#"{{- $u := urls.Parse .Destination -}}
{{- $href := .Destination -}}
{{- if and (not $u.Scheme) (strings.HasSuffix $u.Path ".md") -}}
  {{- $p := strings.TrimSuffix ".md" $u.Path -}}
  {{- if strings.HasPrefix $p "../" -}}
    {{- $p = printf "/%s" (strings.TrimPrefix "../" $p) -}}
  {{- else -}}
    {{- $p = printf "/%s/%s" .Page.Section $p -}}
  {{- end -}}
  {{- with site.GetPage $p -}}
    {{- $href = .RelPermalink -}}
    {{- with $u.Fragment }}{{ $href = printf "%s#%s" $href . }}{{ end -}}
  {{- else -}}
    {{- errorf "broken link %q in %s" $.Destination $.Page.File.Path -}}
  {{- end -}}
{{- end -}}
<a href="{{ $href }}">{{ .Text | safeHTML }}</a>
"#;

/// Writes a Hugo site in `dir` with the same pages as the osteon site in `site`: the
/// same Markdown bodies, front matter renamed where Hugo has its own keys, and
/// minimal layouts with a link render hook that resolves links as osteon does.
pub fn generate_hugo(site: &Path, dir: &Path) -> io::Result<()> {
    let layouts = dir.join("layouts/_default");
    fs::create_dir_all(layouts.join("_markup"))?;
    fs::write(dir.join("hugo.toml"), HUGO_CONFIG)?;
    fs::write(layouts.join("baseof.html"), HUGO_BASEOF)?;
    fs::write(layouts.join("single.html"), HUGO_SINGLE)?;
    fs::write(layouts.join("list.html"), HUGO_LIST)?;
    fs::write(layouts.join("_markup/render-link.html"), HUGO_RENDER_LINK)?;
    for (from, to) in [
        ("articles", "content/articles"),
        ("glossary", "content/glossary"),
        ("pages", "content"),
    ] {
        fs::create_dir_all(dir.join(to))?;
        for entry in fs::read_dir(site.join(from))? {
            let path = entry?.path();
            let text = fs::read_to_string(&path)?
                .replacen("\nterm = ", "\ntitle = ", 1)
                .replacen("\nsummary = ", "\ndescription = ", 1);
            fs::write(dir.join(to).join(path.file_name().unwrap()), text)?;
        }
    }
    Ok(())
}

/// The command line every bench takes: `--sizes 1000,10000`, `--dir DIR` and
/// one repeat count, named by `count_flag` (`--runs`, `--edits`).
pub struct BenchArgs {
    pub sizes: Vec<usize>,
    pub dir: PathBuf,
    pub count: usize,
}

/// Parses the bench's arguments; `folder` names the default folder, on
/// `/dev/shm` when there is one.
pub fn parse_args(folder: &str, count_flag: &str, count: usize) -> Result<BenchArgs, String> {
    let default_dir = if Path::new("/dev/shm").is_dir() {
        Path::new("/dev/shm").join(folder)
    } else {
        std::env::temp_dir().join(folder)
    };
    let mut args = BenchArgs {
        sizes: vec![1_000, 10_000],
        dir: default_dir,
        count,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--sizes" => {
                args.sizes = value()?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|_| format!("bad size {s:?}")))
                    .collect::<Result<_, _>>()?;
            }
            "--dir" => args.dir = PathBuf::from(value()?),
            f if f == count_flag => {
                args.count = value()?.parse().map_err(|_| format!("bad {count_flag}"))?;
            }
            // Cargo passes `--bench` to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.count == 0 || args.sizes.contains(&0) {
        return Err(format!("{count_flag} and every size must be at least 1"));
    }
    Ok(args)
}
