//! The outputs no source file makes: home, glossary A–Z, topics and each
//! topic's page, 404, the search page (if the theme has one), and the
//! machine files (sitemap, robots.txt, feed).

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tera::{Context, Value};

use crate::diagnostic::Diagnostic;
use crate::glossary;
use crate::load::Section;
use crate::parse::{Meta, Page};
use crate::render::machine;
use crate::url;

use super::compact;
use super::errors::template_diagnostic;
use super::pages::{MANY, Renderer, card_fields, map};

/// The template of the search page, optional: see [`crate::search`].
pub(super) const SEARCH_TEMPLATE: &str = "search.html";

/// The files for search engines and feed readers, made without templates.
pub(super) use crate::url::MACHINE_FILES;

/// A topic as its page and the index pages show it.
struct Topic {
    slug: String,
    name: String,
    /// How many articles it has.
    articles: usize,
    /// Its name, slug, URL and article cards, for the templates.
    value: Value,
}

impl<'a> Renderer<'a> {
    /// Home, glossary index, topic pages and the 404 page; unless `all`,
    /// only one topic page of each length is rendered and the others are
    /// empty placeholders.
    pub(super) fn indexes(&self, all: bool) -> Vec<(String, Result<Vec<u8>, Diagnostic>)> {
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

        let (cards, topic_values) = self.article_cards(&articles);
        let (letter_values, letter_bar) = self.glossary_letters(&terms);
        let mut base = Context::new();
        base.insert_value("articles", cards.into());
        base.insert_value(
            "topics",
            topic_values
                .iter()
                .map(|topic| topic.value.clone())
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
        // A theme of a site's own may have no search page: then there is no
        // search, and its templates are told so by an empty `site.search_url`.
        if self.theme.contains_template(SEARCH_TEMPLATE) {
            let description = format!(
                "Search every article and glossary entry on {}.",
                config.title
            );
            out.push((
                crate::search::PAGE.to_string(),
                index(
                    SEARCH_TEMPLATE,
                    "Search",
                    &description,
                    "search/",
                    String::new(),
                ),
            ));
        }
        // Unless `all`, one topic page of each length: the branches
        // `topic.html` can take on what it knows besides the words.
        let mut lengths = HashSet::new();
        let mut placeholders = Vec::new();
        for topic in topic_values {
            let path = format!("topics/{}/index.html", topic.slug);
            if !all && !lengths.insert(topic.articles.min(MANY)) {
                placeholders.push((path, Ok(Vec::new())));
                continue;
            }
            let context = self.topic_context(&base, &topic.slug, &topic.name, topic.value);
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

    /// Each article's card, and each topic with its name, slug, URL and the
    /// cards of its articles: `(slug, name, value)` in the site's topic order.
    fn article_cards(&self, articles: &[usize]) -> (Vec<Value>, Vec<Topic>) {
        let pages = self.site.pages();
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
        let topic_values: Vec<Topic> = site_topics
            .iter()
            .map(|(slug, name)| {
                let list = lists.remove(slug).unwrap_or_default();
                let articles = list.len();
                let value = map([
                    ("name", name.into()),
                    ("slug", slug.into()),
                    ("url", self.topic_url(slug).into()),
                    ("articles", list.into()),
                ]);
                Topic {
                    slug: slug.to_string(),
                    name: name.to_string(),
                    articles,
                    value,
                }
            })
            .collect();
        (cards, topic_values)
    }
    /// The context of the page of the topic `slug`, called `name`: `base`
    /// and the topic's value.
    fn topic_context(&self, base: &Context, slug: &str, name: &str, topic: Value) -> Context {
        let mut context = base.clone();
        context.insert_value("topic", topic);
        context.insert_value(
            "meta",
            self.meta(
                name,
                &format!("Articles about {name}."),
                &format!("topics/{slug}/"),
                "website",
            ),
        );
        context.insert_value("jsonld", Value::safe_string(""));
        self.insert_nav(&mut context, &format!("topics/{slug}/"), false);
        context
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
    pub(super) fn machine_files(&self, index_urls: &[String]) -> Vec<(String, Vec<u8>)> {
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
