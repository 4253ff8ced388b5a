//! The only stage that looks across files: which pages are published, whether
//! every link and `#anchor` lands, and which pages link to each page.
//!
//! [`Resolver`] does the work and keeps its indexes, so `serve` can update a
//! resolved site in place: an edit re-checks the links of the changed pages and
//! of the pages whose links can land differently because of it, nothing else.
//! A build is the same code run once over every page. The site's topics and
//! menus are resolved here too ([`nav`]), and kept current the same way; the
//! checks of one page's links and their hints are in [`links`].

mod links;
mod nav;
mod outputs;
pub use outputs::is_generated;

use links::{Checked, Known, check_links};

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::glossary;
use crate::load::{Section, Sources};
use crate::parse::meta::Claim;
use crate::parse::{Meta, Page, Parsed};

pub use nav::{MenuItem, Menus, Topics};

/// The site as it will be published.
#[derive(Clone, Debug)]
pub struct Site {
    pub parsed: Parsed,
    /// For each page (by index into `parsed.pages`), the pages linking to it,
    /// sorted by title.
    pub backlinks: Vec<Vec<usize>>,
    /// For each page, the pages it links to, in order of first link.
    pub outlinks: Vec<Vec<usize>>,
    /// The topics of the published articles, by slug.
    pub topics: Topics,
    /// The menus every page shows, each entry a page the site has.
    pub menus: Menus,
    index: FxHashMap<String, usize>,
}

impl Site {
    pub fn page(&self, path: &str) -> Option<&Page> {
        self.index.get(path).map(|&i| &*self.parsed.pages[i])
    }

    /// The index of a page in `pages()`.
    pub fn position(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }

    pub fn pages(&self) -> &[Arc<Page>] {
        &self.parsed.pages
    }
}

/// Everything `resolve` needs besides the parsed pages: the files a link may
/// name and whether drafts are published.
#[derive(Clone, Debug, Default)]
pub struct Files {
    /// Paths of every Markdown source that exists, parsed or not, sorted.
    sources: Vec<String>,
    /// Each source by its lowercase path (the last in order on a tie), for
    /// the letter-case hint.
    lower: HashMap<String, String>,
    /// Output paths of the static files (`img/a.png`), each with the file it
    /// comes from (`static/img/a.png`).
    assets: BTreeMap<String, String>,
    drafts: bool,
}

impl Files {
    pub fn from_sources(sources: &Sources, drafts: bool) -> Files {
        Files::new(
            sources.content.iter().map(|f| f.path.clone()).collect(),
            sources
                .assets
                .iter()
                .map(|a| (a.output.clone(), a.source.clone()))
                .collect(),
            drafts,
        )
    }

    fn new(mut sources: Vec<String>, assets: BTreeMap<String, String>, drafts: bool) -> Files {
        sources.sort();
        sources.dedup();
        let lower = sources
            .iter()
            .map(|s| (s.to_lowercase(), s.clone()))
            .collect();
        Files {
            sources,
            lower,
            assets,
            drafts,
        }
    }

    fn exists(&self, path: &str) -> bool {
        self.sources
            .binary_search_by(|s| s.as_str().cmp(path))
            .is_ok()
    }

    /// Records whether the source `path` exists; returns whether that changed.
    fn set_exists(&mut self, path: &str, exists: bool) -> bool {
        let lower = path.to_lowercase();
        match (
            self.sources.binary_search_by(|s| s.as_str().cmp(path)),
            exists,
        ) {
            (Err(at), true) => {
                self.sources.insert(at, path.to_string());
                let entry = self.lower.entry(lower).or_default();
                if entry.as_str() < path {
                    *entry = path.to_string();
                }
                true
            }
            (Ok(at), false) => {
                self.sources.remove(at);
                if self.lower.get(&lower).is_some_and(|s| s == path) {
                    // Another source may differ from it only in letter case.
                    let next = self.sources.iter().rfind(|s| s.to_lowercase() == lower);
                    match next {
                        Some(next) => self.lower.insert(lower, next.clone()),
                        None => self.lower.remove(&lower),
                    };
                }
                true
            }
            _ => false,
        }
    }
}

/// Resolves a whole site: its published pages, their links and backlinks, and
/// every broken link and anchor.
pub fn resolve(parsed: Parsed, files: Files) -> (Site, Vec<Diagnostic>) {
    let resolver = Resolver::new(parsed, files);
    let problems = resolver.problems().cloned().collect();
    (resolver.site, problems)
}

/// A Markdown source as it is after an edit.
#[derive(Clone, Debug)]
pub struct Changed {
    pub path: String,
    /// Whether the file exists; it may exist and have failed to parse.
    pub exists: bool,
    pub page: Option<Arc<Page>>,
}

/// A resolved site and the indexes that let it be updated in place.
#[derive(Clone, Debug)]
pub struct Resolver {
    site: Site,
    files: Files,
    /// Drafts left out of the site.
    drafts: HashSet<String>,
    /// The link problems of each published page that has some.
    problems: BTreeMap<String, Vec<Diagnostic>>,
    /// Problems with the menus and `[topics]` of `site.toml`.
    nav_problems: Vec<Diagnostic>,
    /// Link targets that are not published pages → the pages linking there.
    /// A page must be re-checked when such a target appears or changes.
    dangling: HashMap<String, BTreeSet<String>>,
    /// Each page → its link targets that are not published (`dangling` inverted).
    dangles: HashMap<String, Vec<String>>,
    /// Words two glossary entries both claim; worked out again after every
    /// update, as any glossary edit can add or settle one.
    duplicate_terms: Vec<Diagnostic>,
    /// Sources that would write the same output file; worked out again after
    /// every update, as a new page or topic can take another's address.
    collisions: Vec<Diagnostic>,
}

impl Resolver {
    pub fn new(mut parsed: Parsed, files: Files) -> Resolver {
        let drafts: HashSet<String> = parsed
            .pages
            .iter()
            .filter(|p| p.meta.draft() && !files.drafts)
            .map(|p| p.path.clone())
            .collect();
        parsed.pages.retain(|p| !drafts.contains(&p.path));
        parsed.pages.sort_by(|a, b| a.path.cmp(&b.path));
        let n = parsed.pages.len();
        let index = index_of(&parsed.pages);
        let topics = Topics::new(&parsed.config, &parsed.pages);
        let mut resolver = Resolver {
            site: Site {
                parsed,
                backlinks: vec![Vec::new(); n],
                outlinks: vec![Vec::new(); n],
                topics,
                menus: Menus::default(),
                index,
            },
            files,
            drafts,
            problems: BTreeMap::new(),
            nav_problems: Vec::new(),
            dangling: HashMap::new(),
            dangles: HashMap::new(),
            duplicate_terms: Vec::new(),
            collisions: Vec::new(),
        };
        resolver.relink(&(0..n).collect::<Vec<_>>());
        resolver.renavigate();
        resolver.duplicate_terms = duplicate_terms(resolver.site.pages());
        resolver.collisions = outputs::collisions(&resolver.site, &resolver.files);
        resolver
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    pub fn into_site(self) -> Site {
        self.site
    }

    /// Every broken link and anchor, by page, every word two glossary
    /// entries claim, every address two sources claim, then the menus'
    /// problems.
    pub fn problems(&self) -> impl Iterator<Item = &Diagnostic> {
        self.problems
            .values()
            .flatten()
            .chain(&self.duplicate_terms)
            .chain(&self.collisions)
            .chain(&self.nav_problems)
    }

    /// Resolves the menus and checks `[topics]` again: any edit can publish
    /// or remove a page they name. A few lookups, so done after every edit.
    fn renavigate(&mut self) {
        let (menus, mut problems) = nav::menus(&self.site, &self.files, &self.drafts);
        problems.extend(nav::unused_topic_names(&self.site));
        self.site.menus = menus;
        self.nav_problems = problems;
    }

    /// Applies edited sources and re-checks the links they can affect: their
    /// own; those of the pages linking to a page that appeared, disappeared or
    /// changed its anchors; and, when a file appeared or went, every link that
    /// lands nowhere (its hint names the other files).
    pub fn update(&mut self, changes: Vec<Changed>) {
        let mut recheck: BTreeSet<String> = BTreeSet::new();
        let mut files_changed = false;
        // Whether a page was published or withdrawn, or the topics changed:
        // only then can two sources claim one address.
        let mut pages_changed = false;
        let topics = |site: &Site| -> Vec<String> {
            site.topics
                .iter()
                .map(|(slug, _)| slug.to_string())
                .collect()
        };
        let topics_before = topics(&self.site);
        let glossary_changed = changes.iter().any(|c| c.path.starts_with("glossary/"));
        for change in &changes {
            files_changed |= self.files.set_exists(&change.path, change.exists);
            self.drafts.remove(&change.path);
            let published = change.page.as_ref().filter(|p| {
                let draft = p.meta.draft() && !self.files.drafts;
                if draft {
                    self.drafts.insert(p.path.clone());
                }
                !draft
            });
            pages_changed |= self.site.position(&change.path).is_some() != published.is_some();
            if let Some(pages) = self.dangling.get(&change.path) {
                recheck.extend(pages.iter().cloned());
            }
            // Hints for links that land nowhere name glossary words, so a
            // changed term or alias re-checks them all, as a new file does.
            let words = |p: Option<&Page>| match p.map(|p| &p.meta) {
                Some(Meta::Glossary(m)) => Some((m.term.clone(), m.aliases.clone())),
                _ => None,
            };
            let old_page = self
                .site
                .position(&change.path)
                .map(|i| &*self.site.parsed.pages[i]);
            if words(old_page) != words(published.map(|p| &**p)) {
                files_changed = true;
            }
            if let Some(old) = self.site.position(&change.path) {
                let page = &self.site.parsed.pages[old];
                if published.is_none_or(|new| !same_anchors(page, new)) {
                    let pages = self.site.pages();
                    recheck.extend(
                        self.site.backlinks[old]
                            .iter()
                            .map(|&j| pages[j].path.clone()),
                    );
                }
            }
            if published.is_some() {
                recheck.insert(change.path.clone());
            }
        }
        if files_changed {
            recheck.extend(self.dangling.values().flatten().cloned());
        }
        self.replace_pages(changes);
        let pages: Vec<usize> = recheck
            .iter()
            .filter_map(|p| self.site.position(p))
            .collect();
        self.relink(&pages);
        self.renavigate();
        // Both look at every page: on a large site they cost more than the
        // rest of an edit, so only what can change them runs them again (a
        // glossary word changed counts as a file appearing).
        pages_changed |= files_changed || topics(&self.site) != topics_before;
        // A glossary entry's claims point into its text, which may have moved.
        if pages_changed || glossary_changed {
            self.duplicate_terms = duplicate_terms(self.site.pages());
        }
        if pages_changed {
            self.collisions = outputs::collisions(&self.site, &self.files);
        }
    }

    /// Puts the changed pages in the site, in path order, and keeps every
    /// index pointing at the same pages.
    fn replace_pages(&mut self, changes: Vec<Changed>) {
        let mut gone = HashSet::new();
        let mut added = Vec::new();
        for change in changes {
            let new = change.page.filter(|p| !self.drafts.contains(&p.path));
            let old = self.site.position(&change.path);
            if let Some(i) = old {
                self.site.topics.remove(&self.site.parsed.pages[i]);
            }
            if let Some(page) = &new {
                self.site.topics.add(page);
            }
            match (old, new) {
                (Some(i), Some(page)) => self.site.parsed.pages[i] = page,
                (Some(i), None) => {
                    self.unlink(i);
                    gone.insert(change.path);
                }
                (None, Some(page)) => added.push(page),
                (None, None) => {}
            }
        }
        if gone.is_empty() && added.is_empty() {
            return;
        }
        let site = &mut self.site;
        let old_pages = std::mem::take(&mut site.parsed.pages);
        let mut pages: Vec<Arc<Page>> = old_pages
            .iter()
            .filter(|p| !gone.contains(&p.path))
            .cloned()
            .chain(added)
            .collect();
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        site.index = index_of(&pages);
        let moved: Vec<Option<usize>> = old_pages
            .iter()
            .map(|p| site.index.get(&p.path).copied())
            .collect();
        let remap = |list: &[usize]| list.iter().filter_map(|&j| moved[j]).collect();
        let mut outlinks = vec![Vec::new(); pages.len()];
        let mut backlinks = vec![Vec::new(); pages.len()];
        for (old, new) in moved.iter().enumerate() {
            if let Some(new) = *new {
                outlinks[new] = remap(&site.outlinks[old]);
                backlinks[new] = remap(&site.backlinks[old]);
            }
        }
        site.parsed.pages = pages;
        site.outlinks = outlinks;
        site.backlinks = backlinks;
    }

    /// Checks the links of `pages` again and updates the links, backlinks and
    /// problems that depend on them.
    fn relink(&mut self, pages: &[usize]) {
        let known = Known {
            index: &self.site.index,
            pages: &self.site.parsed.pages,
            files: &self.files,
            drafts: &self.drafts,
        };
        let checked: Vec<(usize, Checked)> = pages
            .par_iter()
            .map(|&i| (i, check_links(&self.site.parsed.pages[i], &known)))
            .collect();
        let mut unsorted = vec![false; self.site.backlinks.len()];
        for (i, checked) in checked {
            self.unlink(i);
            for &to in &checked.targets {
                if to != i {
                    self.site.backlinks[to].push(i);
                    unsorted[to] = true;
                }
            }
            self.site.outlinks[i] = checked.targets;
            let path = &self.site.parsed.pages[i].path;
            if !checked.problems.is_empty() {
                self.problems.insert(path.clone(), checked.problems);
            }
            for target in &checked.dangling {
                self.dangling
                    .entry(target.clone())
                    .or_default()
                    .insert(path.clone());
            }
            if !checked.dangling.is_empty() {
                self.dangles.insert(path.clone(), checked.dangling);
            }
        }
        let pages = &self.site.parsed.pages;
        self.site
            .backlinks
            .par_iter_mut()
            .zip(unsorted)
            .filter(|(_, unsorted)| *unsorted)
            .for_each(|(from, _)| {
                from.sort_unstable_by(|&a, &b| {
                    let (a, b) = (&pages[a], &pages[b]);
                    (a.section, a.meta.title(), &a.path).cmp(&(b.section, b.meta.title(), &b.path))
                });
            });
    }

    /// Forgets what page `i`'s links found: its backlinks elsewhere, its
    /// problems and its dangling targets.
    fn unlink(&mut self, i: usize) {
        for to in std::mem::take(&mut self.site.outlinks[i]) {
            self.site.backlinks[to].retain(|&from| from != i);
        }
        let path = &self.site.parsed.pages[i].path;
        self.problems.remove(path);
        for target in self.dangles.remove(path).unwrap_or_default() {
            if let Some(pages) = self.dangling.get_mut(&target) {
                pages.remove(path);
                if pages.is_empty() {
                    self.dangling.remove(&target);
                }
            }
        }
    }
}

fn index_of(pages: &[Arc<Page>]) -> FxHashMap<String, usize> {
    pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.clone(), i))
        .collect()
}

/// Whether links to `#anchors` of the two versions of a page land (and are
/// hinted) the same.
fn same_anchors(old: &Page, new: &Page) -> bool {
    old.body.ids == new.body.ids
        && old.body.headings.len() == new.body.headings.len()
        && old
            .body
            .headings
            .iter()
            .zip(&new.body.headings)
            .all(|(a, b)| a.id == b.id)
}

/// A diagnostic for each glossary word (term or alias) that an entry earlier
/// in path order already claims, compared folded (`HRT`, `hrt`; `Öl`, `ol`):
/// a glossary link or an A–Z line could lead to only one of them.
fn duplicate_terms(pages: &[Arc<Page>]) -> Vec<Diagnostic> {
    let mut first: HashMap<String, (&Page, &str, &Claim)> = HashMap::new();
    let mut problems = Vec::new();
    for page in pages {
        let Meta::Glossary(m) = &page.meta else {
            continue;
        };
        let words = std::iter::once(&m.term).chain(&m.aliases);
        for (word, claim) in words.zip(&m.claims) {
            let (other, other_word, earlier) = match first.entry(glossary::fold(word)) {
                Entry::Vacant(v) => {
                    v.insert((page, word, claim));
                    continue;
                }
                Entry::Occupied(o) => *o.get(),
            };
            let written = if other_word == word {
                String::new()
            } else {
                format!(", as `{other_word}`")
            };
            let (message, hint) = if std::ptr::eq(other, &**page) {
                (
                    format!(
                        "this entry claims `{word}` twice (also on line {}{written})",
                        earlier.line
                    ),
                    "remove the repeat",
                )
            } else {
                (
                    format!(
                        "`{word}` is claimed by two glossary entries: this one and `{}` (line {}{written})",
                        other.path, earlier.line
                    ),
                    "a word can lead to one entry only: remove it from one of them, or merge the two entries",
                )
            };
            problems.push(
                Diagnostic::error(Code::DuplicateTerm, &page.path, claim.span.clone(), message)
                    .with_hint(hint),
            );
        }
    }
    problems
}

/// Whether a page belongs in the glossary index.
pub fn is_term(page: &Page) -> bool {
    page.section == Section::Glossary
}

#[cfg(test)]
mod tests;
