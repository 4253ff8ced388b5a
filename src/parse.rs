//! Parses each file on its own, in parallel: `site.toml`, front matter,
//! Markdown bodies and data files. Nothing here looks across files.

pub mod data;
pub mod markdown;
pub mod meta;
pub mod placeholder;
pub mod readability;
pub mod shortcode;

use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{self, Code, Diagnostic};
use crate::load::{Section, SourceFile, Sources};
use crate::problems::{Origin, Problems};
use crate::url;
use data::Data;
use markdown::{Body, Output, Problem};
use meta::{
    ArticleMeta, Claim, GlossaryMeta, PageMeta, SiteConfig, parse_toml, split_front_matter,
};

/// The front matter of a page, by section.
#[derive(Clone, Debug, PartialEq)]
pub enum Meta {
    Article(ArticleMeta),
    Glossary(GlossaryMeta),
    Page(PageMeta),
}

impl Meta {
    /// The page's name as links and headings show it.
    pub fn title(&self) -> &str {
        match self {
            Meta::Article(m) => &m.title,
            Meta::Glossary(m) => &m.term,
            Meta::Page(m) => &m.title,
        }
    }

    /// One sentence about the page: the description, or a term's summary.
    pub fn description(&self) -> &str {
        match self {
            Meta::Article(m) => &m.description,
            Meta::Glossary(m) => &m.summary,
            Meta::Page(m) => &m.description,
        }
    }

    pub fn draft(&self) -> bool {
        match self {
            Meta::Article(m) => m.draft,
            Meta::Glossary(m) => m.draft,
            Meta::Page(m) => m.draft,
        }
    }
}

/// A Markdown file, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// Path from the site root: `articles/x.md`.
    pub path: String,
    pub section: Section,
    pub meta: Meta,
    pub body: Body,
}

impl Page {
    pub fn slug(&self) -> &str {
        url::slug(&self.path)
    }
}

/// Every file of the site, parsed.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub config: SiteConfig,
    /// Shared, so a rebuild can keep the pages it did not re-parse.
    pub pages: Vec<Arc<Page>>,
    pub data: Data,
}

/// What the command line changes about the site.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
}

/// Parses every file, each body into what the command asks for in `output`
/// (see [`output_for`]). The result is `None` only when `site.toml` itself is
/// unusable; the pages are still parsed so that one run reports every problem.
pub fn parse(
    sources: &Sources,
    overrides: &Overrides,
    output: Output,
) -> (Option<Parsed>, Problems) {
    let (config, diagnostics) = parse_config(sources, overrides);
    let (base_path, output) = page_settings(config.as_ref(), output);
    let results = sources
        .content
        .par_iter()
        .map(|file| parse_page(file, &base_path, output))
        .collect();
    assemble(sources, (config, diagnostics), results)
}

/// What `build` and `check` check on each page against its text (see
/// [`parse_releasing`]).
pub type PageCheck<'a> = Box<dyn Fn(&Page, &str) -> Vec<Diagnostic> + Sync + 'a>;

/// [`parse`] for `build` and `check`, which need a content file's text only
/// to parse it and to check the page against it: each text is freed as soon as that is
/// done, so a large site never holds every text beside every page's HTML.
/// `check` makes the check from the site's settings; what it finds on each
/// page comes back beside the parse, in the order of the files.
pub fn parse_releasing<'a>(
    sources: &mut Sources,
    overrides: &Overrides,
    output: Output,
    check: impl FnOnce(&SiteConfig) -> PageCheck<'a>,
) -> (Option<Parsed>, Problems, Vec<Diagnostic>) {
    let (config, diagnostics) = parse_config(sources, overrides);
    let (base_path, output) = page_settings(config.as_ref(), output);
    let check = config.as_ref().map(check);
    let (results, checked): (Vec<_>, Vec<_>) = sources
        .content
        .par_iter_mut()
        .map(|file| {
            let (page, found) = parse_page(file, &base_path, output);
            let checked = match (&page, &check) {
                (Some(page), Some(check)) => check(page, &file.text),
                _ => Vec::new(),
            };
            file.text = String::new();
            ((page, found), checked)
        })
        .unzip();
    sources.released = true;
    let (parsed, problems) = assemble(sources, (config, diagnostics), results);
    (parsed, problems, checked.into_iter().flatten().collect())
}

/// The base path links are made under, and what to make of each body.
fn page_settings(config: Option<&SiteConfig>, output: Output) -> (String, Output) {
    let base_path = config.map_or("/".to_string(), SiteConfig::base_path);
    (base_path, output_for(config, output))
}

/// The parsed site from `site.toml`, the content files' `results` in their
/// order, and the data files.
fn assemble(
    sources: &Sources,
    (config, diagnostics): (Option<SiteConfig>, Vec<Diagnostic>),
    results: Vec<(Option<Page>, Vec<Diagnostic>)>,
) -> (Option<Parsed>, Problems) {
    let mut problems = Problems::default();
    problems.extend(Origin::Site, diagnostics);
    let mut pages = Vec::with_capacity(results.len());
    for (file, (page, found)) in sources.content.iter().zip(results) {
        pages.extend(page.map(Arc::new));
        problems.extend(Origin::Source(file.path.as_str().into()), found);
    }
    let (data, data_problems) = data::parse(&sources.data);
    problems.extend(Origin::Site, data_problems);
    let parsed = config.map(|config| Parsed {
        config,
        pages,
        data,
    });
    (parsed, problems)
}

/// What to make of each body: what the command asks for, plus the reading
/// statistics when the site sets a reading-level limit.
pub fn output_for(config: Option<&SiteConfig>, asked: Output) -> Output {
    let limit = config.is_some_and(|c| c.max_reading_grade.is_some());
    Output {
        stats: asked.stats || limit,
        ..asked
    }
}

/// Parses `site.toml`, with the command line's overrides applied.
pub fn parse_config(
    sources: &Sources,
    overrides: &Overrides,
) -> (Option<SiteConfig>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let config = sources.config.as_ref().and_then(|file| {
        parse_toml::<SiteConfig>(Code::Config, &file.path, &file.text, 0..file.text.len())
            .map_err(|mut d| diagnostics.append(&mut d))
            .ok()
    });
    let config = config.map(|mut c| {
        if let Some(base_url) = &overrides.base_url {
            c.base_url = base_url.clone();
        }
        c
    });
    (config, diagnostics)
}

/// Parses one Markdown file: its front matter by section, then its body.
pub fn parse_page(
    file: &SourceFile,
    base_path: &str,
    output: Output,
) -> (Option<Page>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let Some(section) = Section::of_path(&file.path).filter(|_| url::is_content(&file.path)) else {
        let d = Diagnostic::error(
            Code::Slug,
            &file.path,
            0..0,
            "Markdown files must sit directly in articles/, glossary/ or pages/",
        );
        return (None, vec![d]);
    };
    let slug = url::slug(&file.path);
    if !url::is_valid_slug(slug) {
        diagnostics.push(
            Diagnostic::error(
                Code::Slug,
                &file.path,
                0..0,
                format!("`{slug}` is not a valid slug"),
            )
            .with_hint(format!(
                "use {} only, for example `{}`",
                url::SLUG_RULE,
                url::suggest_slug(slug)
            )),
        );
    }
    let split = match split_front_matter(&file.path, &file.text) {
        Ok(split) => split,
        Err(d) => return (None, vec![d]),
    };
    let (text, front) = (&file.text, split.front.clone());
    let meta = match section {
        Section::Article => parse_toml::<ArticleMeta>(Code::FrontMatter, &file.path, text, front)
            .map(|m| Meta::Article(with_reference_spans(m, split.front.start))),
        Section::Glossary => parse_toml::<GlossaryMeta>(Code::FrontMatter, &file.path, text, front)
            .map(|m| Meta::Glossary(with_claims(m, text, split.front.clone()))),
        Section::Page => {
            parse_toml::<PageMeta>(Code::FrontMatter, &file.path, text, front).map(Meta::Page)
        }
    };
    // Reading level is judged, and reported, for articles only.
    let output = Output {
        stats: output.stats && section == Section::Article,
        ..output
    };
    let cx = markdown::Context {
        file: &file.path,
        base_path,
        output,
    };
    let (body, problems) = markdown::parse(text, split.body, &cx);
    diagnostics.extend(problems.into_iter().map(|p| match p {
        Problem::Shortcode(e) => Diagnostic::error(Code::Shortcode, &file.path, e.span, e.message)
            .with_hint("a shortcode is written {{ name(key=\"value\") }}; to show `{{` as text, write &#123;&#123;"),
        Problem::DuplicateId { id, span } => Diagnostic::error(
            Code::DuplicateId,
            &file.path,
            span,
            format!("the id `{id}` is used twice on this page"),
        )
        .with_hint("give one of the headings another id with {#another-id}"),
        Problem::Accessibility {
            span,
            message,
            hint,
            severity,
        } => Diagnostic {
            severity,
            ..Diagnostic::error(Code::Accessibility, &file.path, span, message)
        }
        .with_hint(hint),
    }));
    let found = crate::external::in_page(&file.path, text, &body, meta.as_ref().ok());
    diagnostics.extend(crate::external::malformed(&found));
    match meta {
        Ok(meta) => (
            Some(Page {
                path: file.path.clone(),
                section,
                meta,
                body,
            }),
            diagnostics,
        ),
        Err(mut problems) => {
            diagnostics.append(&mut problems);
            (None, diagnostics)
        }
    }
}

/// `meta` with each reference's `url` spanning its place in the file, not
/// in the front matter that starts at `front`.
fn with_reference_spans(mut meta: ArticleMeta, front: usize) -> ArticleMeta {
    for r in &mut meta.references {
        let span = r.url.span();
        let url = std::mem::take(r.url.get_mut());
        r.url = toml::Spanned::new(front + span.start..front + span.end, url);
    }
    meta
}

/// `meta` with the position of its term and each alias in `text`, read from
/// the front matter at `front` (which has parsed as `meta` already).
fn with_claims(mut meta: GlossaryMeta, text: &str, front: std::ops::Range<usize>) -> GlossaryMeta {
    #[derive(serde::Deserialize)]
    struct Words {
        term: toml::Spanned<String>,
        #[serde(default)]
        aliases: Vec<toml::Spanned<String>>,
    }
    let claim = |word: &toml::Spanned<String>| {
        let span = front.start + word.span().start..front.start + word.span().end;
        let line = diagnostic::line_col(text, span.start).0;
        Claim { span, line }
    };
    if let Ok(words) = toml::from_str::<Words>(&text[front.clone()]) {
        meta.claims = std::iter::once(&words.term)
            .chain(&words.aliases)
            .map(claim)
            .collect();
    }
    meta
}
