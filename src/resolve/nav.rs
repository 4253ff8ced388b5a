//! Navigation that spans the site, resolved with the links: the topics the
//! articles share (spellings with one slug are one topic) and the menus of
//! `site.toml`, each entry checked like a link and reported on its line.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::load::Section;
use crate::parse::meta::{MenuEntry, SiteConfig};
use crate::parse::{Meta, Page};
use crate::url;

use super::{Files, Site};

/// The file that menus and topic names are written in.
const CONFIG: &str = "site.toml";

/// The pages osteon makes without a source, as a menu entry names them.
const GENERATED: [&str; 3] = ["/", "/glossary/", "/topics/"];

/// Every topic of the published articles, by slug.
#[derive(Clone, Debug, Default)]
pub struct Topics {
    /// Slug → the articles naming it, by path, each with its own spelling.
    articles: BTreeMap<String, BTreeMap<String, String>>,
    /// Slug → the name `[topics]` in `site.toml` gives it.
    names: BTreeMap<String, String>,
}

impl Topics {
    pub(super) fn new(config: &SiteConfig, pages: &[Arc<Page>]) -> Topics {
        let mut topics = Topics {
            articles: BTreeMap::new(),
            names: config
                .topics
                .iter()
                .map(|(key, name)| (url::topic_slug(key.get_ref()), name.clone()))
                .collect(),
        };
        for page in pages {
            topics.add(page);
        }
        topics
    }

    pub(super) fn add(&mut self, page: &Page) {
        for topic in written(page) {
            self.articles
                .entry(url::topic_slug(topic))
                .or_default()
                .entry(page.path.clone())
                .or_insert_with(|| topic.clone());
        }
    }

    pub(super) fn remove(&mut self, page: &Page) {
        for topic in written(page) {
            let slug = url::topic_slug(topic);
            if let Some(articles) = self.articles.get_mut(&slug) {
                articles.remove(&page.path);
                if articles.is_empty() {
                    self.articles.remove(&slug);
                }
            }
        }
    }

    /// The name a topic is shown by: the one `[topics]` gives it, or else its
    /// first spelling in path order, so adding an article later in the
    /// alphabet never renames a topic.
    pub fn name(&self, slug: &str) -> Option<&str> {
        let first = self.articles.get(slug)?.values().next()?;
        Some(self.names.get(slug).unwrap_or(first))
    }

    /// Every topic, in slug order, with its name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.articles
            .keys()
            .filter_map(|slug| Some((slug.as_str(), self.name(slug)?)))
    }

    /// The topics of `page`, each once, in the order written: slug and name.
    pub fn of(&self, page: &Page) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = Vec::new();
        for topic in written(page) {
            let slug = url::topic_slug(topic);
            if out.iter().all(|(s, _)| *s != slug)
                && let Some(name) = self.name(&slug)
            {
                out.push((slug, name));
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.articles.is_empty()
    }
}

/// The topics an article's front matter lists, as written.
fn written(page: &Page) -> &[String] {
    match &page.meta {
        Meta::Article(m) => &m.topics,
        _ => &[],
    }
}

/// A `[topics]` key that names no topic of the published articles. A
/// warning, not an error: the name may be waiting for an article in draft.
pub(super) fn unused_topic_names(site: &Site) -> Vec<Diagnostic> {
    let topics = &site.topics;
    site.parsed
        .config
        .topics
        .keys()
        .filter(|key| {
            !topics
                .articles
                .contains_key(&url::topic_slug(key.get_ref()))
        })
        .map(|key| {
            let d = Diagnostic::warning(
                Code::Config,
                CONFIG,
                key.span(),
                format!("no published article has the topic `{}`", key.get_ref()),
            );
            let slugs = topics.articles.keys().map(String::as_str);
            match closest(&url::topic_slug(key.get_ref()), slugs) {
                Some(best) => d.with_hint(format!("did you mean `{best}`?")),
                None => d.with_hint(
                    "`[topics]` names a topic by its slug, as in `bone-health = \"Bone health\"`",
                ),
            }
        })
        .collect()
}

/// The menus every page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Menus {
    pub main: Vec<MenuItem>,
    pub footer: Vec<MenuItem>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MenuItem {
    /// The link text.
    pub name: String,
    /// The page's URL after the base path: `` for the home page, `about/`.
    pub path: String,
}

fn item(name: &str, path: &str) -> MenuItem {
    MenuItem {
        name: name.to_string(),
        path: path.to_string(),
    }
}

/// The menus of `site.toml`, each entry checked like a link; a menu it
/// leaves out links only to pages the site has.
pub(super) fn menus(
    site: &Site,
    files: &Files,
    drafts: &HashSet<String>,
) -> (Menus, Vec<Diagnostic>) {
    let config = &site.parsed.config.menu;
    let mut problems = Vec::new();
    let mut menu = |written: &Option<Vec<MenuEntry>>, default: fn(&Site) -> Vec<MenuItem>| {
        let Some(entries) = written else {
            return default(site);
        };
        let mut items = Vec::new();
        for entry in entries {
            let (item, mut found) = checked(entry, site, files, drafts);
            items.extend(item);
            problems.append(&mut found);
        }
        items
    };
    let menus = Menus {
        main: menu(&config.main, default_main),
        footer: menu(&config.footer, default_footer),
    };
    (menus, problems)
}

/// The main menu of a site whose `site.toml` has none.
fn default_main(site: &Site) -> Vec<MenuItem> {
    let mut items = vec![item("All articles", "")];
    if !site.topics.is_empty() {
        items.push(item("Topics", "topics/"));
    }
    if has_glossary(site) {
        items.push(item("Glossary A to Z", "glossary/"));
    }
    if site.position("pages/about.md").is_some() {
        items.push(item("About us", "about/"));
    }
    items
}

/// The footer menu of a site whose `site.toml` has none.
fn default_footer(site: &Site) -> Vec<MenuItem> {
    let mut items = Vec::new();
    if site.position("pages/about.md").is_some() {
        items.push(item("About us and our editorial policy", "about/"));
    }
    if site.position("pages/accessibility.md").is_some() {
        items.push(item("Accessibility statement", "accessibility/"));
    }
    if has_glossary(site) {
        items.push(item("Glossary of medical words", "glossary/"));
    }
    items
}

/// Whether the site publishes a glossary entry; pages are in path order.
fn has_glossary(site: &Site) -> bool {
    let pages = site.pages();
    let first = pages.partition_point(|p| p.path.as_str() < "glossary/");
    pages
        .get(first)
        .is_some_and(|p| p.section == Section::Glossary)
}

/// The item a menu entry makes, if it can make one, and its problems. A page
/// that exists but failed to parse makes no item and no problem here: its
/// own error is reported.
fn checked(
    entry: &MenuEntry,
    site: &Site,
    files: &Files,
    drafts: &HashSet<String>,
) -> (Option<MenuItem>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let name = entry.name.get_ref();
    if name.trim().is_empty() {
        problems.push(
            Diagnostic::error(
                Code::Config,
                CONFIG,
                entry.name.span(),
                "this menu entry has no name",
            )
            .with_hint("the name is the link text readers see, as in `name = \"About us\"`"),
        );
    }
    let page = entry.page.get_ref().as_str();
    let path = match generated(page, site) {
        Some(path) => Some(path),
        None if site.position(page).is_some() => Some(url::of_source(page, "")),
        None => {
            problems.extend(missing(page, entry.page.span(), site, files, drafts));
            None
        }
    };
    let made = path.filter(|_| problems.is_empty());
    (made.map(|path| item(name, &path)), problems)
}

/// The URL path of a page osteon makes: `/`, `/glossary/`, `/topics/` or a
/// topic of the site (`/topics/bone-health/`).
fn generated(page: &str, site: &Site) -> Option<String> {
    if GENERATED.contains(&page) {
        return Some(page[1..].to_string());
    }
    let slug = page.strip_prefix("/topics/")?.strip_suffix('/')?;
    site.topics.name(slug)?;
    Some(page[1..].to_string())
}

/// The `broken-link` error for a menu entry whose page is not published.
fn missing(
    page: &str,
    span: Range<usize>,
    site: &Site,
    files: &Files,
    drafts: &HashSet<String>,
) -> Option<Diagnostic> {
    let broken =
        |message: String| Diagnostic::error(Code::BrokenLink, CONFIG, span.clone(), message);
    if drafts.contains(page) {
        return Some(
            broken(format!(
                "this menu entry points to `{page}`, which is a draft"
            ))
            .with_hint("drafts are not published; link to it once `draft = true` is removed"),
        );
    }
    if files.exists(page) {
        return None;
    }
    let d = broken(format!(
        "this menu entry points to `{page}`, which is not a page of the site"
    ));
    if let Some(exact) = files.lower.get(&page.to_lowercase()) {
        return Some(d.with_hint(format!(
            "web servers treat letter case as different; write `{exact}`"
        )));
    }
    let name = page.rsplit('/').next().unwrap_or(page);
    if let Some(found) = files
        .sources
        .iter()
        .find(|s| !name.is_empty() && s.rsplit('/').next() == Some(name))
    {
        return Some(d.with_hint(format!("did you mean `{found}`?")));
    }
    let topics: Vec<String> = site
        .topics
        .iter()
        .map(|(slug, _)| format!("/topics/{slug}/"))
        .collect();
    let candidates = files
        .sources
        .iter()
        .map(String::as_str)
        .chain(GENERATED)
        .chain(topics.iter().map(String::as_str));
    Some(match closest(page, candidates) {
        Some(best) => d.with_hint(format!("did you mean `{best}`?")),
        None => d.with_hint(
            "name a page by its source path, as in `pages/about.md`, or one osteon makes: `/`, `/glossary/`, `/topics/`",
        ),
    })
}
