//! Pages to HTML with the theme's Tera templates: the only code that knows tera.
//!
//! Shortcode holes and glossary notes are filled, each page is rendered in
//! parallel, and the index pages (home, glossary A–Z, topics, 404) are added.
//! This root chooses what to render (a build, `serve`'s selection, `check`'s
//! sample) and collects the outputs; the children do the work: `theme` loads
//! the templates, `pages` makes each page's context, `holes` fills shortcodes
//! and glossary notes, `indexes` makes the outputs no source makes, and
//! `errors` turns tera's errors into diagnostics.

mod errors;
mod holes;
mod ids;
mod indexes;
pub mod machine;
pub mod minify;
mod pages;
mod tests_of_text;
mod theme;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::load::{SourceFile, Sources};
use crate::parse::markdown::{Body, Output, Target};
use crate::parse::{self, Page};
use crate::problems::{Found, Origin};
use crate::resolve::Site;
use crate::url::{self, OutputPath};

use indexes::MACHINE_FILES;
use pages::Renderer;
pub(crate) use theme::fnv1a;
pub use theme::{Theme, hashed_assets, load_theme, load_theme_as_written};

/// The rendered site: output path → bytes, in a stable order.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    pub files: BTreeMap<String, Vec<u8>>,
    /// For the output check, by output path: the link texts of each page's
    /// content that the Markdown check reported on their source lines (bare
    /// web addresses, a warning), so the output check, which meets them
    /// again on the page, does not report them a second time as a
    /// template's. Only pages rendered with such links have an entry; `None`
    /// when not known (outputs put together from several renders).
    pub reported: Option<BTreeMap<String, Vec<String>>>,
}

/// Two renders are the same site when their files are: `reported` is the
/// render's note to the output check, not part of the site.
impl PartialEq for Outputs {
    fn eq(&self, other: &Outputs) -> bool {
        self.files == other.files
    }
}

/// Templates every theme must have, and what each renders.
pub const REQUIRED: [&str; 8] = [
    "home.html",
    "article.html",
    "glossary-entry.html",
    "glossary-index.html",
    "page.html",
    "topic.html",
    "topics.html",
    "404.html",
];

/// A page's output path, its HTML or template error, and its content problems.
type RenderedPage = (OutputPath, Result<Vec<u8>, Diagnostic>, Vec<Diagnostic>);

/// Which outputs to render; a full build renders everything.
#[derive(Clone, Copy, Debug)]
pub struct Selection<'a> {
    /// Pages by index into `site.pages()`; `None` means every page.
    pub pages: Option<&'a HashSet<usize>>,
    /// Home, glossary index, topics, 404, sitemap and feed.
    pub indexes: Indexes,
    /// Static files.
    pub assets: bool,
}

impl Selection<'_> {
    pub const ALL: Selection<'static> = Selection {
        pages: None,
        indexes: Indexes::All,
        assets: true,
    };
}

/// Which of the outputs that no source file makes to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indexes {
    None,
    /// Home, glossary index, 404 and one topic page of each length: each
    /// index template once, and each branch of `topic.html`. The other topic pages, the sitemap and the feed are
    /// empty placeholders, so links to them still resolve.
    Sample,
    All,
}

/// The template that renders an output path, for naming it in diagnostics.
pub fn template_of(output: &str) -> &'static str {
    match output {
        "index.html" => "home.html",
        "404.html" => "404.html",
        "glossary/index.html" => "glossary-index.html",
        "topics/index.html" => "topics.html",
        crate::search::PAGE => indexes::SEARCH_TEMPLATE,
        _ if output.starts_with("articles/") => "article.html",
        _ if output.starts_with("glossary/") => "glossary-entry.html",
        _ if output.starts_with("topics/") => "topic.html",
        _ => "page.html",
    }
}

/// Where each output goes as it is made: kept in [`Outputs`] (by `check`,
/// `serve` and the tests), or handed on and dropped (by a build, which
/// checks and stages each page while it is fresh, so the site is never held
/// whole in memory).
pub trait Sink: Sync {
    /// Takes output `path`, whose content's link texts reported already are
    /// `reported` (see [`Outputs::reported`]); returns the bytes the
    /// outputs keep for it.
    fn put(&self, path: &str, bytes: Vec<u8>, reported: Option<&[String]>) -> Vec<u8>;
}

/// Keeps every output.
struct Keep;

impl Sink for Keep {
    fn put(&self, _: &str, bytes: Vec<u8>, _: Option<&[String]>) -> Vec<u8> {
        bytes
    }
}

/// Loads the theme and renders the whole site. The site is used up: each
/// page's body (its HTML, headings, links and holes) is freed as soon as its
/// page is rendered, so a large site is never held twice over, as bodies and
/// as pages, and the pages' checks and search words take the bodies' room.
pub fn render(site: Site, sources: &Sources) -> (Outputs, Found) {
    render_into(site, sources, &Keep)
}

/// [`render`], each output handed to `sink` as it is made: the outputs keep
/// what the sink gives back.
pub fn render_into(mut site: Site, sources: &Sources, sink: &dyn Sink) -> (Outputs, Found) {
    let theme = match load_theme(&site, sources) {
        Ok(theme) => theme,
        Err(diagnostics) => return (Outputs::default(), vec![(Origin::Theme, diagnostics)]),
    };
    // `serve` shares pages between rebuilds; a build's are its own.
    let bodies: Vec<(usize, Option<Body>)> = site
        .parsed
        .pages
        .iter_mut()
        .enumerate()
        .map(|(i, page)| (i, Arc::get_mut(page).map(|p| std::mem::take(&mut p.body))))
        .collect();
    render_jobs(&site, sources, &theme, bodies, Selection::ALL, sink)
}

/// What `check` renders. Every page's shortcodes and glossary notes are
/// rendered, since their errors belong to the content; whole pages only for a
/// sample that tries every template: one page of each index template (see
/// [`Indexes::Sample`]), the first page of each shape (see [`pages::shape`])
/// and of each distinct shortcode call, plus the pages
/// those link to with a `#fragment`, rendered only so the output check can see
/// their ids. The site was parsed without body HTML; the sampled pages are
/// parsed again with it. Each page not rendered gets an empty placeholder, so
/// links to it still resolve. Returns the outputs and the paths to verify.
pub fn render_sample(mut site: Site, sources: &Sources) -> (Outputs, Vec<String>, Found) {
    let theme = match load_theme(&site, sources) {
        Ok(theme) => theme,
        Err(diagnostics) => {
            return (
                Outputs::default(),
                Vec::new(),
                vec![(Origin::Theme, diagnostics)],
            );
        }
    };
    let pages = site.pages();
    // The first page of each shape: every branch a template takes on what it
    // knows of a page besides its words (see [`pages::shape`]).
    let tests = tests_of_text::text_tests(sources);
    let shapes: Vec<pages::Shape> = (0..pages.len())
        .into_par_iter()
        .map(|i| pages::shape(&site, i, &tests))
        .collect();
    let mut seen = HashSet::new();
    let mut sample: Vec<usize> = (shapes.into_iter().enumerate())
        .filter_map(|(i, shape)| seen.insert(shape).then_some(i))
        .collect();
    // A shortcode's output depends only on its call: the first page of each
    // distinct call is rendered and checked whole, so a link a shortcode
    // writes is found by `check` as by `build`, at the cost of a few pages.
    let sampled: HashSet<usize> = sample.iter().copied().collect();
    let mut calls = HashSet::new();
    for (i, page) in pages.iter().enumerate() {
        let new = page
            .body
            .shortcodes
            .iter()
            .filter(|c| calls.insert(c.key()))
            .count();
        if new > 0 && !sampled.contains(&i) {
            sample.push(i);
        }
    }
    let mut selected: HashSet<usize> = sample.iter().copied().collect();
    selected.extend(
        sample
            .iter()
            .flat_map(|&i| fragment_targets(&site, &pages[i])),
    );
    with_html(&mut site, sources, &selected);
    let pages = site.pages();
    // The sample and the holes of the other pages are independent: each
    // half's serial steps run while the other keeps the cores busy.
    let ((mut outputs, mut found), holes) = rayon::join(
        || {
            let selection = Selection {
                pages: Some(&selected),
                indexes: Indexes::Sample,
                ..Selection::ALL
            };
            render_selected(&site, sources, &theme, selection)
        },
        || unrendered_holes(&site, sources, &theme, &selected),
    );
    found.extend(holes);
    let mut verify: Vec<String> = sample
        .iter()
        .map(|&i| url::output_of_source(&pages[i].path))
        .chain(
            outputs
                .files
                .iter()
                .filter(|(p, html)| is_index(p) && !html.is_empty())
                .map(|(p, _)| p.clone()),
        )
        .collect();
    verify.sort();
    for page in pages {
        outputs
            .files
            .entry(url::output_of_source(&page.path))
            .or_default();
    }
    // Freed one by one, the pages take as long as the sample took to render.
    site.parsed.pages.into_par_iter().for_each(drop);
    (outputs, verify, found)
}

/// The problems of the shortcodes and glossary notes of the pages not `selected`.
pub(super) fn unrendered_holes(
    site: &Site,
    sources: &Sources,
    theme: &Theme,
    selected: &HashSet<usize>,
) -> Found {
    let unrendered: Vec<&Page> = site
        .pages()
        .iter()
        .enumerate()
        .filter(|(i, _)| !selected.contains(i))
        .map(|(_, page)| &**page)
        .collect();
    let mut r = Renderer::new(site, sources, theme);
    r.render_notes(unrendered.iter().map(|page| &page.body));
    unrendered
        .par_iter()
        .map(|page| {
            let problems = r.fill(page, &page.body, |_| {});
            (
                Origin::Output(url::output_of_source(&page.path).into()),
                problems,
            )
        })
        .collect()
}

/// Parses the `selected` pages again, with the body HTML that `check` leaves
/// out of the rest.
fn with_html(site: &mut Site, sources: &Sources, selected: &HashSet<usize>) {
    let base_path = site.parsed.config.base_path();
    let files: HashMap<&str, &SourceFile> = (sources.content.iter())
        .map(|f| (f.path.as_str(), f))
        .collect();
    for &i in selected {
        let page = &mut site.parsed.pages[i];
        let Some(file) = files.get(page.path.as_str()) else {
            continue;
        };
        let output = Output {
            html: true,
            stats: false,
        };
        let file = SourceFile {
            path: file.path.clone(),
            text: sources.content_text(file).into_owned(),
        };
        if let (Some(full), _) = parse::parse_page(&file, &base_path, output) {
            *page = Arc::new(full);
        }
    }
}

/// Pages of the site that `page` links to with a `#fragment`.
fn fragment_targets<'s>(site: &'s Site, page: &'s Page) -> impl Iterator<Item = usize> + 's {
    page.body
        .links
        .iter()
        .filter_map(|link| match &link.target {
            Target::Source {
                path,
                fragment: Some(_),
            } => site.position(path),
            _ => None,
        })
}

/// Home, glossary index, topics and 404: the outputs no source file makes.
fn is_index(output: &str) -> bool {
    matches!(
        template_of(output),
        "home.html"
            | "404.html"
            | "glossary-index.html"
            | "topic.html"
            | "topics.html"
            | indexes::SEARCH_TEMPLATE
    )
}

/// Renders the selected pages and indexes with a loaded theme.
pub fn render_selected(
    site: &Site,
    sources: &Sources,
    theme: &Theme,
    selection: Selection,
) -> (Outputs, Found) {
    // A selection is walked directly: serve renders a few pages of a large site.
    let selected: Vec<(usize, Option<Body>)> = match selection.pages {
        None => (0..site.pages().len()).map(|i| (i, None)).collect(),
        Some(only) => {
            let mut only: Vec<usize> = only.iter().copied().collect();
            only.sort_unstable();
            only.into_iter().map(|i| (i, None)).collect()
        }
    };
    render_jobs(site, sources, theme, selected, selection, &Keep)
}

/// Renders pages `i` of `jobs`, each with its body if it was taken out of
/// the page (freed once the page is rendered), and the indexes and assets
/// `selection` asks for. Every output tried is in the problems found, with
/// none if it rendered cleanly.
fn render_jobs(
    site: &Site,
    sources: &Sources,
    theme: &Theme,
    jobs: Vec<(usize, Option<Body>)>,
    selection: Selection,
    sink: &dyn Sink,
) -> (Outputs, Found) {
    let mut found = Found::new();
    let mut r = Renderer::new(site, sources, theme);
    r.render_notes(jobs.iter().map(|job| job_body(site, job).1));
    let jobs_reported: BTreeMap<String, Vec<String>> = jobs
        .iter()
        .map(|job| job_body(site, job))
        .filter(|(_, body)| !body.bare_addresses.is_empty())
        .map(|(i, body)| {
            let path = url::output_of_source(&site.pages()[i].path);
            (path, body.bare_addresses.clone())
        })
        .collect();
    let reported = |path: &str| Some(jobs_reported.get(path).map_or(&[][..], Vec::as_slice));
    let pages: Vec<RenderedPage> = jobs
        .into_par_iter()
        .map(|(i, body)| {
            let page = &site.pages()[i];
            let (html, problems) = r.page(i, page, body_or(&body, page));
            let path = url::output_of_source(&page.path);
            let html = html.map(|html| sink.put(&path, compact(html), reported(&path)));
            (path.into(), html, problems)
        })
        .collect();
    let mut outputs = Outputs::default();
    for (path, html, mut problems) in pages {
        match html {
            Ok(html) => {
                outputs.files.insert(path.to_string(), html);
            }
            Err(d) => problems.push(d),
        }
        found.push((Origin::Output(path), problems));
    }
    if selection.indexes != Indexes::None {
        let all = selection.indexes == Indexes::All;
        let indexes = r.indexes(all);
        let index_urls: Vec<String> = indexes
            .iter()
            // A search page is no page for search engines to list.
            .filter(|(path, _)| path.ends_with("index.html") && path != crate::search::PAGE)
            .map(|(path, _)| path.trim_end_matches("index.html").to_string())
            .collect();
        for (path, html) in indexes {
            let problems = match html {
                Ok(html) => {
                    let kept = sink.put(&path, html, reported(&path));
                    outputs.files.insert(path.clone(), kept);
                    Vec::new()
                }
                Err(d) => vec![d],
            };
            found.push((Origin::Output(path.into()), problems));
        }
        if all {
            for (path, bytes) in r.machine_files(&index_urls) {
                let kept = sink.put(&path, bytes, reported(&path));
                outputs.files.insert(path, kept);
            }
        } else {
            outputs
                .files
                .extend(MACHINE_FILES.map(|path| (path.to_string(), Vec::new())));
        }
    }
    if selection.assets {
        let assets = hashed_assets(sources);
        for asset in &sources.assets {
            let name = assets
                .get(&asset.output)
                .cloned()
                .unwrap_or_else(|| asset.output.clone());
            let kept = sink.put(&name, asset.bytes.clone(), reported(&name));
            outputs.files.insert(name, kept);
        }
    }
    outputs.reported = Some(jobs_reported);
    (outputs, found)
}

/// The body taken out of `page` for rendering, or else the page's own.
fn body_or<'b>(taken: &'b Option<Body>, page: &'b Page) -> &'b Body {
    taken.as_ref().unwrap_or(&page.body)
}

/// A job's page number and the body it is rendered with.
fn job_body<'b>(site: &'b Site, (i, taken): &'b (usize, Option<Body>)) -> (usize, &'b Body) {
    (*i, body_or(taken, &site.pages()[*i]))
}

/// A rendered page as the site holds it, without the slack its string grew
/// with: the site holds every page at once.
fn compact(html: String) -> Vec<u8> {
    let mut bytes = html.into_bytes();
    bytes.shrink_to_fit();
    bytes
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Selection, load_theme, load_theme_as_written, render_selected};
    use crate::render::minify;

    /// Rendering with the minified theme gives, on every page of the shipped
    /// site, what minify-html makes of the page rendered with the theme as
    /// written: minifying the templates changes only whitespace it would remove.
    #[test]
    fn minified_theme_renders_what_minifying_each_page_would() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (sources, _) = crate::load::load(root).unwrap();
        let options = crate::Options {
            root: root.into(),
            ..Default::default()
        };
        let (site, _) =
            crate::resolve_site(&sources, &options, crate::parse::markdown::Output::ALL);
        let site = site.unwrap();
        let minified = load_theme(&site, &sources).ok().unwrap();
        assert!(minified.as_written.is_some());
        let as_written = load_theme_as_written(&site, &sources).ok().unwrap();
        let (ours, _) = render_selected(&site, &sources, &minified, Selection::ALL);
        let (reference, _) = render_selected(&site, &sources, &as_written, Selection::ALL);
        assert!(ours.files.keys().eq(reference.files.keys()));
        let mut pages = 0;
        for (path, bytes) in ours.files.iter().filter(|(p, _)| p.ends_with(".html")) {
            let ours = std::str::from_utf8(bytes).unwrap();
            let reference = std::str::from_utf8(&reference.files[path]).unwrap();
            assert!(ours.len() < reference.len(), "{path} is no smaller");
            assert_eq!(
                String::from_utf8(minify::html(ours)).unwrap(),
                String::from_utf8(minify::html(reference)).unwrap(),
                "{path}"
            );
            pages += 1;
        }
        assert!(pages > 20, "only {pages} pages");
    }
}
