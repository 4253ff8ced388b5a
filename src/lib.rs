//! osteon: a static-site generator for health articles that refuses to publish
//! a broken reference.
//!
//! The pipeline is `load → parse → resolve → render → write`, one module each;
//! [`compile`] runs the pure middle stages in memory, [`check`] and [`build`]
//! add the file system. See ARCHITECTURE.md.

pub mod diagnostic;
pub mod external;
pub mod glossary;
pub mod init;
pub mod link_text;
pub mod load;
pub mod new;
pub mod parse;
pub mod problems;
pub mod publishing;
pub mod render;
pub mod resolve;
pub mod search;
pub mod serve;
pub mod url;
pub mod verify;
pub mod write;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use diagnostic::{Diagnostic, SourceMap};
use load::Sources;
use parse::{markdown, meta};
use problems::{Origin, Problems};
use render::Outputs;

/// What a build or check is asked to do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub root: PathBuf,
    /// Defaults to `ROOT/public`.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Turn warnings into errors, for publishers' CI.
    pub strict: bool,
    /// The date reviews are judged against; today when `None`.
    pub today: Option<meta::Date>,
    /// `check --external`: ask every external link whether it still answers.
    pub external: bool,
}

impl Options {
    pub fn today(&self) -> meta::Date {
        self.today
            .unwrap_or_else(|| meta::Date(jiff::Zoned::now().date()))
    }

    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// The result of the pure stages: the site if it has no errors, and every problem.
pub struct Compiled {
    pub outputs: Option<Outputs>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and resolves a loaded site: everything `report` needs.
fn resolve_site(
    sources: &Sources,
    options: &Options,
    output: markdown::Output,
) -> (Option<resolve::Site>, Problems) {
    let (parsed, mut problems) = parse::parse(sources, &overrides(options), output);
    let site = resolve_parsed(parsed, sources, options, &mut problems);
    (site, problems)
}

fn overrides(options: &Options) -> parse::Overrides {
    parse::Overrides {
        base_url: options.base_url.clone(),
    }
}

/// The parsed site resolved, its problems added to `problems`.
fn resolve_parsed(
    parsed: Option<parse::Parsed>,
    sources: &Sources,
    options: &Options,
    problems: &mut Problems,
) -> Option<resolve::Site> {
    parsed.map(|parsed| {
        let files = resolve::Files::from_sources(sources, options.drafts);
        let (site, found) = resolve::resolve(parsed, files);
        problems.extend(Origin::Links, found);
        site
    })
}

/// The last step of a build, a check and a `serve` rebuild alike: every
/// problem found, and the output check (`verify`) only on a site with no
/// other error, so it never repeats a problem already reported against a
/// source. Returns the sorted diagnostics and whether the output passed.
pub(crate) fn conclude(
    mut diagnostics: Vec<Diagnostic>,
    strict: bool,
    verify: impl FnOnce() -> Vec<Diagnostic>,
) -> (Vec<Diagnostic>, bool) {
    let mut verified = false;
    if !diagnostics.iter().any(Diagnostic::is_error) {
        let problems = verify();
        verified = !problems.iter().any(Diagnostic::is_error);
        diagnostics.extend(problems);
    }
    if strict {
        for d in &mut diagnostics {
            d.severity = diagnostic::Severity::Error;
        }
        verified &= diagnostics.is_empty();
    }
    diagnostic::sort(&mut diagnostics);
    (diagnostics, verified)
}

/// How much of the site [`compile`] renders and verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every page: what `build` publishes.
    Everything,
    /// Every source check, and whole pages only for a sample that tries each
    /// template (see [`render::render_sample`]): what `check` does, in a
    /// fraction of the time. The outputs hold empty placeholders.
    Sample,
}

impl Scope {
    /// What to make of each body: `check` renders a sample, which parses its
    /// pages again with their HTML.
    fn output(self) -> markdown::Output {
        markdown::Output {
            html: self == Scope::Everything,
            stats: false,
        }
    }
}

/// Parses, resolves and renders a loaded site, in memory.
pub fn compile(sources: &Sources, options: &Options) -> Compiled {
    compile_scoped(sources, options, Scope::Everything)
}

/// [`compile`], rendering and verifying only what `scope` asks for.
pub fn compile_scoped(sources: &Sources, options: &Options, scope: Scope) -> Compiled {
    let resolved = resolve_checked(sources, options, scope);
    render_checked(resolved, sources, options, scope, None)
}

/// A build's [`render::Sink`]: each output is scanned for the output check,
/// read for the search index and staged to be written as soon as it is
/// made, then dropped, so the site is never held whole in memory.
struct Streamed<'a> {
    stage: &'a write::Stage,
    reader: search::Reader,
    /// Numbers the outputs for the search index as they come.
    slots: AtomicUsize,
    scans: Mutex<Vec<(String, verify::Scanned)>>,
    cards: Mutex<Vec<(String, search::Card)>>,
}

impl<'a> Streamed<'a> {
    fn new(stage: &'a write::Stage, reader: search::Reader) -> Self {
        Streamed {
            stage,
            reader,
            slots: AtomicUsize::new(0),
            scans: Mutex::default(),
            cards: Mutex::default(),
        }
    }

    fn take_scans(&self) -> Vec<(String, verify::Scanned)> {
        std::mem::take(&mut *lock(&self.scans))
    }

    /// What the search index read of the pages.
    fn into_read(self) -> search::Read {
        let cards = self
            .cards
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        self.reader.into_read(cards)
    }
}

impl render::Sink for Streamed<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>, reported: Option<&[String]>) -> Vec<u8> {
        let slot = self.slots.fetch_add(1, Ordering::Relaxed);
        let (scan, card) = verify::scan_streamed((slot, path), &bytes, reported, &self.reader);
        self.stage.put(path, &bytes);
        lock(&self.scans).push((path.to_string(), scan));
        if let Some(card) = card {
            lock(&self.cards).push((path.to_string(), card));
        }
        Vec::new()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A site parsed, resolved and through the publishing checks, with what
/// they found: all that needs the content files' texts.
struct Resolved {
    site: resolve::Site,
    problems: Problems,
}

/// The first half of [`compile_scoped`]: parse, resolve and the publishing
/// checks. `Err` is the result of a site that could not be resolved.
fn resolve_checked(
    sources: &Sources,
    options: &Options,
    scope: Scope,
) -> Result<Resolved, Compiled> {
    let (site, mut problems) = resolve_site(sources, options, scope.output());
    let Some(site) = site else {
        return Err(unresolved(&problems, options));
    };
    let policy = publishing::Policy::new(&site.parsed.config, options.today());
    add_publishing(&mut problems, publishing::check(&site, sources, &policy));
    Ok(Resolved { site, problems })
}

/// [`resolve_checked`] for `build` and `check`, which own their sources:
/// each content text is freed once its page is parsed and checked (see
/// [`parse::parse_releasing`]); afterwards a text is read again only to
/// point a diagnostic into it, or to parse a page of `check`'s sample again.
fn resolve_releasing(
    sources: &mut Sources,
    options: &Options,
    scope: Scope,
) -> Result<Resolved, Compiled> {
    let today = options.today();
    let check = |config: &meta::SiteConfig| -> parse::PageCheck {
        let policy = publishing::Policy::new(config, today);
        Box::new(move |page, text| publishing::check_page(page, text, &policy))
    };
    let (parsed, mut problems, checked) =
        parse::parse_releasing(sources, &overrides(options), scope.output(), check);
    let Some(site) = resolve_parsed(parsed, sources, options, &mut problems) else {
        return Err(unresolved(&problems, options));
    };
    // Only the published pages: not the drafts `resolve` left out.
    let published = checked
        .into_iter()
        .filter(|d| site.position(&d.file).is_some());
    add_publishing(&mut problems, published);
    let policy = publishing::Policy::new(&site.parsed.config, today);
    add_publishing(
        &mut problems,
        publishing::check_data(&site, sources, &policy),
    );
    Ok(Resolved { site, problems })
}

/// [`compile_scoped`] for `build` and `check`, through [`resolve_releasing`];
/// a build's outputs go to `streamed` as they are made.
fn compile_releasing(
    sources: &mut Sources,
    options: &Options,
    scope: Scope,
    streamed: Option<&Streamed>,
) -> Compiled {
    let resolved = resolve_releasing(sources, options, scope);
    render_checked(resolved, sources, options, scope, streamed)
}

fn add_publishing(problems: &mut Problems, found: impl IntoIterator<Item = Diagnostic>) {
    for d in found {
        problems.add(Origin::Publishing(d.file.as_str().into()), d);
    }
}

/// The result of a site whose `site.toml` could not be used.
fn unresolved(problems: &Problems, options: &Options) -> Compiled {
    let (diagnostics, _) = conclude(problems.diagnostics(), options.strict, Vec::new);
    Compiled {
        outputs: None,
        diagnostics,
    }
}

/// The second half of [`compile_scoped`]: render, then the output check,
/// for a site that could be resolved (`Err` is the result of one that could not).
fn render_checked(
    resolved: Result<Resolved, Compiled>,
    sources: &Sources,
    options: &Options,
    scope: Scope,
    streamed: Option<&Streamed>,
) -> Compiled {
    let Resolved { site, mut problems } = match resolved {
        Ok(resolved) => resolved,
        Err(compiled) => return compiled,
    };
    let base_path = site.parsed.config.base_path();
    // The parsed pages are not needed past rendering: they are freed before
    // the output check allocates.
    let (outputs, rendered, found) = match scope {
        Scope::Everything => {
            let (outputs, found) = match streamed {
                Some(sink) => render::render_into(site, sources, sink),
                None => render::render(site, sources),
            };
            (outputs, None, found)
        }
        Scope::Sample => {
            let (outputs, rendered, found) = render::render_sample(site, sources);
            (outputs, Some(rendered), found)
        }
    };
    problems.replace(found);
    let template_file = sources;
    let (diagnostics, ok) = conclude(problems.diagnostics(), options.strict, || match &rendered {
        None if let Some(streamed) = streamed => {
            verify::verify_scanned(&outputs, streamed.take_scans(), &base_path, template_file)
        }
        None => verify::verify(&outputs, &base_path, template_file),
        Some(rendered) => verify::verify_pages(
            &verify::Index::new(&outputs),
            &outputs,
            &Outputs::default(),
            rendered.iter().map(String::as_str),
            &base_path,
            template_file,
        ),
    });
    Compiled {
        outputs: ok.then_some(outputs),
        diagnostics,
    }
}

/// What `check` and `build` report: the problems and the texts they point into.
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// Set by `build` when the site was written.
    pub written: Option<write::WriteStats>,
    pub pages: usize,
    /// Set by `check --external`.
    pub external: Option<external::Summary>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

pub(crate) fn source_map(sources: &Sources) -> SourceMap {
    source_map_of(sources, |_| true)
}

/// The texts of the files the diagnostics point into: a copy of every source
/// would cost a large site as much memory again.
fn source_map_for(sources: &Sources, diagnostics: &[Diagnostic]) -> SourceMap {
    let files: std::collections::HashSet<&str> =
        diagnostics.iter().map(|d| d.file.as_str()).collect();
    source_map_of(sources, |path| files.contains(path))
}

fn source_map_of(sources: &Sources, wanted: impl Fn(&str) -> bool) -> SourceMap {
    let mut map = SourceMap::default();
    for file in sources
        .config
        .iter()
        .chain(&sources.data)
        .chain(&sources.templates)
        .filter(|file| wanted(&file.path))
    {
        map.insert(&file.path, &file.text);
    }
    for file in sources.content.iter().filter(|file| wanted(&file.path)) {
        map.insert(&file.path, &sources.content_text(file));
    }
    map
}

/// Loads and checks the site without writing anything: every source check,
/// with a sample of pages rendered to test the theme (see [`Scope::Sample`]).
pub fn check(options: &Options) -> anyhow::Result<Report> {
    let (mut sources, mut diagnostics) = load::load(&options.root)?;
    // `--external` reads every text again, after the rest.
    let compiled = if options.external {
        compile_scoped(&sources, options, Scope::Sample)
    } else {
        compile_releasing(&mut sources, options, Scope::Sample, None)
    };
    diagnostics.extend(compiled.diagnostics);
    let mut summary = None;
    if options.external
        && let Some((found, mut problems)) = external::check(&sources, options)?
    {
        if options.strict {
            for d in &mut problems {
                d.severity = diagnostic::Severity::Error;
            }
        }
        diagnostics.append(&mut problems);
        summary = Some(found);
    }
    diagnostic::sort(&mut diagnostics);
    Ok(Report {
        pages: compiled.outputs.as_ref().map_or(0, |o| o.files.len()),
        sources: source_map_for(&sources, &diagnostics),
        diagnostics,
        written: None,
        external: summary,
    })
}

/// Loads, compiles and, only if there are no errors, writes the site. Each
/// output is staged as it is made (see [`write::Stage`]) and the staged site
/// moved into the output folder only once it has no errors.
pub fn build(options: &Options) -> anyhow::Result<Report> {
    let (mut sources, mut diagnostics) = load::load(&options.root)?;
    let out = options.output_dir();
    // A site that loads with a problem (an unreadable file, invalid UTF-8
    // read as lossy text) is never served from a fingerprint, which only a
    // build that reported nothing keeps (see [`write::unchanged`]).
    let inputs = diagnostics
        .is_empty()
        .then(|| write::Inputs::of(&sources, options))
        .flatten();
    if let Some(stats) = inputs.and_then(|inputs| write::unchanged(&out, inputs)) {
        return Ok(Report {
            sources: source_map_for(&sources, &diagnostics),
            diagnostics,
            pages: stats.unchanged,
            written: Some(stats),
            external: None,
        });
    }
    let stage = write::Stage::open(&out)?;
    let streamed = Streamed::new(&stage, search::Reader::for_sources(&sources));
    let compiled = compile_releasing(&mut sources, options, Scope::Everything, Some(&streamed));
    diagnostics.extend(compiled.diagnostics);
    diagnostic::sort(&mut diagnostics);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let mut written = None;
    let mut pages = 0;
    if let (Some(mut outputs), false) = (compiled.outputs, has_errors) {
        // The search index is made only for a site that will be written.
        let index = search::index_of(&outputs, streamed.into_read());
        index
            .par_iter()
            .for_each(|(path, bytes)| stage.put(path, bytes));
        outputs
            .files
            .extend(index.into_keys().map(|path| (path, Vec::new())));
        pages = outputs.files.len();
        written = Some(stage.commit(&outputs)?);
        // A warning must be printed by every build: only a build that
        // reported nothing may be skipped next time.
        if let (Some(inputs), true) = (inputs, diagnostics.is_empty()) {
            write::remember(&out, inputs)?;
        }
    }
    Ok(Report {
        sources: source_map_for(&sources, &diagnostics),
        diagnostics,
        written,
        pages,
        external: None,
    })
}

/// The site folder a relative `--root` means.
pub fn root_from(dir: Option<&Path>) -> PathBuf {
    dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `osteon report`: one row per article, from the parsed and resolved site.
pub fn report(options: &Options) -> anyhow::Result<(Vec<publishing::Row>, Report)> {
    let (sources, mut diagnostics) = load::load(&options.root)?;
    let output = markdown::Output {
        html: false,
        stats: true,
    };
    let (site, problems) = resolve_site(&sources, options, output);
    diagnostics.extend(problems.diagnostics());
    let rows = site.map_or_else(Vec::new, |site| {
        let policy = publishing::Policy::new(&site.parsed.config, options.today());
        publishing::report(&site, &policy)
    });
    diagnostic::sort(&mut diagnostics);
    Ok((
        rows,
        Report {
            sources: source_map_for(&sources, &diagnostics),
            diagnostics,
            written: None,
            pages: 0,
            external: None,
        },
    ))
}
