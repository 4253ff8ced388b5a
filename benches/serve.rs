//! The serve benchmark: how long from saving a file to the updated page being served,
//! and to the edit being visible in a browser showing that page.
//!
//! `cargo bench --bench serve -- [--sizes 1000,10000] [--dir DIR] [--edits 20]`. For each
//! size it generates the corpus, starts the release binary `osteon serve --port 0`,
//! then `--edits` times appends a unique marker sentence to one article, writes the
//! file and polls that page over one keep-alive connection until the marker is
//! served. Then, with the page open in headless Chromium (`benches/visible.mjs`, if
//! Node, playwright-core and Chromium are there), `--edits` more times it arms a
//! watch for a new marker in the page, writes the file and waits until the page's
//! text holds it. It prints the medians and the slowest of those times, the time to
//! the first page, and the server's memory after the edits, and at the end both
//! medians for every size side by side.

// The Hugo half of the corpus is for the build bench only.
#[allow(dead_code)]
mod corpus;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// The longest one save may take to show before the bench gives up on the size.
const GIVE_UP: Duration = Duration::from_secs(300);

struct Args {
    sizes: Vec<usize>,
    dir: PathBuf,
    edits: usize,
}

/// One keep-alive HTTP/1.1 connection, reading responses by `content-length`.
struct Client {
    addr: SocketAddr,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> std::io::Result<Client> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(GIVE_UP))?;
        Ok(Client {
            addr,
            reader: BufReader::new(stream),
        })
    }

    /// The body of `GET path`, reconnecting once if the server closed the connection.
    fn get(&mut self, path: &str) -> std::io::Result<Vec<u8>> {
        match self.try_get(path) {
            Ok(body) => Ok(body),
            Err(_) => {
                *self = Client::connect(self.addr)?;
                self.try_get(path)
            }
        }
    }

    fn try_get(&mut self, path: &str) -> std::io::Result<Vec<u8>> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut length = None;
        let mut line = String::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or_else(|| std::io::Error::other("no content-length"))?;
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(body)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Resident memory of a process now and at its peak, in KiB, from `/proc`.
fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Stops the server as Ctrl-C would, and makes sure it is gone.
fn stop(child: &mut Child) {
    // SAFETY: `kill` with our own child's pid and a valid signal number.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The medians of one size, for the closing table.
struct Medians {
    size: usize,
    served: Duration,
    /// `Err` says why there is no browser figure.
    visible: Result<Duration, String>,
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// `median 12.3 ms, max 45.6 ms, min 7.8 ms`, then each time on a line of its own.
fn print_times(what: &str, times: &[Duration]) {
    let mut sorted = times.to_vec();
    sorted.sort();
    println!(
        "  {what}: median {:.1} ms, max {:.1} ms, min {:.1} ms",
        ms(median(times)),
        ms(sorted[sorted.len() - 1]),
        ms(sorted[0])
    );
    let all: Vec<String> = times.iter().map(|t| format!("{:.0}", ms(*t))).collect();
    println!("    each edit (ms): {}", all.join(" "));
}

/// Why the browser figure cannot be measured here, if it cannot.
fn browser_missing(repo: &Path) -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("`node` is not installed".into());
    }
    if !repo.join("node_modules/playwright-core").is_dir() {
        return Some("node_modules/playwright-core is missing; run `npm ci`".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).is_file() {
        return Some(format!("{chromium} is missing"));
    }
    None
}

fn bench_size(args: &Args, size: usize) -> Result<Medians, String> {
    // Cargo builds the binary with the bench profile (the release settings) first.
    let osteon = Path::new(env!("CARGO_BIN_EXE_osteon"));
    let root = args.dir.join(size.to_string());
    let site = root.join("site");
    let _ = fs::remove_dir_all(&root);
    corpus::generate(&site, size).map_err(|e| format!("cannot generate the corpus: {e}"))?;
    let mut articles: Vec<PathBuf> = fs::read_dir(site.join("articles"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .collect();
    articles.sort();
    let article = articles[articles.len() / 2].clone();
    let slug = article.file_stem().unwrap().to_string_lossy().into_owned();
    let url = format!("/articles/{slug}/");
    println!(
        "\n{size} articles, {} glossary entries; editing {url} {} times",
        size.div_ceil(10),
        args.edits
    );

    let log = root.join("serve.log");
    let log_file = fs::File::create(&log).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut child = Command::new(osteon)
        .args(["serve", "--port", "0", "--root"])
        .arg(&site)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("cannot start osteon serve: {e}"))?;
    let result = edits(args, &mut child, start, &article, &url);
    let rss = rss_kib(child.id());
    stop(&mut child);
    let (served, visible) = result.map_err(|e| format!("{e} (log: {})", log.display()))?;

    print_times("save to served", &served);
    match &visible {
        Ok(visible) => {
            print_times("save to visible in Chromium", &visible.times);
            println!(
                "    {} of {} shown by a swap in place, {} by a full reload",
                visible.times.len() - visible.reloads,
                visible.times.len(),
                visible.reloads
            );
        }
        Err(why) => println!("  save to visible in Chromium: skipped, {why}"),
    }
    if let Some((now, peak)) = rss {
        println!(
            "  server memory after the edits: {:.1} MiB resident, {:.1} MiB peak",
            now as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    Ok(Medians {
        size,
        served: median(&served),
        visible: visible.map(|v| median(&v.times)),
    })
}

/// What the browser saw of its edits.
struct Visible {
    times: Vec<Duration>,
    /// How many were shown by a full reload rather than a swap.
    reloads: usize,
}

/// Headless Chromium showing one page, driven through `benches/visible.mjs`.
struct Browser {
    child: Child,
    input: std::process::ChildStdin,
    output: BufReader<std::process::ChildStdout>,
}

impl Browser {
    fn open(url: &str) -> Result<Browser, String> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        if let Some(why) = browser_missing(repo) {
            return Err(why);
        }
        let mut child = Command::new("node")
            .arg(repo.join("benches/visible.mjs"))
            .arg(url)
            .current_dir(repo)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start node: {e}"))?;
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        let mut browser = Browser {
            child,
            input,
            output,
        };
        browser.expect("ready")?;
        Ok(browser)
    }

    /// The next line the script prints, which must start with `what`.
    fn expect(&mut self, what: &str) -> Result<String, String> {
        let mut line = String::new();
        self.output
            .read_line(&mut line)
            .map_err(|e| format!("reading from the browser script: {e}"))?;
        if line.starts_with(what) {
            Ok(line)
        } else {
            Err(format!("the browser script said {line:?}, not {what:?}"))
        }
    }

    /// Times `save` until the page shows `marker`; true if it was reloaded in full.
    fn time(
        &mut self,
        marker: &str,
        save: impl FnOnce() -> Result<(), String>,
    ) -> Result<(Duration, bool), String> {
        writeln!(self.input, "{marker}").map_err(|e| e.to_string())?;
        self.expect("armed")?;
        let start = Instant::now();
        save()?;
        let line = self.expect("seen")?;
        Ok((start.elapsed(), line.contains("reload")))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for the server's URL, then times each edit to served and, in a
/// browser, to visible; returns the times.
fn edits(
    args: &Args,
    child: &mut Child,
    start: Instant,
    article: &Path,
    url: &str,
) -> Result<(Vec<Duration>, Result<Visible, String>), String> {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("serving http://")
        .map(|a| a.trim_end_matches('/'))
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| format!("osteon serve did not print its URL (printed {line:?})"))?;
    let mut client = Client::connect(addr).map_err(|e| e.to_string())?;
    client.get(url).map_err(|e| e.to_string())?;
    println!(
        "  first page served {:.2} s after start",
        start.elapsed().as_secs_f64()
    );

    let mut text = fs::read_to_string(article).map_err(|e| e.to_string())?;
    let nonce = std::process::id();
    let mut times = Vec::new();
    for edit in 0..args.edits {
        let marker = format!("servebenchmarker{nonce}x{edit}");
        text.push_str(&format!(
            "\nThis sentence carries the marker {marker} for the bench.\n"
        ));
        let start = Instant::now();
        fs::write(article, &text).map_err(|e| e.to_string())?;
        loop {
            let body = client.get(url).map_err(|e| e.to_string())?;
            if contains(&body, marker.as_bytes()) {
                break;
            }
            if start.elapsed() > GIVE_UP {
                return Err(format!("edit {edit} not served after {GIVE_UP:?}"));
            }
        }
        times.push(start.elapsed());
    }

    let visible = Browser::open(&format!("http://{addr}{url}")).and_then(|mut browser| {
        let mut visible = Visible {
            times: Vec::new(),
            reloads: 0,
        };
        for edit in 0..args.edits {
            let marker = format!("visiblebenchmarker{nonce}x{edit}");
            text.push_str(&format!(
                "\nThis sentence carries the marker {marker} for the bench.\n"
            ));
            let (time, reloaded) = browser.time(&marker, || {
                fs::write(article, &text).map_err(|e| e.to_string())
            })?;
            visible.times.push(time);
            visible.reloads += usize::from(reloaded);
        }
        Ok(visible)
    });
    Ok((times, visible))
}

fn parse_args() -> Result<Args, String> {
    let a = corpus::parse_args("osteon-bench-serve", "--edits", 20)?;
    Ok(Args {
        sizes: a.sizes,
        dir: a.dir,
        edits: a.count,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!(
                "error: {e}\nusage: cargo bench --bench serve -- [--sizes 1000,10000] [--dir DIR] [--edits 20]"
            );
            return ExitCode::from(2);
        }
    };
    println!("corpus under {}", args.dir.display());
    let mut failed = false;
    let mut medians = Vec::new();
    for &size in &args.sizes {
        match bench_size(&args, size) {
            Ok(m) => medians.push(m),
            Err(e) => {
                println!("  failed: {e}");
                failed = true;
            }
        }
    }
    println!("\nmedians, save to:   served    visible in Chromium");
    for m in &medians {
        let visible = match &m.visible {
            Ok(time) => format!("{:.1} ms", ms(*time)),
            Err(_) => "skipped".to_string(),
        };
        println!(
            "  {:>6} articles {:>7.1} ms  {visible:>9}",
            m.size,
            ms(m.served)
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
