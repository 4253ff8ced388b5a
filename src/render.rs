//! Pages to HTML with the theme's Tera templates: the only code that knows tera.
//!
//! Shortcode holes and glossary notes are filled, each page is rendered in
//! parallel, and the index pages (home, glossary A–Z, topics, 404) are added.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value as Json, json};
use tera::{Context, Kwargs, State, Tera, Value};

use crate::data::Data;
use crate::diagnostic::{Code, Diagnostic, closest};
use crate::load::{Section, Sources};
use crate::machine;
use crate::markdown::{Segment, Target, slugify};
use crate::meta::{Date, SiteConfig};
use crate::minify;
use crate::parse::{Meta, Page};
use crate::resolve::Site;
use crate::url;

/// The rendered site: output path → bytes, in a stable order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Templates every theme must have, and what each renders.
pub const REQUIRED: [&str; 7] = [
    "home.html",
    "article.html",
    "glossary-entry.html",
    "glossary-index.html",
    "page.html",
    "topic.html",
    "404.html",
];

/// The theme's templates with osteon's functions registered: loaded and
/// checked once, and kept between rebuilds by `serve`.
pub struct Theme {
    tera: Tera,
}

/// Which outputs to render; a full build renders everything.
#[derive(Clone, Copy, Debug)]
pub struct Selection<'a> {
    /// Pages by index into `site.pages()`; `None` means every page.
    pub pages: Option<&'a HashSet<usize>>,
    /// Home, glossary index, topics, 404, sitemap and feed.
    pub indexes: bool,
    /// Static files.
    pub assets: bool,
}

impl Selection<'_> {
    pub const ALL: Selection<'static> = Selection {
        pages: None,
        indexes: true,
        assets: true,
    };
}

/// The template that renders an output path, for naming it in diagnostics.
pub fn template_of(output: &str) -> &'static str {
    match output {
        "index.html" => "home.html",
        "404.html" => "404.html",
        "glossary/index.html" => "glossary-index.html",
        _ if output.starts_with("articles/") => "article.html",
        _ if output.starts_with("glossary/") => "glossary-entry.html",
        _ if output.starts_with("topics/") => "topic.html",
        _ => "page.html",
    }
}

/// Loads the theme and renders the whole site.
pub fn render(site: &Site, sources: &Sources) -> (Outputs, Vec<Diagnostic>) {
    match load_theme(site, sources) {
        Ok(theme) => render_selected(site, sources, &theme, Selection::ALL),
        Err(diagnostics) => (Outputs::default(), diagnostics),
    }
}

/// Loads the theme's templates; a missing or broken template is a diagnostic.
pub fn load_theme(site: &Site, sources: &Sources) -> Result<Theme, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let assets = hashed_assets(sources);
    match templates(site, sources, &assets, &mut diagnostics) {
        Some(tera) => Ok(Theme { tera }),
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
    let mut diagnostics = Vec::new();
    let r = Renderer {
        site,
        tera: &theme.tera,
        sources,
        config: &site.parsed.config,
        base_path: site.parsed.config.base_path(),
    };
    // Minifying is the costliest step of a page, so it runs inside the parallel map.
    let pages: Vec<(String, Result<Vec<u8>, Diagnostic>, Vec<Diagnostic>)> = site
        .pages()
        .par_iter()
        .enumerate()
        .filter(|(i, _)| selection.pages.is_none_or(|only| only.contains(i)))
        .map(|(i, page)| {
            let (html, problems) = r.page(i, page);
            let html = html.map(|h| minify::html(&h));
            (url::output_of_source(&page.path), html, problems)
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
    if selection.indexes {
        let indexes = r.indexes();
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
        outputs.files.extend(r.machine_files(&index_urls));
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
                .with_hint(format!("add {}{name}", sources.template_dir)),
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

/// `data_table(data, table)` and `data_value(data, table, row, field)` for
/// templates and shortcodes; both format through `data`, so text and tables agree.
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
            let table: String = kwargs.must_get("table")?;
            let row: String = kwargs.must_get("row")?;
            let field: Option<String> = kwargs.get("field")?;
            data.value(&file, &table, &row, field.as_deref())
                .map_err(tera::Error::message)
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
    tera: &'a Tera,
    sources: &'a Sources,
    config: &'a SiteConfig,
    base_path: String,
}

#[derive(Serialize)]
struct LinkRef<'a> {
    title: &'a str,
    url: String,
    description: &'a str,
    kind: Section,
}

impl Renderer<'_> {
    fn page(&self, i: usize, page: &Page) -> (Result<String, Diagnostic>, Vec<Diagnostic>) {
        let (content, problems) = self.content(page);
        let template = match page.section {
            Section::Article => "article.html",
            Section::Glossary => "glossary-entry.html",
            Section::Page => "page.html",
        };
        let mut context = Context::new();
        context.insert("page", &self.page_value(i, page));
        context.insert_value("content", Value::safe_string(&content));
        let og_type = if page.section == Section::Article {
            "article"
        } else {
            "website"
        };
        context.insert(
            "meta",
            &self.meta(
                page.meta.title(),
                page.meta.description(),
                &url::of_source(&page.path, ""),
                og_type,
            ),
        );
        context.insert_value(
            "jsonld",
            Value::safe_string(&machine::page_jsonld(self.config, page)),
        );
        let html = self
            .tera
            .render(template, &context)
            .map_err(|e| template_diagnostic(&e, self.sources));
        (html, problems)
    }

    /// What the `<head>` needs on every page: title, description, canonical
    /// URL and the Open Graph type. `path` is the URL path without the base.
    fn meta(&self, title: &str, description: &str, path: &str, og_type: &str) -> Json {
        json!({
            "title": title,
            "description": description,
            "canonical": format!("{}{path}", self.config.base_url()),
            "og_type": og_type,
        })
    }

    fn link_ref(&self, page: &'_ Page) -> Json {
        json!(LinkRef {
            title: page.meta.title(),
            url: url::of_source(&page.path, &self.base_path),
            description: page.meta.description(),
            kind: page.section,
        })
    }

    fn date(&self, date: &Date) -> Json {
        json!({ "iso": date.to_string(), "human": date.human(&self.config.language) })
    }

    fn topic_ref(&self, topic: &str) -> Json {
        json!({ "name": topic, "url": format!("{}topics/{}/", self.base_path, slugify(topic)) })
    }

    /// Everything a page template knows about its page.
    fn page_value(&self, i: usize, page: &Page) -> Json {
        let pages = self.site.pages();
        let backlinks: Vec<Json> = self.site.backlinks[i]
            .iter()
            .map(|&j| self.link_ref(&pages[j]))
            .collect();
        // Related articles: the articles this one links to, then those linking here.
        let mut related: Vec<usize> = Vec::new();
        for &j in self.site.outlinks[i].iter().chain(&self.site.backlinks[i]) {
            if pages[j].section == Section::Article && j != i && !related.contains(&j) {
                related.push(j);
            }
        }
        let toc: Vec<Json> = page
            .body
            .headings
            .iter()
            .filter(|h| h.level == 2)
            .map(|h| json!({ "level": h.level, "id": h.id, "title": h.text }))
            .collect();
        let mut value = json!({
            "kind": page.section,
            "path": page.path,
            "slug": page.slug(),
            "title": page.meta.title(),
            "description": page.meta.description(),
            "url": url::of_source(&page.path, &self.base_path),
            "permalink": format!("{}{}", self.config.base_url(), url::of_source(&page.path, "")),
            "toc": toc,
            "backlinks": backlinks,
            "related": related.iter().map(|&j| self.link_ref(&pages[j])).collect::<Vec<_>>(),
            "reviewed": null,
            "review_due": null,
            "topics": [],
            "references": [],
            "aliases": [],
        });
        match &page.meta {
            Meta::Article(m) => {
                value["reviewed"] = self.date(&m.reviewed);
                value["review_due"] = m.review_due.as_ref().map_or(Json::Null, |d| self.date(d));
                value["topics"] = m.topics.iter().map(|t| self.topic_ref(t)).collect();
                value["references"] = json!(m.references);
            }
            Meta::Glossary(m) => value["aliases"] = json!(m.aliases),
            Meta::Page(_) => {}
        }
        value
    }

    /// The body's HTML with every hole filled.
    fn content(&self, page: &Page) -> (String, Vec<Diagnostic>) {
        let mut html = String::new();
        let mut problems = Vec::new();
        let mut notes = 0;
        for segment in &page.body.segments {
            match segment {
                Segment::Html(h) => html.push_str(h),
                Segment::Shortcode(n) => match self.shortcode(page, *n) {
                    // Inline output is trimmed so a template's final newline adds no space.
                    Ok(out) if !page.body.shortcodes[*n].block => html.push_str(out.trim()),
                    Ok(out) => html.push_str(&out),
                    Err(d) => problems.push(d),
                },
                Segment::TermNote(n) => {
                    notes += 1;
                    match self.term_note(page, *n, notes) {
                        Ok(out) => html.push_str(out.trim()),
                        Err(d) => problems.push(d),
                    }
                }
            }
        }
        (html, problems)
    }

    fn shortcode(&self, page: &Page, n: usize) -> Result<String, Diagnostic> {
        let call = &page.body.shortcodes[n];
        let name = format!("shortcodes/{}.html", call.name);
        if !self.tera.contains_template(&name) {
            let known: Vec<&str> = self
                .tera
                .get_template_names()
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
        let mut context = Context::new();
        for (key, value) in &call.args {
            context.insert(key.clone(), value);
        }
        self.tera.render(&name, &context).map_err(|e| {
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
    }

    /// The in-place summary of the glossary term that link `n` points to.
    fn term_note(&self, page: &Page, n: usize, count: usize) -> Result<String, Diagnostic> {
        let link = &page.body.links[n];
        let Target::Source { path, .. } = &link.target else {
            return Ok(String::new());
        };
        let (Some(term), true) = (
            self.site.page(path),
            self.tera.contains_template("partials/term.html"),
        ) else {
            return Ok(String::new());
        };
        let mut context = Context::new();
        context.insert(
            "term",
            &json!({
                "term": term.meta.title(),
                "summary": term.meta.description(),
                "url": url::of_source(&term.path, &self.base_path),
                "id": format!("term-{}-{count}", term.slug()),
            }),
        );
        self.tera
            .render("partials/term.html", &context)
            .map_err(|e| template_diagnostic(&e, self.sources))
    }

    /// Home, glossary index, topic pages and the 404 page.
    fn indexes(&self) -> Vec<(String, Result<Vec<u8>, Diagnostic>)> {
        let pages = self.site.pages();
        let mut articles: Vec<&Page> = pages
            .iter()
            .filter(|p| p.section == Section::Article)
            .map(|p| &**p)
            .collect();
        articles.sort_by(|a, b| (a.meta.title(), &a.path).cmp(&(b.meta.title(), &b.path)));
        let mut terms: Vec<&Page> = pages
            .iter()
            .filter(|p| p.section == Section::Glossary)
            .map(|p| &**p)
            .collect();
        terms.sort_by_key(|p| (p.meta.title().to_lowercase(), p.path.clone()));

        let article_value = |p: &Page| {
            let mut v = self.link_ref(p);
            if let Meta::Article(m) = &p.meta {
                v["topics"] = m.topics.iter().map(|t| self.topic_ref(t)).collect();
            }
            v
        };
        let mut topics: BTreeMap<String, (String, Vec<Json>)> = BTreeMap::new();
        for p in &articles {
            if let Meta::Article(m) = &p.meta {
                for t in &m.topics {
                    topics
                        .entry(slugify(t))
                        .or_insert_with(|| (t.clone(), Vec::new()))
                        .1
                        .push(article_value(p));
                }
            }
        }
        let topic_values: Vec<Json> = topics
            .iter()
            .map(|(slug, (name, list))| {
                json!({ "name": name, "slug": slug, "url": format!("{}topics/{slug}/", self.base_path), "articles": list })
            })
            .collect();
        let mut letters: BTreeMap<String, Vec<Json>> = BTreeMap::new();
        for t in &terms {
            let letter = t
                .meta
                .title()
                .chars()
                .next()
                .map_or('#', |c| c.to_ascii_uppercase());
            let letter = if letter.is_ascii_alphabetic() {
                letter.to_string()
            } else {
                "#".to_string()
            };
            letters.entry(letter).or_default().push(self.link_ref(t));
        }
        let letter_values: Vec<Json> = letters
            .iter()
            .map(|(l, list)| json!({ "letter": l, "id": format!("letter-{}", l.to_lowercase()), "terms": list }))
            .collect();
        let mut base = Context::new();
        base.insert(
            "articles",
            &articles
                .iter()
                .map(|p| article_value(p))
                .collect::<Vec<_>>(),
        );
        base.insert("topics", &topic_values);
        base.insert("letters", &letter_values);
        base.insert(
            "terms",
            &terms.iter().map(|p| self.link_ref(p)).collect::<Vec<_>>(),
        );

        // Contexts share `base`: tera's arrays and maps are reference-counted.
        let index = |template: &'static str, title: &str, description: &str, path: &str, jsonld: String| {
            let mut context = base.clone();
            context.insert("meta", &self.meta(title, description, path, "website"));
            context.insert_value("jsonld", Value::safe_string(&jsonld));
            (template, context)
        };
        let config = self.config;
        let glossary_description = format!(
            "Plain-language meanings of the medical words used on {}.",
            config.title
        );
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
        ];
        for topic in &topic_values {
            let slug = topic["slug"].as_str().unwrap_or_default();
            let name = topic["name"].as_str().unwrap_or_default();
            let mut context = base.clone();
            context.insert("topic", topic);
            context.insert(
                "meta",
                &self.meta(
                    name,
                    &format!("Articles about {name}."),
                    &format!("topics/{slug}/"),
                    "website",
                ),
            );
            context.insert_value("jsonld", Value::safe_string(""));
            out.push((format!("topics/{slug}/index.html"), ("topic.html", context)));
        }
        out.into_par_iter()
            .map(|(path, (template, context))| {
                let html = self.render_index(template, &context);
                (path, html.map(|h| minify::html(&h)))
            })
            .collect()
    }

    /// `sitemap.xml`, `robots.txt` and `atom.xml`.
    fn machine_files(&self, index_urls: &[String]) -> Vec<(String, Vec<u8>)> {
        let pages = self.site.pages();
        vec![
            (
                "sitemap.xml".to_string(),
                machine::sitemap(self.config, pages, index_urls).into_bytes(),
            ),
            (
                "robots.txt".to_string(),
                machine::robots(self.config).into_bytes(),
            ),
            (
                "atom.xml".to_string(),
                machine::atom(self.config, pages).into_bytes(),
            ),
        ]
    }

    fn render_index(&self, template: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera
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
            let file = format!("{}{}", sources.template_dir, r.filename());
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
