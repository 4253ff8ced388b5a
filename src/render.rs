//! Pages to HTML with the theme's Tera templates: the only code that knows tera.
//!
//! Shortcode holes and glossary notes are filled, each page is rendered in
//! parallel, and the index pages (home, glossary A–Z, topics, 404) are added.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Value as Json, json};
use tera::{Context, Kwargs, State, Tera, Value};

use crate::data::Data;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::glossary;
use crate::load::{Section, Sources};
use crate::machine;
use crate::markdown::{Output, Segment, Target};
use crate::meta::{Date, SiteConfig};
use crate::minify;
use crate::parse::{self, Meta, Page};
use crate::resolve::{MenuItem, Site};
use crate::url;

/// The rendered site: output path → bytes, in a stable order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs {
    pub files: BTreeMap<String, Vec<u8>>,
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

/// The theme's templates with osteon's functions registered: loaded and
/// checked once, and kept between rebuilds by `serve`.
pub struct Theme {
    /// The templates minified (see [`minify::template`]): what pages are rendered with.
    tera: Tera,
    /// The templates as written, when any was minified: a failed render is
    /// repeated with these so its diagnostic points at the right line.
    as_written: Option<Tera>,
}

impl Theme {
    /// Renders `template`; an error comes from the templates as written.
    fn render(&self, template: &str, context: &Context) -> tera::TeraResult<String> {
        self.tera
            .render(template, context)
            .or_else(|e| match &self.as_written {
                Some(as_written) => as_written.render(template, context),
                None => Err(e),
            })
    }

    fn contains_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    fn template_names(&self) -> impl Iterator<Item = &str> {
        self.tera.get_template_names()
    }
}

/// The files for search engines and feed readers, made without templates.
const MACHINE_FILES: [&str; 3] = ["sitemap.xml", "robots.txt", "atom.xml"];

/// A page's output path, its HTML or template error, and its content problems.
type RenderedPage = (String, Result<Vec<u8>, Diagnostic>, Vec<Diagnostic>);

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
    /// Home, glossary index, 404 and the first topic page: each index
    /// template once. The other topic pages, the sitemap and the feed are
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
        _ if output.starts_with("articles/") => "article.html",
        _ if output.starts_with("glossary/") => "glossary-entry.html",
        _ if output.starts_with("topics/") => "topic.html",
        _ => "page.html",
    }
}

/// Loads the theme and renders the whole site. The site is used up: each
/// page's body HTML is freed as soon as its page is rendered, so a large site
/// is never held twice over, as bodies and as pages.
pub fn render(mut site: Site, sources: &Sources) -> (Outputs, Vec<Diagnostic>) {
    let theme = match load_theme(&site, sources) {
        Ok(theme) => theme,
        Err(diagnostics) => return (Outputs::default(), diagnostics),
    };
    // `serve` shares pages between rebuilds; a build's are its own.
    let bodies: Vec<(usize, Option<String>)> = site
        .parsed
        .pages
        .iter_mut()
        .enumerate()
        .map(|(i, page)| {
            (
                i,
                Arc::get_mut(page).map(|p| std::mem::take(&mut p.body.html)),
            )
        })
        .collect();
    render_jobs(&site, sources, &theme, bodies, Selection::ALL)
}

/// What `check` renders. Every page's shortcodes and glossary notes are
/// rendered, since their errors belong to the content; whole pages only for a
/// sample that tries every template: one page of each index template (see
/// [`Indexes::Sample`]) and the first page of each section, plus the pages
/// those link to with a `#fragment`, rendered only so the output check can see
/// their ids. The site was parsed without body HTML; the sampled pages are
/// parsed again with it. Each page not rendered gets an empty placeholder, so
/// links to it still resolve. Returns the outputs and the paths to verify.
pub fn render_sample(mut site: Site, sources: &Sources) -> (Outputs, Vec<String>, Vec<Diagnostic>) {
    let theme = match load_theme(&site, sources) {
        Ok(theme) => theme,
        Err(diagnostics) => return (Outputs::default(), Vec::new(), diagnostics),
    };
    let pages = site.pages();
    let sample: Vec<usize> = [Section::Article, Section::Glossary, Section::Page]
        .iter()
        .filter_map(|&section| pages.iter().position(|p| p.section == section))
        .collect();
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
    let ((mut outputs, mut diagnostics), holes) = rayon::join(
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
    diagnostics.extend(holes);
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
    (outputs, verify, diagnostics)
}

/// The problems of the shortcodes and glossary notes of the pages not `selected`.
fn unrendered_holes(
    site: &Site,
    sources: &Sources,
    theme: &Theme,
    selected: &HashSet<usize>,
) -> Vec<Diagnostic> {
    let unrendered: Vec<&Page> = site
        .pages()
        .iter()
        .enumerate()
        .filter(|(i, _)| !selected.contains(i))
        .map(|(_, page)| &**page)
        .collect();
    let mut r = Renderer::new(site, sources, theme);
    r.render_notes(unrendered.iter().copied());
    unrendered
        .par_iter()
        .flat_map_iter(|page| r.fill(page, &page.body.html, |_| {}))
        .collect()
}

/// Parses the `selected` pages again, with the body HTML that `check` leaves
/// out of the rest.
fn with_html(site: &mut Site, sources: &Sources, selected: &HashSet<usize>) {
    let base_path = site.parsed.config.base_path();
    for &i in selected {
        let page = &mut site.parsed.pages[i];
        let Some(file) = sources.content.iter().find(|f| f.path == page.path) else {
            continue;
        };
        let output = Output {
            html: true,
            stats: false,
        };
        if let (Some(full), _) = parse::parse_page(file, &base_path, output) {
            *page = Arc::new(full);
        }
    }
}

/// The glossary notes of `page`, in order: each term's path and the note's
/// number on the page.
fn note_keys(page: &Page) -> impl Iterator<Item = (&str, usize)> {
    page.body
        .segments
        .iter()
        .filter_map(|segment| match segment {
            Segment::TermNote(n) => Some(*n),
            _ => None,
        })
        .enumerate()
        .filter_map(|(k, n)| match &page.body.links[n].target {
            Target::Source { path, .. } => Some((path.as_str(), k + 1)),
            _ => None,
        })
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

/// A page's title, URL, description and kind, as backlinks and indexes show it.
fn link_ref(page: &Page, base_path: &str) -> Value {
    map(card_fields(page, base_path))
}

/// The fields of [`link_ref`], for cards that add their own.
fn card_fields(page: &Page, base_path: &str) -> [(&'static str, Value); 4] {
    [
        ("title", page.meta.title().into()),
        ("url", url::of_source(&page.path, base_path).into()),
        ("description", page.meta.description().into()),
        ("kind", section_name(page.section).into()),
    ]
}

/// Home, glossary index, topics and 404: the outputs no source file makes.
fn is_index(output: &str) -> bool {
    matches!(
        template_of(output),
        "home.html" | "404.html" | "glossary-index.html" | "topic.html" | "topics.html"
    )
}

/// Loads the theme's templates; a missing or broken template is a diagnostic.
pub fn load_theme(site: &Site, sources: &Sources) -> Result<Theme, Vec<Diagnostic>> {
    load_theme_as_written(site, sources).map(|theme| minified(theme.tera, sources))
}

/// The theme with each HTML template minified where that is safe, keeping the
/// templates as written for diagnostics. Errors are found in the templates as
/// written first, so they point at the author's lines.
fn minified(as_written: Tera, sources: &Sources) -> Theme {
    let named: Vec<(&str, String)> = sources
        .templates
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .filter_map(|f| Some((sources.template_name(f), minify::template(&f.text)?)))
        .collect();
    let mut tera = as_written.clone();
    match tera.add_raw_templates(named) {
        Ok(()) => Theme {
            tera,
            as_written: Some(as_written),
        },
        // Every tag comes out of the minifier as it went in, so this should not
        // happen; if it does, the templates as written still render the site.
        Err(_) => Theme {
            tera: as_written,
            as_written: None,
        },
    }
}

/// The theme exactly as written, for comparing with the minified one.
pub fn load_theme_as_written(site: &Site, sources: &Sources) -> Result<Theme, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let assets = hashed_assets(sources);
    match templates(site, sources, &assets, &mut diagnostics) {
        Some(tera) => Ok(Theme {
            tera,
            as_written: None,
        }),
        None => Err(diagnostics),
    }
}

/// Renders the selected pages and indexes with a loaded theme.
pub fn render_selected(
    site: &Site,
    sources: &Sources,
    theme: &Theme,
    selection: Selection,
) -> (Outputs, Vec<Diagnostic>) {
    // A selection is walked directly: serve renders a few pages of a large site.
    let selected: Vec<(usize, Option<String>)> = match selection.pages {
        None => (0..site.pages().len()).map(|i| (i, None)).collect(),
        Some(only) => {
            let mut only: Vec<usize> = only.iter().copied().collect();
            only.sort_unstable();
            only.into_iter().map(|i| (i, None)).collect()
        }
    };
    render_jobs(site, sources, theme, selected, selection)
}

/// Renders pages `i` of `jobs`, each with its body HTML if it was taken out
/// of the page (freed once the page is rendered), and the indexes and assets
/// `selection` asks for.
fn render_jobs(
    site: &Site,
    sources: &Sources,
    theme: &Theme,
    jobs: Vec<(usize, Option<String>)>,
    selection: Selection,
) -> (Outputs, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut r = Renderer::new(site, sources, theme);
    r.render_notes(jobs.iter().map(|&(i, _)| &*site.pages()[i]));
    let pages: Vec<RenderedPage> = jobs
        .into_par_iter()
        .map(|(i, body)| {
            let page = &site.pages()[i];
            let (html, problems) = r.page(i, page, body.as_deref().unwrap_or(&page.body.html));
            (
                url::output_of_source(&page.path),
                html.map(compact),
                problems,
            )
        })
        .collect();
    let mut outputs = Outputs::default();
    let mut template_errors = TemplateErrors::default();
    for (path, html, mut problems) in pages {
        diagnostics.append(&mut problems);
        match html {
            Ok(html) => {
                outputs.files.insert(path, html);
            }
            Err(d) => template_errors.add(d, &path),
        }
    }
    if selection.indexes != Indexes::None {
        let all = selection.indexes == Indexes::All;
        let indexes = r.indexes(all);
        let index_urls: Vec<String> = indexes
            .iter()
            .filter(|(path, _)| path.ends_with("index.html"))
            .map(|(path, _)| path.trim_end_matches("index.html").to_string())
            .collect();
        for (path, html) in indexes {
            match html {
                Ok(html) => {
                    outputs.files.insert(path, html);
                }
                Err(d) => template_errors.add(d, &path),
            }
        }
        if all {
            outputs.files.extend(r.machine_files(&index_urls));
        } else {
            outputs
                .files
                .extend(MACHINE_FILES.map(|path| (path.to_string(), Vec::new())));
        }
    }
    diagnostics.extend(template_errors.finish());
    if selection.assets {
        let assets = hashed_assets(sources);
        for asset in &sources.assets {
            let name = assets
                .get(&asset.output)
                .cloned()
                .unwrap_or_else(|| asset.output.clone());
            outputs.files.insert(name, asset.bytes.clone());
        }
    }
    (outputs, diagnostics)
}

/// A rendered page as the site holds it, without the slack its string grew
/// with: the site holds every page at once.
fn compact(html: String) -> Vec<u8> {
    let mut bytes = html.into_bytes();
    bytes.shrink_to_fit();
    bytes
}

/// Output names of the theme's CSS and JS with a hash of their content, so a
/// browser never uses a stale copy: `style.css` → `style.1a2b3c4d.css`.
pub fn hashed_assets(sources: &Sources) -> BTreeMap<String, String> {
    sources
        .assets
        .iter()
        .filter(|a| a.output.ends_with(".css") || a.output.ends_with(".js"))
        .map(|a| {
            let (stem, ext) = a.output.rsplit_once('.').expect("has an extension");
            (
                a.output.clone(),
                format!("{stem}.{:08x}.{ext}", fnv1a(&a.bytes) as u32),
            )
        })
        .collect()
}

/// FNV-1a: a stable hash (std's hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Loads the theme's templates and registers the data functions.
fn templates(
    site: &Site,
    sources: &Sources,
    assets: &BTreeMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Tera> {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Functions first: tera checks at load time that every called function exists.
    register_data_functions(
        &mut tera,
        Arc::new(site.parsed.data.clone()),
        &site.parsed.config.language,
    );
    register_asset_function(&mut tera, assets, sources, &site.parsed.config.base_path());
    let named: Vec<(&str, &str)> = sources
        .templates
        .iter()
        .map(|f| (sources.template_name(f), f.text.as_str()))
        .collect();
    if let Err(e) = tera.add_raw_templates(named) {
        diagnostics.push(template_diagnostic(&e, sources));
        return None;
    }
    let mut missing = false;
    for name in REQUIRED {
        if !tera.contains_template(name) {
            missing = true;
            diagnostics.push(
                Diagnostic::error(
                    Code::Template,
                    &sources.template_dir,
                    0..0,
                    format!("the theme has no template `{name}`"),
                )
                .with_hint(format!(
                    "add {}{name}, or templates/{name} to the site",
                    sources.template_dir
                )),
            );
        }
    }
    if missing {
        return None;
    }
    tera.global_context()
        .insert("site", &site_value(&site.parsed.config));
    Some(tera)
}

fn site_value(config: &SiteConfig) -> Json {
    json!({
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url(),
        "base_path": config.base_path(),
        "language": config.language,
        "notice": config.notice,
    })
}

/// `data_table(data, table)`, `data_value(data, table, row, field)` and
/// `data_value(data, value)` for templates and shortcodes; all format through
/// `data`, so text and tables agree.
fn register_data_functions(tera: &mut Tera, data: Arc<Data>, language: &str) {
    let d = Arc::clone(&data);
    let language = language.to_string();
    tera.register_function(
        "data_table",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let file: String = kwargs.must_get("data")?;
            let table: String = kwargs.must_get("table")?;
            let value = d
                .table_value(&file, &table, &language)
                .map_err(tera::Error::message)?;
            Ok(Value::from_serializable(&value))
        },
    );
    tera.register_function(
        "data_value",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let file: String = kwargs.must_get("data")?;
            let figure: Option<String> = kwargs.get("value")?;
            let found = match figure {
                Some(name) if kwargs.get::<String>("table")?.is_some() => Err(format!(
                    "give either `value` (a figure of `[values]`) or `table` and `row`, not both; `{name}` is a value"
                )),
                Some(name) => data.figure(&file, &name),
                None => {
                    let table: String = kwargs.must_get("table")?;
                    let row: String = kwargs.must_get("row")?;
                    let field: Option<String> = kwargs.get("field")?;
                    data.value(&file, &table, &row, field.as_deref())
                }
            };
            found.map_err(tera::Error::message)
        },
    );
}

/// `asset(path="style.css")`: the URL of a static file, with its content hash
/// for CSS and JS; an unknown path is a template error naming the closest.
fn register_asset_function(
    tera: &mut Tera,
    hashed: &BTreeMap<String, String>,
    sources: &Sources,
    base_path: &str,
) {
    let mut urls: BTreeMap<String, String> = sources
        .assets
        .iter()
        .map(|a| (a.output.clone(), format!("{base_path}{}", a.output)))
        .collect();
    for (plain, hashed) in hashed {
        urls.insert(plain.clone(), format!("{base_path}{hashed}"));
    }
    tera.register_function(
        "asset",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            urls.get(&path).cloned().ok_or_else(|| {
                let mut m = format!("there is no static file `{path}`");
                if let Some(c) = closest(&path, urls.keys().map(String::as_str)) {
                    m.push_str(&format!("; did you mean `{c}`?"));
                }
                tera::Error::message(m)
            })
        },
    );
}

struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    sources: &'a Sources,
    config: &'a SiteConfig,
    base_path: String,
    /// Each page's title, URL, description and kind, made once when first
    /// needed: backlinks, related articles and indexes share them (tera's maps
    /// are reference-counted), and a render of a few pages makes only theirs.
    refs: Vec<OnceLock<Value>>,
    /// Shortcode output by template and arguments: a shortcode sees only its
    /// arguments, the data and the theme, so each call renders once per build.
    memo: Mutex<FxHashMap<String, Arc<str>>>,
    /// The glossary notes of the pages being rendered, by term and number on
    /// the page (all a note depends on), rendered before the pages are: looked
    /// up through a lock like `memo`, the site's many notes queued on it.
    notes: FxHashMap<(&'a str, usize), Arc<str>>,
}

/// A template map with fixed keys, built directly as tera values: going
/// through serde_json cost a second copy of every index.
fn map<const N: usize>(pairs: [(&'static str, Value); N]) -> Value {
    Value::from(BTreeMap::from(pairs))
}

fn section_name(section: Section) -> &'static str {
    match section {
        Section::Article => "article",
        Section::Glossary => "glossary",
        Section::Page => "page",
    }
}

impl<'a> Renderer<'a> {
    fn new(site: &'a Site, sources: &'a Sources, theme: &'a Theme) -> Self {
        let base_path = site.parsed.config.base_path();
        let refs = site.pages().iter().map(|_| OnceLock::new()).collect();
        Renderer {
            site,
            theme,
            sources,
            config: &site.parsed.config,
            base_path,
            refs,
            memo: Mutex::default(),
            notes: FxHashMap::default(),
        }
    }

    /// Renders, once each and in parallel, the glossary notes `pages` show.
    /// A note that fails is left for `term_note` to report on its page.
    fn render_notes(&mut self, pages: impl Iterator<Item = &'a Page>) {
        let keys: FxHashSet<(&'a str, usize)> = pages.flat_map(note_keys).collect();
        let this = &*self;
        let notes = keys
            .into_par_iter()
            .filter_map(|(path, count)| {
                let note = this.render_note(path, count).ok()?;
                Some(((path, count), note.into()))
            })
            .collect();
        self.notes = notes;
    }

    /// The shared link cards of `pages`, as a template list.
    fn cards<'i>(&self, pages: impl IntoIterator<Item = &'i usize>) -> Value {
        pages
            .into_iter()
            .map(|&i| self.card(i))
            .collect::<Vec<_>>()
            .into()
    }

    fn topic_url(&self, slug: &str) -> String {
        format!("{}topics/{slug}/", self.base_path)
    }

    /// The shared link card of page `i`.
    fn card(&self, i: usize) -> Value {
        self.refs[i]
            .get_or_init(|| link_ref(&self.site.pages()[i], &self.base_path))
            .clone()
    }

    /// Renders page `i` with `body`, its body HTML.
    fn page(
        &self,
        i: usize,
        page: &'a Page,
        body: &str,
    ) -> (Result<String, Diagnostic>, Vec<Diagnostic>) {
        let (content, problems) = self.content(page, body);
        let template = match page.section {
            Section::Article => "article.html",
            Section::Glossary => "glossary-entry.html",
            Section::Page => "page.html",
        };
        let mut context = Context::new();
        context.insert_value("page", self.page_value(i, page));
        context.insert_value("content", Value::safe_string(&content));
        self.insert_nav(
            &mut context,
            &url::of_source(&page.path, ""),
            page.meta.draft(),
        );
        let og_type = if page.section == Section::Article {
            "article"
        } else {
            "website"
        };
        context.insert_value(
            "meta",
            self.meta(
                page.meta.title(),
                page.meta.description(),
                &url::of_source(&page.path, ""),
                og_type,
            ),
        );
        context.insert_value(
            "jsonld",
            Value::safe_string(&machine::page_jsonld(self.config, page, &self.site.topics)),
        );
        let html = self
            .theme
            .render(template, &context)
            .map_err(|e| template_diagnostic(&e, self.sources));
        (html, problems)
    }

    /// What the `<head>` needs on every page: title, description, canonical
    /// URL and the Open Graph type. `path` is the URL path without the base.
    fn meta(&self, title: &str, description: &str, path: &str, og_type: &str) -> Value {
        map([
            ("title", title.into()),
            ("description", description.into()),
            (
                "canonical",
                format!("{}{path}", self.config.base_url()).into(),
            ),
            ("og_type", og_type.into()),
        ])
    }

    fn date(&self, date: &Date) -> Value {
        map([
            ("iso", date.to_string().into()),
            ("human", date.human(&self.config.language).into()),
        ])
    }

    fn topic_ref(&self, slug: &str, name: &str) -> Value {
        map([("name", name.into()), ("url", self.topic_url(slug).into())])
    }

    /// What every template knows beside its page: `menu.main` and
    /// `menu.footer`, lists of `{name, url, current}` where `current` marks the
    /// page at `path` (its URL after the base path), and whether the page is
    /// a draft published by `--drafts`, which shows a banner and asks search
    /// engines not to index it.
    fn insert_nav(&self, context: &mut Context, path: &str, draft: bool) {
        let list = |items: &[MenuItem]| -> Value {
            items
                .iter()
                .map(|item| {
                    map([
                        ("name", item.name.as_str().into()),
                        ("url", format!("{}{}", self.base_path, item.path).into()),
                        ("current", (item.path == path).into()),
                    ])
                })
                .collect::<Vec<_>>()
                .into()
        };
        let menus = &self.site.menus;
        context.insert_value(
            "menu",
            map([("main", list(&menus.main)), ("footer", list(&menus.footer))]),
        );
        context.insert_value("draft", draft.into());
    }

    /// Everything a page template knows about its page.
    fn page_value(&self, i: usize, page: &Page) -> Value {
        let pages = self.site.pages();
        // Related articles: the articles this one links to, then those linking here.
        let mut related: Vec<usize> = Vec::new();
        for &j in self.site.outlinks[i].iter().chain(&self.site.backlinks[i]) {
            if pages[j].section == Section::Article && j != i && !related.contains(&j) {
                related.push(j);
            }
        }
        let toc: Vec<Value> = page
            .body
            .headings
            .iter()
            .filter(|h| h.level == 2)
            .map(|h| {
                map([
                    ("level", h.level.into()),
                    ("id", h.id.as_str().into()),
                    ("title", h.text.as_str().into()),
                ])
            })
            .collect();
        let (mut reviewed, mut review_due, mut topics) = (Value::none(), Value::none(), vec![]);
        let (mut references, mut aliases) = (Value::from(Vec::<Value>::new()), vec![]);
        match &page.meta {
            Meta::Article(m) => {
                reviewed = self.date(&m.reviewed);
                review_due = m
                    .review_due
                    .as_ref()
                    .map_or(Value::none(), |d| self.date(d));
                topics = (self.site.topics.of(page).iter())
                    .map(|(slug, name)| self.topic_ref(slug, name))
                    .collect();
                references = Value::from_serializable(&m.references);
            }
            Meta::Glossary(m) => aliases = m.aliases.clone(),
            Meta::Page(_) => {}
        }
        map([
            ("kind", section_name(page.section).into()),
            ("path", page.path.as_str().into()),
            ("slug", page.slug().into()),
            ("title", page.meta.title().into()),
            ("description", page.meta.description().into()),
            ("url", url::of_source(&page.path, &self.base_path).into()),
            (
                "permalink",
                format!(
                    "{}{}",
                    self.config.base_url(),
                    url::of_source(&page.path, "")
                )
                .into(),
            ),
            ("toc", toc.into()),
            ("backlinks", self.cards(&self.site.backlinks[i])),
            ("related", self.cards(&related)),
            ("reviewed", reviewed),
            ("review_due", review_due),
            ("topics", topics.into()),
            ("references", references),
            ("aliases", aliases.into()),
        ])
    }

    /// The body's HTML with every hole filled.
    fn content(&self, page: &'a Page, body: &str) -> (String, Vec<Diagnostic>) {
        let mut html = String::with_capacity(body.len() + 1024);
        let problems = self.fill(page, body, |piece| html.push_str(piece));
        (html, problems)
    }

    /// Renders the body's holes and passes each piece of HTML, in order, to
    /// `emit`; `check` passes one that keeps nothing, to find the problems only.
    fn fill(&self, page: &'a Page, body: &str, mut emit: impl FnMut(&str)) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut notes = 0;
        for segment in &page.body.segments {
            match segment {
                Segment::Html(r) => emit(&body[r.clone()]),
                Segment::Shortcode(n) => match self.shortcode(page, *n) {
                    // Inline output is trimmed so a template's final newline adds no space.
                    Ok(out) if !page.body.shortcodes[*n].block => emit(out.trim()),
                    Ok(out) => emit(&out),
                    Err(d) => problems.push(d),
                },
                Segment::TermNote(n) => {
                    notes += 1;
                    match self.term_note(page, *n, notes) {
                        Ok(out) => emit(out.trim()),
                        Err(d) => problems.push(d),
                    }
                }
            }
        }
        problems
    }

    fn shortcode(&self, page: &Page, n: usize) -> Result<Arc<str>, Diagnostic> {
        let call = &page.body.shortcodes[n];
        let name = format!("shortcodes/{}.html", call.name);
        if !self.theme.contains_template(&name) {
            let known: Vec<&str> = self
                .theme
                .template_names()
                .filter_map(|t| t.strip_prefix("shortcodes/")?.strip_suffix(".html"))
                .collect();
            let d = Diagnostic::error(
                Code::UnknownShortcode,
                &page.path,
                call.span.clone(),
                format!("there is no shortcode `{}`", call.name),
            );
            let mut known_sorted = known.clone();
            known_sorted.sort_unstable();
            return Err(match closest(&call.name, known.iter().copied()) {
                Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                None => d.with_hint(format!(
                    "the theme's shortcodes are {}",
                    known_sorted
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            });
        }
        let key = format!("{name} {:?}", call.args);
        self.memoized(key, || {
            let mut context = Context::new();
            for (key, value) in &call.args {
                context.insert(key.clone(), value);
            }
            self.theme.render(&name, &context).map_err(|e| {
                Diagnostic::error(
                    Code::Shortcode,
                    &page.path,
                    call.span.clone(),
                    format!(
                        "the shortcode `{}` failed: {}",
                        call.name,
                        innermost_message(&e)
                    ),
                )
            })
        })
    }

    /// `render`'s output, made once for each `key`, which must determine it.
    /// Errors are not kept: each page reports its own.
    fn memoized(
        &self,
        key: String,
        render: impl FnOnce() -> Result<String, Diagnostic>,
    ) -> Result<Arc<str>, Diagnostic> {
        if let Some(out) = self.memo.lock().expect("not poisoned").get(&key) {
            return Ok(out.clone());
        }
        let out: Arc<str> = render()?.into();
        self.memo
            .lock()
            .expect("not poisoned")
            .insert(key, out.clone());
        Ok(out)
    }

    /// The in-place summary of the glossary term that link `n` points to.
    fn term_note(&self, page: &'a Page, n: usize, count: usize) -> Result<Arc<str>, Diagnostic> {
        let Target::Source { path, .. } = &page.body.links[n].target else {
            return Ok("".into());
        };
        if let Some(note) = self.notes.get(&(path.as_str(), count)) {
            return Ok(note.clone());
        }
        // Only a note that failed is not ready: render it again for its error.
        self.render_note(path, count).map(Arc::from)
    }

    /// The note of the term at `path`, numbered `count` on its page.
    fn render_note(&self, path: &str, count: usize) -> Result<String, Diagnostic> {
        let (Some(term), true) = (
            self.site.page(path),
            self.theme.contains_template("partials/term.html"),
        ) else {
            return Ok(String::new());
        };
        let mut context = Context::new();
        context.insert_value(
            "term",
            map([
                ("term", term.meta.title().into()),
                ("summary", term.meta.description().into()),
                ("url", url::of_source(&term.path, &self.base_path).into()),
                ("id", format!("term-{}-{count}", term.slug()).into()),
            ]),
        );
        self.theme
            .render("partials/term.html", &context)
            .map_err(|e| template_diagnostic(&e, self.sources))
    }

    /// Home, glossary index, topic pages and the 404 page.
    /// The index pages; unless `all`, only the first topic page is rendered
    /// and the others are empty placeholders.
    fn indexes(&self, all: bool) -> Vec<(String, Result<Vec<u8>, Diagnostic>)> {
        let pages = self.site.pages();
        let of = |section: Section| -> Vec<usize> {
            (0..pages.len())
                .filter(|&i| pages[i].section == section)
                .collect()
        };
        let mut articles = of(Section::Article);
        articles.sort_unstable_by(|&a, &b| {
            (pages[a].meta.title(), &pages[a].path).cmp(&(pages[b].meta.title(), &pages[b].path))
        });
        let mut terms = of(Section::Glossary);
        terms
            .sort_by_cached_key(|&i| (pages[i].meta.title().to_lowercase(), pages[i].path.clone()));

        // Topics are matched by slug and named by `resolve` (see
        // `resolve::Topics`). A site has a few topics and many articles: each
        // topic's link is made once.
        let site_topics = &self.site.topics;
        let topic_refs: FxHashMap<&str, Value> = site_topics
            .iter()
            .map(|(slug, name)| (slug, self.topic_ref(slug, name)))
            .collect();
        let article_topics: Vec<Vec<(String, &str)>> = articles
            .par_iter()
            .map(|&i| site_topics.of(&pages[i]))
            .collect();
        // Each article's card, made once and shared by the home page and its topics.
        let cards: Vec<Value> = articles
            .par_iter()
            .zip(&article_topics)
            .map(|(&i, topics)| {
                let topics: Vec<Value> = topics
                    .iter()
                    .map(|(slug, _)| topic_refs[slug.as_str()].clone())
                    .collect();
                let [title, url, description, kind] = card_fields(&pages[i], &self.base_path);
                map([title, url, description, kind, ("topics", topics.into())])
            })
            .collect();
        let mut lists: FxHashMap<&str, Vec<Value>> = FxHashMap::default();
        for (topics, card) in article_topics.iter().zip(&cards) {
            for (slug, _) in topics {
                lists.entry(slug).or_default().push(card.clone());
            }
        }
        let topic_values: Vec<(String, String, Value)> = site_topics
            .iter()
            .map(|(slug, name)| {
                let list = lists.remove(slug).unwrap_or_default();
                let value = map([
                    ("name", name.into()),
                    ("slug", slug.into()),
                    ("url", self.topic_url(slug).into()),
                    ("articles", list.into()),
                ]);
                (slug.to_string(), name.to_string(), value)
            })
            .collect();
        let (letter_values, letter_bar) = self.glossary_letters(&terms);
        let mut base = Context::new();
        base.insert_value("articles", cards.into());
        base.insert_value(
            "topics",
            topic_values
                .iter()
                .map(|(_, _, v)| v.clone())
                .collect::<Vec<_>>()
                .into(),
        );
        base.insert_value("letters", letter_values);
        base.insert_value("letter_bar", letter_bar);
        base.insert_value("terms", self.cards(&terms));
        base.insert_value("pages", self.standalone_pages());
        let terms: Vec<&Page> = terms.iter().map(|&i| &*pages[i]).collect();

        // Contexts share `base`: tera's arrays and maps are reference-counted.
        let index =
            |template: &'static str, title: &str, description: &str, path: &str, jsonld: String| {
                let mut context = base.clone();
                context.insert_value("meta", self.meta(title, description, path, "website"));
                context.insert_value("jsonld", Value::safe_string(&jsonld));
                self.insert_nav(&mut context, path, false);
                (template, context)
            };
        let config = self.config;
        let glossary_description = format!(
            "Plain-language meanings of the medical words used on {}.",
            config.title
        );
        let topics_description = format!("Every topic on {}, with its articles.", config.title);
        let mut out = vec![
            (
                "index.html".to_string(),
                index(
                    "home.html",
                    &config.title,
                    &config.description,
                    "",
                    String::new(),
                ),
            ),
            (
                "glossary/index.html".to_string(),
                index(
                    "glossary-index.html",
                    "Glossary",
                    &glossary_description,
                    "glossary/",
                    machine::glossary_jsonld(config, &terms),
                ),
            ),
            (
                "404.html".to_string(),
                index(
                    "404.html",
                    "Page not found",
                    &config.description,
                    "404.html",
                    String::new(),
                ),
            ),
            (
                "topics/index.html".to_string(),
                index(
                    "topics.html",
                    "Topics",
                    &topics_description,
                    "topics/",
                    String::new(),
                ),
            ),
        ];
        let mut placeholders = Vec::new();
        for (n, (slug, name, topic)) in topic_values.into_iter().enumerate() {
            let path = format!("topics/{slug}/index.html");
            if n > 0 && !all {
                placeholders.push((path, Ok(Vec::new())));
                continue;
            }
            let mut context = base.clone();
            context.insert_value("topic", topic);
            context.insert_value(
                "meta",
                self.meta(
                    &name,
                    &format!("Articles about {name}."),
                    &format!("topics/{slug}/"),
                    "website",
                ),
            );
            context.insert_value("jsonld", Value::safe_string(""));
            self.insert_nav(&mut context, &format!("topics/{slug}/"), false);
            out.push((path, ("topic.html", context)));
        }
        let mut rendered: Vec<_> = out
            .into_par_iter()
            .map(|(path, (template, context))| {
                let html = self.render_index(template, &context);
                (path, html.map(compact))
            })
            .collect();
        rendered.append(&mut placeholders);
        rendered
    }

    /// The site's standalone pages (`pages/`) by source path, for index
    /// templates that link to one only if the site has it:
    /// `{% if "pages/about.md" in pages %}`.
    fn standalone_pages(&self) -> Value {
        let pages = self.site.pages();
        let first = pages.partition_point(|p| p.path.as_str() < "pages/");
        let standalone: BTreeMap<String, Value> = (first..pages.len())
            .take_while(|&i| pages[i].section == Section::Page)
            .map(|i| (pages[i].path.clone(), self.card(i)))
            .collect();
        Value::from(standalone)
    }

    /// The sections of the glossary A–Z: each term, and each alias as an
    /// entry of its own that names and links to its term (`see`, empty for a
    /// term); and the letter bar, every one of `glossary::LETTERS` with
    /// whether its section has entries (only those are links).
    fn glossary_letters(&self, terms: &[usize]) -> (Value, Value) {
        let pages = self.site.pages();
        let words: Vec<(&str, &[String])> = terms
            .iter()
            .map(|&i| match &pages[i].meta {
                Meta::Glossary(m) => (m.term.as_str(), m.aliases.as_slice()),
                meta => (meta.title(), &[][..]),
            })
            .collect();
        let sections = glossary::a_to_z(&words);
        let id = |letter: char| match letter {
            '#' => "letter-other".to_string(),
            l => format!("letter-{}", l.to_ascii_lowercase()),
        };
        let bar: Vec<Value> = glossary::LETTERS
            .iter()
            .map(|&letter| {
                map([
                    ("letter", letter.to_string().into()),
                    ("id", id(letter).into()),
                    ("used", sections.iter().any(|(l, _)| *l == letter).into()),
                ])
            })
            .collect();
        let entry = |e: &glossary::Entry| {
            let page = &pages[terms[e.term]];
            let (description, see) = match e.alias {
                true => ("", page.meta.title()),
                false => (page.meta.description(), ""),
            };
            map([
                ("title", e.word.into()),
                ("url", url::of_source(&page.path, &self.base_path).into()),
                ("description", description.into()),
                ("see", see.into()),
            ])
        };
        let sections: Vec<Value> = sections
            .iter()
            .map(|(letter, entries)| {
                map([
                    ("letter", letter.to_string().into()),
                    ("id", id(*letter).into()),
                    (
                        "terms",
                        entries.iter().map(entry).collect::<Vec<_>>().into(),
                    ),
                ])
            })
            .collect();
        (sections.into(), bar.into())
    }

    /// The files of [`MACHINE_FILES`], in its order.
    fn machine_files(&self, index_urls: &[String]) -> Vec<(String, Vec<u8>)> {
        let pages = self.site.pages();
        let [sitemap, robots, atom] = MACHINE_FILES.map(str::to_string);
        vec![
            (
                sitemap,
                machine::sitemap(self.config, pages, index_urls).into_bytes(),
            ),
            (robots, machine::robots(self.config).into_bytes()),
            (atom, machine::atom(self.config, pages).into_bytes()),
        ]
    }

    fn render_index(&self, template: &str, context: &Context) -> Result<String, Diagnostic> {
        self.theme
            .render(template, context)
            .map_err(|e| template_diagnostic(&e, self.sources))
    }
}

/// The message of the deepest error, without tera's own source excerpt.
fn innermost_message(e: &tera::Error) -> String {
    let mut message = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            r.message().to_string()
        }
        kind => kind.to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message = s.to_string();
        source = s.source();
    }
    message
}

/// A tera error as a `template` diagnostic on the template's file and line.
fn template_diagnostic(e: &tera::Error, sources: &Sources) -> Diagnostic {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let file = sources.template_file(r.filename());
            Diagnostic::error(
                Code::Template,
                &file,
                r.span().range.clone(),
                innermost_message(e),
            )
        }
        tera::ErrorKind::TemplateNotFound(name)
        | tera::ErrorKind::MissingParent { parent: name, .. } => Diagnostic::error(
            Code::Template,
            &sources.template_dir,
            0..0,
            format!("the template `{name}` does not exist"),
        ),
        kind => Diagnostic::error(
            Code::Template,
            &sources.template_dir,
            0..0,
            kind.to_string(),
        ),
    }
}

/// One diagnostic per template error, naming how many pages it broke.
#[derive(Default)]
struct TemplateErrors {
    seen: HashMap<(String, usize, String), (Diagnostic, Vec<String>)>,
}

impl TemplateErrors {
    fn add(&mut self, d: Diagnostic, page: &str) {
        let key = (d.file.clone(), d.span.start, d.message.clone());
        self.seen
            .entry(key)
            .or_insert_with(|| (d, Vec::new()))
            .1
            .push(page.to_string());
    }

    fn finish(self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .seen
            .into_values()
            .map(|(mut d, mut pages)| {
                pages.sort();
                let more = if pages.len() > 1 {
                    format!(" and {} other pages", pages.len() - 1)
                } else {
                    String::new()
                };
                d.message = format!("{} (while rendering {}{more})", d.message, pages[0]);
                d
            })
            .collect();
        out.sort_by(|a, b| (&a.file, a.span.start).cmp(&(&b.file, b.span.start)));
        out
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Selection, load_theme, load_theme_as_written, render_selected};
    use crate::minify;

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
        let (site, _) = crate::resolve_site(&sources, &options, crate::markdown::Output::ALL);
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
