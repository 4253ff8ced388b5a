//! The page templates' data: the `Renderer` every render shares, each page's
//! context (its fields, links, menus and `<head>`), and the link cards.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;
use tera::{Context, Value};

use crate::diagnostic::Diagnostic;
use crate::load::{Section, Sources};
use crate::parse::markdown::Body;
use crate::parse::meta::{Date, SiteConfig};
use crate::parse::shortcode::CallKey;
use crate::parse::{Meta, Page};
use crate::render::machine;
use crate::resolve::{MenuItem, Site};
use crate::url;

use super::Theme;
use super::errors::template_diagnostic;
use super::ids::{TemplateIds, template_ids};
use super::tests_of_text::TextTest;

/// A page's title, URL, description and kind, as backlinks and indexes show it.
fn link_ref(page: &Page, base_path: &str) -> Value {
    map(card_fields(page, base_path))
}

/// The fields of [`link_ref`], for cards that add their own.
pub(super) fn card_fields(page: &Page, base_path: &str) -> [(&'static str, Value); 4] {
    [
        ("title", page.meta.title().into()),
        ("url", url::of_source(&page.path, base_path).into()),
        ("description", page.meta.description().into()),
        ("kind", section_name(page.section).into()),
    ]
}

pub(super) struct Renderer<'a> {
    pub(super) site: &'a Site,
    pub(super) theme: &'a Theme,
    pub(super) sources: &'a Sources,
    pub(super) config: &'a SiteConfig,
    pub(super) base_path: String,
    /// Each page's title, URL, description and kind, made once when first
    /// needed: backlinks, related articles and indexes share them (tera's maps
    /// are reference-counted), and a render of a few pages makes only theirs.
    pub(super) refs: Vec<OnceLock<Value>>,
    /// Shortcode output by template and arguments: a shortcode sees only its
    /// arguments, the data and the theme, so each call renders once per build.
    pub(super) memo: Mutex<FxHashMap<CallKey, Arc<str>>>,
    /// The glossary notes of the pages being rendered, by term and number on
    /// the page (all a note depends on), rendered before the pages are: looked
    /// up through a lock like `memo`, the site's many notes queued on it.
    pub(super) notes: FxHashMap<(&'a str, usize), Arc<str>>,
    /// The ids the theme writes on each kind of page, which no heading may take.
    pub(super) template_ids: TemplateIds,
}

/// A template map with fixed keys, built directly as tera values: going
/// through serde_json cost a second copy of every index.
pub(super) fn map<const N: usize>(pairs: [(&'static str, Value); N]) -> Value {
    Value::from(BTreeMap::from(pairs))
}

pub(super) fn section_name(section: Section) -> &'static str {
    match section {
        Section::Article => "article",
        Section::Glossary => "glossary",
        Section::Page => "page",
    }
}

impl<'a> Renderer<'a> {
    pub(super) fn new(site: &'a Site, sources: &'a Sources, theme: &'a Theme) -> Self {
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
            template_ids: template_ids(sources),
        }
    }

    /// The shared link cards of `pages`, as a template list.
    pub(super) fn cards<'i>(&self, pages: impl IntoIterator<Item = &'i usize>) -> Value {
        pages
            .into_iter()
            .map(|&i| self.card(i))
            .collect::<Vec<_>>()
            .into()
    }

    pub(super) fn topic_url(&self, slug: &str) -> String {
        format!("{}topics/{slug}/", self.base_path)
    }

    /// The shared link card of page `i`.
    pub(super) fn card(&self, i: usize) -> Value {
        self.refs[i]
            .get_or_init(|| link_ref(&self.site.pages()[i], &self.base_path))
            .clone()
    }

    /// Renders page `i` with `body`, its body.
    pub(super) fn page(
        &self,
        i: usize,
        page: &Page,
        body: &Body,
    ) -> (Result<String, Diagnostic>, Vec<Diagnostic>) {
        let (content, problems) = self.content(page, body);
        let template = match page.section {
            Section::Article => "article.html",
            Section::Glossary => "glossary-entry.html",
            Section::Page => "page.html",
        };
        let mut context = Context::new();
        context.insert_value("page", self.page_value(i, page, body));
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
    pub(super) fn meta(&self, title: &str, description: &str, path: &str, og_type: &str) -> Value {
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

    pub(super) fn topic_ref(&self, slug: &str, name: &str) -> Value {
        map([("name", name.into()), ("url", self.topic_url(slug).into())])
    }

    /// What every template knows beside its page: `menu.main` and
    /// `menu.footer`, lists of `{name, url, current}` where `current` marks the
    /// page at `path` (its URL after the base path), and whether the page is
    /// a draft published by `--drafts`, which shows a banner and asks search
    /// engines not to index it.
    pub(super) fn insert_nav(&self, context: &mut Context, path: &str, draft: bool) {
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
    fn page_value(&self, i: usize, page: &Page, body: &Body) -> Value {
        let related = related(self.site, i);
        let toc: Vec<Value> = body
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
}

/// Related articles of page `i`: the articles it links to, then those linking here.
fn related(site: &Site, i: usize) -> Vec<usize> {
    let pages = site.pages();
    let mut related: Vec<usize> = Vec::new();
    for &j in site.outlinks[i].iter().chain(&site.backlinks[i]) {
        if pages[j].section == Section::Article && j != i && !related.contains(&j) {
            related.push(j);
        }
    }
    related
}

/// Counts from this one up look alike to a template (`length > 3` and the like).
pub(super) const MANY: usize = 6;

/// What a page template can branch on besides the page's words: its kind,
/// whether it is a draft, in a menu or named like the site, and how many items
/// each of its lists has, up to [`MANY`]. Two pages of one shape take the
/// same branches of a template that tests only these, so `check` renders one
/// page of each shape and finds a link a template writes only for some pages
/// (`{% if page.toc | length > 3 %}`), as `build` does.
/// And which of the templates' tests of a page's text (`tests`, see
/// [`super::tests_of_text`]) the page passes.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct Shape([u8; 13], Vec<bool>);

pub(crate) fn shape(site: &Site, i: usize, tests: &[TextTest]) -> Shape {
    let page = &site.pages()[i];
    let count = |n: usize| n.min(MANY) as u8;
    let path = url::of_source(&page.path, "");
    let in_menu = |items: &[MenuItem]| u8::from(items.iter().any(|item| item.path == path));
    let (mut references, mut dated, mut reviews, mut topics, mut aliases) = (0, 0, 0, 0, 0);
    match &page.meta {
        Meta::Article(m) => {
            references = m.references.len();
            dated = m.references.iter().filter(|r| r.year.is_some()).count();
            reviews = usize::from(m.review_due.is_some());
            topics = site.topics.of(page).len();
        }
        Meta::Glossary(m) => aliases = m.aliases.len(),
        Meta::Page(_) => {}
    }
    let toc = page.body.headings.iter().filter(|h| h.level == 2).count();
    Shape(
        [
            page.section as u8,
            u8::from(page.meta.draft()),
            u8::from(page.meta.title() == site.parsed.config.title),
            in_menu(&site.menus.main),
            in_menu(&site.menus.footer),
            count(toc),
            count(site.backlinks[i].len()),
            count(related(site, i).len()),
            count(topics),
            count(references),
            count(dated),
            count(reviews),
            count(aliases),
        ],
        tests.iter().map(|t| t.passes(page)).collect(),
    )
}
