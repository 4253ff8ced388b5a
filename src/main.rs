//! The `osteon` command: parses the command line and dispatches to the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use osteon::diagnostic::{render_human, render_json};
use osteon::load::Section;
use osteon::{Options, Report};

// A build allocates millions of short-lived strings across threads; with the
// system allocator malloc and free took about a quarter of build CPU.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "osteon",
    version,
    about = "Build a health-information site that never publishes a broken reference"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new site that checks clean into DIR (created if missing; refused if not empty).
    Init {
        /// The folder for the new site.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Build the site into the output folder (nothing is written if there are errors).
    Build {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site [default: ROOT/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override `base_url` from site.toml.
        #[arg(long, value_parser = base_url)]
        base_url: Option<String>,
        /// Publish drafts too.
        #[arg(long)]
        drafts: bool,
        /// Treat warnings (overdue reviews, reading level) as errors.
        #[arg(long)]
        strict: bool,
    },
    /// Check every file, link and template without writing anything.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Check the site as `build --base-url URL` would publish it.
        #[arg(long, value_parser = base_url)]
        base_url: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Check drafts too, as `build --drafts` publishes them.
        #[arg(long)]
        drafts: bool,
        /// Treat warnings (overdue reviews, reading level) as errors.
        #[arg(long)]
        strict: bool,
        /// Also ask every external http(s) link whether it still answers
        /// (bounded by `[external]` in site.toml; answers are cached).
        #[arg(long)]
        external: bool,
    },
    /// One row per article: words, reading grade, links, review dates.
    Report {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Serve the site on this computer, rebuilding it and updating open pages on every save.
    Serve {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; the default keeps the site on this computer.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Preview drafts too, each marked with a "Draft" banner.
        #[arg(long)]
        drafts: bool,
        /// Keep the preview tab where it is when an article is saved, rather
        /// than taking it to that article.
        #[arg(long)]
        no_follow: bool,
    },
    /// Create a new draft article, glossary entry or page, with placeholders to replace.
    New {
        #[arg(value_enum)]
        kind: Kind,
        slug: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Article,
    Glossary,
    Page,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `build` and `serve` hold every page of the site at once: 2 MiB pages
/// would raise their peak memory by a fifth (575 against 470 MiB on the
/// 10,000-article bench, past its 500 MiB target). `check` holds far less, and
/// with them spends half the system time on page faults (0.18 against 0.35 s).
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            strict,
        } => {
            small_pages_only();
            let options = Options {
                root,
                output,
                base_url,
                drafts,
                strict,
                today: today()?,
                external: false,
            };
            let report = osteon::build(&options)?;
            print_human(&report);
            if let Some(stats) = &report.written {
                if stats.repaired {
                    eprintln!(
                        "note: the previous build was interrupted; its output has been repaired"
                    );
                }
                eprintln!(
                    "built {} files into {} ({} written, {} unchanged, {} removed)",
                    report.pages,
                    options.output_dir().display(),
                    stats.written,
                    stats.unchanged,
                    stats.removed
                );
            }
            Ok(exit(&report))
        }
        Command::Check {
            root,
            base_url,
            format,
            drafts,
            strict,
            external,
        } => {
            let options = Options {
                root,
                drafts,
                base_url,
                strict,
                external,
                today: today()?,
                ..Options::default()
            };
            let report = osteon::check(&options)?;
            // On stderr, after the diagnostics it counts (beside the JSON too).
            let summary = || {
                if let Some(summary) = &report.external {
                    eprintln!("{summary}");
                }
            };
            match format {
                Format::Human => {
                    print_human(&report);
                    summary();
                    if !report.has_errors() {
                        eprintln!("checked {} files: no errors", report.pages);
                    }
                }
                Format::Json => {
                    let json = render_json(&report.diagnostics, &report.sources);
                    // A closed pipe (`| head`) is not an error worth reporting.
                    let _ = std::io::stdout().write_all(json.as_bytes());
                    summary();
                }
            }
            Ok(exit(&report))
        }
        Command::Report { root, format } => {
            let options = Options {
                root,
                today: today()?,
                ..Options::default()
            };
            let (rows, report) = osteon::report(&options)?;
            print_human(&report);
            let text = match format {
                Format::Human => osteon::publishing::render_table(&rows),
                Format::Json => {
                    serde_json::to_string_pretty(&serde_json::json!({ "articles": rows }))? + "\n"
                }
            };
            let _ = std::io::stdout().write_all(text.as_bytes());
            Ok(exit(&report))
        }
        Command::Serve {
            root,
            bind,
            port,
            drafts,
            no_follow,
        } => {
            small_pages_only();
            let config = osteon::serve::Config {
                options: Options {
                    root,
                    drafts,
                    today: today()?,
                    ..Options::default()
                },
                addr: std::net::SocketAddr::new(bind, port),
                settle: osteon::serve::SETTLE,
                follow: !no_follow,
                fail_on: None,
            };
            let ctrl_c = async {
                // Without a Ctrl-C handler the default one still ends the process.
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            osteon::serve::run(
                &config,
                |started| println!("serving {}", started.url),
                ctrl_c,
            )?;
            eprintln!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::New { kind, slug, root } => {
            let section = match kind {
                Kind::Article => Section::Article,
                Kind::Glossary => Section::Glossary,
                Kind::Page => Section::Page,
            };
            let today = jiff::Zoned::now().date().to_string();
            let path = osteon::new::create(&root, section, &slug, &today)?;
            eprintln!(
                "created {} (a draft: replace each `{}` placeholder, then remove `draft = true` to publish it)",
                path.display(),
                osteon::parse::placeholder::MARKER
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => {
            let today = match today()? {
                Some(date) => date.0,
                None => jiff::Zoned::now().date(),
            };
            let written = osteon::init::init(&dir, today)?;
            eprintln!(
                "created a new site in {} ({} files)

{}",
                dir.display(),
                written.len(),
                osteon::init::next_steps(&dir)
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `--base-url`, checked as `base_url` in site.toml is: a bad one is a
/// command-line error (exit status 2), as it is no file's fault.
fn base_url(url: &str) -> Result<String, String> {
    osteon::parse::meta::check_base_url(url).map(|()| url.to_string())
}

/// Today's date, or `OSTEON_TODAY` (YYYY-MM-DD) so tests and CI can fix it.
fn today() -> anyhow::Result<Option<osteon::parse::meta::Date>> {
    match std::env::var("OSTEON_TODAY") {
        Ok(value) => {
            let date = value.parse().map_err(|e| {
                anyhow::anyhow!("OSTEON_TODAY={value} is not a date (YYYY-MM-DD): {e}")
            })?;
            Ok(Some(osteon::parse::meta::Date(date)))
        }
        Err(_) => Ok(None),
    }
}

fn print_human(report: &Report) {
    if report.diagnostics.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal();
    let text = render_human(&report.diagnostics, &report.sources, color);
    let _ = std::io::stderr().write_all(text.as_bytes());
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.diagnostics.len() - errors;
    if errors > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s); nothing was written");
    } else {
        eprintln!("{warnings} warning(s)");
    }
}

fn exit(report: &Report) -> ExitCode {
    if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
