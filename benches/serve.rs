//! The serve benchmark: how long from saving a file to the updated page being served.
//!
//! `cargo bench --bench serve -- [--sizes 1000,10000] [--dir DIR] [--edits 20]`. For each
//! size it generates the corpus, starts the release binary `osteon serve --port 0`,
//! then `--edits` times appends a unique marker sentence to one article, writes the
//! file and polls that page over one keep-alive connection until the marker is
//! served. It prints the median and the slowest of those times, the time to the first
//! page, and the server's memory after the edits.

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

fn bench_size(args: &Args, size: usize) -> Result<(), String> {
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
    let times = result.map_err(|e| format!("{e} (log: {})", log.display()))?;

    let mut sorted = times.clone();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    let max = sorted[sorted.len() - 1];
    let min = sorted[0];
    println!(
        "  save to served: median {:.1} ms, max {:.1} ms, min {:.1} ms",
        ms(median),
        ms(max),
        ms(min)
    );
    let all: Vec<String> = times.iter().map(|t| format!("{:.0}", ms(*t))).collect();
    println!("  each edit (ms): {}", all.join(" "));
    if let Some((now, peak)) = rss {
        println!(
            "  server memory after the edits: {:.1} MiB resident, {:.1} MiB peak",
            now as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    Ok(())
}

/// Waits for the server's URL, then times each edit; returns the times.
fn edits(
    args: &Args,
    child: &mut Child,
    start: Instant,
    article: &Path,
    url: &str,
) -> Result<Vec<Duration>, String> {
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
    Ok(times)
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
    for &size in &args.sizes {
        if let Err(e) = bench_size(&args, size) {
            println!("  failed: {e}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
