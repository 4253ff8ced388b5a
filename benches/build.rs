//! The build benchmark: times osteon on generated sites against a pulldown-cmark floor and Hugo.
//!
//! `cargo bench --bench build -- [--sizes 1000,10000] [--dir DIR] [--runs 3]`; see
//! `benches/README.md` for what the numbers mean.

mod corpus;
mod search;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use pulldown_cmark::{Options, Parser};

struct Args {
    sizes: Vec<usize>,
    dir: PathBuf,
    runs: usize,
}

/// One run of one command: wall-clock seconds, CPU seconds (user and system, all
/// threads) and peak resident memory.
#[derive(Clone, Copy)]
struct Sample {
    secs: f64,
    /// The fastest run's wall-clock seconds: on a busy machine the median
    /// moves with the load and the fastest run much less.
    fastest: f64,
    cpu: f64,
    rss_kib: u64,
}

/// What one row of the table measured: the median sample, or why it has none.
type Row = Result<Sample, String>;

/// The floor: every Markdown source rendered by pulldown-cmark alone, one thread, one
/// HTML file per page written where osteon would write it.
fn floor(site: &Path, out: &Path) -> std::io::Result<()> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut html = String::new();
    for (from, to) in [
        ("articles", "articles"),
        ("glossary", "glossary"),
        ("pages", ""),
    ] {
        let Ok(dir) = fs::read_dir(site.join(from)) else {
            continue;
        };
        for entry in dir {
            let path = entry?.path();
            let text = fs::read_to_string(&path)?;
            let body = text
                .strip_prefix("+++\n")
                .and_then(|rest| rest.split_once("\n+++\n"))
                .map_or(text.as_str(), |(_, body)| body);
            html.clear();
            pulldown_cmark::html::push_html(&mut html, Parser::new_ext(body, options));
            let page = out.join(to).join(path.file_stem().unwrap());
            fs::create_dir_all(&page)?;
            fs::write(page.join("index.html"), &html)?;
        }
    }
    Ok(())
}

/// Runs `command` to the end with its output sent to `log`, and measures it.
fn measure(command: &mut Command, log: &Path) -> Row {
    let log_file = fs::File::create(log).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live locals; the pid is our own unreaped child.
        let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
        if pid >= 0 {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4: {err}"));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let failure = if !libc::WIFEXITED(status) {
        Some(format!("killed by signal {}", libc::WTERMSIG(status)))
    } else if libc::WEXITSTATUS(status) != 0 {
        Some(format!("exit status {}", libc::WEXITSTATUS(status)))
    } else {
        None
    };
    if let Some(failure) = failure {
        // The first diagnostics say the most; the log has the rest.
        let text = fs::read_to_string(log).unwrap_or_default();
        let head: Vec<&str> = text.lines().take(12).collect();
        return Err(format!(
            "failed, {failure}; log {}:\n    {}",
            log.display(),
            head.join("\n    ")
        ));
    }
    Ok(Sample {
        secs,
        fastest: secs,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        rss_kib: usage.ru_maxrss as u64,
    })
}

fn seconds(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// The median of each measure, taken separately.
fn median(mut samples: Vec<Sample>) -> Sample {
    let mid = samples.len() / 2;
    samples.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    let (secs, fastest) = (samples[mid].secs, samples[0].secs);
    samples.sort_by(|a, b| a.cpu.total_cmp(&b.cpu));
    let cpu = samples[mid].cpu;
    samples.sort_by_key(|s| s.rss_kib);
    Sample {
        secs,
        fastest,
        cpu,
        rss_kib: samples[mid].rss_kib,
    }
}

/// Measures `runs` times, calling `prepare` (untimed) before each, and keeps the medians.
fn median_of(runs: usize, mut prepare: impl FnMut(), mut run: impl FnMut() -> Row) -> Row {
    let mut samples = Vec::new();
    for _ in 0..runs {
        prepare();
        samples.push(run()?);
    }
    Ok(median(samples))
}

fn fresh(dir: &Path) {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).expect("cannot create an output folder");
}

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => count_files(&e.path()),
                _ => 1,
            })
            .sum()
    })
}

fn has_hugo() -> bool {
    Command::new("hugo")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_table(rows: &[(&str, Row)]) {
    let floor = rows[0].1.as_ref().ok().map(|s| s.secs);
    let hugo = rows
        .iter()
        .find(|(name, _)| name.starts_with("hugo"))
        .and_then(|(_, row)| row.as_ref().ok().map(|s| s.secs));
    let ratio =
        |secs: f64, base: Option<f64>| base.map_or("-".into(), |b| format!("{:.2}x", secs / b));
    println!(
        "  {:<24} {:>9} {:>11} {:>8} {:>14} {:>9} {:>9}",
        "", "time (s)", "fastest (s)", "cpu (s)", "peak RSS (MiB)", "vs floor", "vs hugo"
    );
    for (name, row) in rows {
        match row {
            Ok(s) => {
                print!(
                    "  {name:<24} {:>9.3} {:>11.3} {:>8.3} {:>14.1}",
                    s.secs,
                    s.fastest,
                    s.cpu,
                    mib(s.rss_kib)
                );
                if name.starts_with("osteon") {
                    print!(" {:>9} {:>9}", ratio(s.secs, floor), ratio(s.secs, hugo));
                }
                println!();
            }
            Err(e) => println!("  {name:<24} {e}"),
        }
    }
}

/// Prints whether the cold build meets the targets set for 10,000 articles.
fn print_targets(rows: &[(&str, Row)]) {
    let get = |prefix: &str| {
        rows.iter()
            .find(|(name, _)| name.starts_with(prefix))
            .and_then(|(_, row)| row.as_ref().ok().copied())
    };
    let yes = |ok: bool| if ok { "yes" } else { "NO" };
    if let (Some(floor), Some(cold)) = (get("floor"), get("osteon build (cold)")) {
        print!(
            "  targets: cold build within 3x floor: {}; peak RSS under 500 MiB: {}",
            yes(cold.secs <= 3.0 * floor.secs),
            yes(mib(cold.rss_kib) < 500.0)
        );
        match get("hugo") {
            Some(hugo) => println!("; faster than hugo: {}", yes(cold.secs < hugo.secs)),
            None => println!(),
        }
    }
    if let (Some(check), Some(reading)) = (get("osteon check"), get("osteon check (reading)")) {
        println!(
            "  targets: check under 1 s: {}; with reading level: {}",
            yes(check.secs < 1.0),
            yes(reading.secs < 1.0)
        );
    }
    // The closer targets of issue 21, for the same size.
    if let (Some(floor), Some(cold), Some(check)) = (
        get("floor"),
        get("osteon build (cold)"),
        get("osteon check"),
    ) {
        println!(
            "  closer targets: cold build within 2x floor: {}; its peak RSS under 300 MiB: {}; \
             check within 0.6x floor: {}",
            yes(cold.secs <= 2.0 * floor.secs),
            yes(mib(cold.rss_kib) < 300.0),
            yes(check.secs <= 0.6 * floor.secs)
        );
    }
}

/// How each row grows from the smallest size measured to the largest: time
/// and peak memory, each as a multiple of the smaller size's.
fn print_growth(measured: &[(usize, Vec<(&str, Row)>)]) {
    let (Some((small, first)), Some((large, last))) = (measured.first(), measured.last()) else {
        return;
    };
    if small == large {
        return;
    }
    let limit = 1.1 * (*large as f64 / *small as f64);
    println!("\n{large} articles against {small} (linear with 10% to spare: at most {limit:.1}x)");
    println!("  {:<24} {:>9} {:>9}", "", "time", "peak RSS");
    for ((name, a), (_, b)) in first.iter().zip(last) {
        if let (Ok(a), Ok(b)) = (a, b) {
            let (time, memory) = (b.secs / a.secs, b.rss_kib as f64 / a.rss_kib as f64);
            let within = if time <= limit && memory <= limit {
                ""
            } else {
                "  over"
            };
            println!("  {name:<24} {time:>8.1}x {memory:>8.1}x{within}");
        }
    }
}

fn bench_size(args: &Args, size: usize, hugo: bool) -> Vec<(&'static str, Row)> {
    // Cargo builds the binary with the bench profile (the release settings) before this bench.
    let osteon = Path::new(env!("CARGO_BIN_EXE_osteon"));
    let root = args.dir.join(size.to_string());
    let site = root.join("site");
    let _ = fs::remove_dir_all(&root);
    let start = Instant::now();
    corpus::generate(&site, size).expect("cannot generate the corpus");
    let mut markdown = 0;
    let mut words = 0;
    for entry in fs::read_dir(site.join("articles")).unwrap().flatten() {
        let text = fs::read_to_string(entry.path()).unwrap();
        markdown += text.len();
        words += text.split_whitespace().count();
    }
    println!(
        "\n{size} articles, {} glossary entries: {:.1} MiB, {:.1} M words of Markdown \
         (generated in {:.1} s); median of {} runs",
        size.div_ceil(10),
        markdown as f64 / 1048576.0,
        words as f64 / 1e6,
        start.elapsed().as_secs_f64(),
        args.runs
    );

    let mut rows: Vec<(&str, Row)> = Vec::new();
    let out = root.join("out-floor");
    let me = std::env::current_exe().expect("no path to this bench binary");
    rows.push((
        "floor (pulldown-cmark)",
        median_of(
            args.runs,
            || fresh(&out),
            || {
                measure(
                    Command::new(&me).arg("--floor").arg(&site).arg(&out),
                    &root.join("floor.log"),
                )
            },
        ),
    ));

    let out = root.join("out-osteon");
    let build = |log: &str| {
        let mut command = Command::new(osteon);
        command
            .arg("build")
            .arg("--root")
            .arg(&site)
            .arg("--output")
            .arg(&out);
        measure(&mut command, &root.join(log))
    };
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..args.runs {
        fresh(&out);
        cold.push(build("osteon-cold.log"));
        warm.push(build("osteon-warm.log"));
    }
    let files = count_files(&out);
    let (index_files, index_bytes) = search::index_size(&out);
    // "hip fractures" as the index holds its words, with a first page of ten
    // results.
    let query = search::query_bytes(&out, &["hip", "fracture"], 10);
    let pick = |samples: Vec<Row>| samples.into_iter().collect::<Result<_, _>>().map(median);
    rows.push(("osteon build (cold)", pick(cold)));
    rows.push(("osteon build (unchanged)", pick(warm)));

    // The same build with a theme that has no search page, so no index: the
    // difference is what search costs a build.
    let config = site.join("site.toml");
    let original = fs::read_to_string(&config).expect("the corpus has a site.toml");
    let plain = site.join("themes/nosearch");
    let _ = fs::remove_dir_all(&plain);
    corpus::copy_dir(&site.join("themes/default"), &plain).expect("cannot copy the theme");
    fs::remove_file(plain.join("templates/search.html")).expect("the theme has a search page");
    fs::write(
        &config,
        original.replace("theme = \"default\"", "theme = \"nosearch\""),
    )
    .expect("cannot write site.toml");
    let out_plain = root.join("out-nosearch");
    rows.push((
        "osteon build (no search)",
        median_of(
            args.runs,
            || fresh(&out_plain),
            || {
                let mut command = Command::new(osteon);
                command
                    .arg("build")
                    .arg("--root")
                    .arg(&site)
                    .arg("--output")
                    .arg(&out_plain);
                measure(&mut command, &root.join("osteon-nosearch.log"))
            },
        ),
    ));
    fs::write(&config, &original).expect("cannot write site.toml");
    let _ = fs::remove_dir_all(&plain);
    let check = |log: &str| {
        median_of(
            args.runs,
            || {},
            || {
                let mut command = Command::new(osteon);
                command.arg("check").arg("--root").arg(&site);
                measure(&mut command, &root.join(log))
            },
        )
    };
    rows.push(("osteon check", check("osteon-check.log")));
    // The same site with a reading-level limit, as the shipped site has, so
    // every article's words and syllables are counted too; no article comes
    // near a grade of 99, so nothing is printed.
    let config = site.join("site.toml");
    let original = fs::read_to_string(&config).expect("the corpus has a site.toml");
    let limited = format!("{}\nmax_reading_grade = 99\n", original.trim_end());
    fs::write(&config, limited).expect("cannot write site.toml");
    rows.push(("osteon check (reading)", check("osteon-check-reading.log")));
    fs::write(&config, original).expect("cannot write site.toml");

    if hugo {
        let source = root.join("hugo");
        let out = root.join("out-hugo");
        corpus::generate_hugo(&site, &source).expect("cannot generate the Hugo site");
        rows.push((
            "hugo",
            median_of(
                args.runs,
                || fresh(&out),
                || {
                    let mut command = Command::new("hugo");
                    command
                        .arg("--quiet")
                        .arg("-s")
                        .arg(&source)
                        .arg("-d")
                        .arg(&out);
                    measure(&mut command, &root.join("hugo.log"))
                },
            ),
        ));
    }
    print_table(&rows);
    println!("  osteon's output folder holds {files} files");
    print_search(&rows, index_files, index_bytes, &query);
    print_targets(&rows);
    rows
}

/// The search index's size, what one search downloads, and what indexing
/// adds to the cold build.
fn print_search(
    rows: &[(&str, Row)],
    files: usize,
    bytes: u64,
    query: &Result<search::QueryBytes, String>,
) {
    let kib = |b: u64| b as f64 / 1024.0;
    println!(
        "  search index: {files} files, {:.1} MiB on disk",
        bytes as f64 / 1048576.0
    );
    match query {
        Ok(q) => println!(
            "  one search (\"hip fractures\", first 10 results) downloads {:.0} KiB: {:.0} KiB of script \
             and manifest, {} index chunk(s) of {:.0} KiB, result cards of at most {:.0} KiB",
            kib(q.total),
            kib(q.fixed),
            q.chunks,
            kib(q.chunk_bytes),
            kib(q.card_bytes)
        ),
        Err(e) => println!("  one search: cannot work it out: {e}"),
    }
    let get = |name: &str| {
        rows.iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, row)| row.as_ref().ok().copied())
    };
    if let (Some(cold), Some(plain)) = (get("osteon build (cold)"), get("osteon build (no search)"))
    {
        let added = |with: f64, without: f64| 100.0 * (with - without) / without;
        println!(
            "  indexing adds {:.0}% to the cold build ({:.0}% by the fastest runs, {:.0}% of CPU time); \
             target at most 30%: {}",
            added(cold.secs, plain.secs),
            added(cold.fastest, plain.fastest),
            added(cold.cpu, plain.cpu),
            if cold.secs <= 1.3 * plain.secs {
                "yes"
            } else {
                "NO"
            }
        );
    }
}

fn parse_args() -> Result<Args, String> {
    let a = corpus::parse_args("osteon-bench", "--runs", 3)?;
    Ok(Args {
        sizes: a.sizes,
        dir: a.dir,
        runs: a.count,
    })
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--floor") && argv.len() == 4 {
        return match floor(Path::new(&argv[2]), Path::new(&argv[3])) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("floor: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!(
                "error: {e}\nusage: cargo bench --bench build -- [--sizes 1000,10000] [--dir DIR] [--runs 3]"
            );
            return ExitCode::from(2);
        }
    };
    let hugo = has_hugo();
    if !hugo {
        println!("hugo: not installed (apt-get install hugo)");
    }
    println!("corpus and outputs under {}", args.dir.display());
    let measured: Vec<_> = (args.sizes.iter())
        .map(|&size| (size, bench_size(&args, size, hugo)))
        .collect();
    print_growth(&measured);
    ExitCode::SUCCESS
}
