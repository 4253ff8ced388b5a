//! The only stage that looks across files: which pages are published, whether
//! every link and `#anchor` lands, and which pages link to each page.
//!
//! [`Resolver`] does the work and keeps its indexes, so `serve` can update a
//! resolved site in place: an edit re-checks the links of the changed pages and
//! of the pages whose links can land differently because of it, nothing else.
//! A build is the same code run once over every page. The site's topics and
//! menus are resolved here too ([`nav`]), and kept current the same way.

mod nav;
mod outputs;
pub use outputs::is_generated;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::glossary;
use crate::load::{Section, Sources};
use crate::markdown::{Link, Target};
use crate::meta::Claim;
use crate::parse::{Meta, Page, Parsed};
use crate::url;

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
        self.duplicate_terms = duplicate_terms(self.site.pages());
        self.collisions = outputs::collisions(&self.site, &self.files);
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

struct Known<'a> {
    index: &'a FxHashMap<String, usize>,
    pages: &'a [Arc<Page>],
    files: &'a Files,
    drafts: &'a HashSet<String>,
}

/// What checking one page's links found.
struct Checked {
    /// The pages it links to, in order of first link.
    targets: Vec<usize>,
    problems: Vec<Diagnostic>,
    /// The Markdown paths it links to that are not published pages.
    dangling: Vec<String>,
}

/// Checks one page's links.
fn check_links(page: &Page, known: &Known) -> Checked {
    let mut checked = Checked {
        targets: Vec::new(),
        problems: Vec::new(),
        dangling: Vec::new(),
    };
    let problems = &mut checked.problems;
    for link in &page.body.links {
        match &link.target {
            Target::External | Target::Absolute => {}
            Target::SamePage(fragment) => {
                if let Some(d) = check_anchor(page, page, fragment, link) {
                    problems.push(d);
                }
            }
            Target::Source { path, fragment } => match known.index.get(path) {
                Some(&i) => {
                    if !checked.targets.contains(&i) {
                        checked.targets.push(i);
                    }
                    if let Some(fragment) = fragment
                        && let Some(d) = check_anchor(page, &known.pages[i], fragment, link)
                    {
                        problems.push(d);
                    }
                }
                None => {
                    if !checked.dangling.contains(path) {
                        checked.dangling.push(path.clone());
                    }
                    problems.extend(missing_page(page, link, path, known));
                }
            },
            Target::Static(path) => {
                let output = path.strip_prefix("static/").unwrap_or(path);
                if !known.files.assets.contains_key(output) {
                    problems.push(
                        broken(page, link, format!("`{}` does not exist", link.dest))
                            .with_hint(static_hint(page, link, output, known)),
                    );
                }
            }
            Target::Invalid(reason) => {
                problems.push(broken(
                    page,
                    link,
                    format!("`{}` cannot be linked: {reason}", link.dest),
                ));
            }
        }
    }
    checked
}

fn broken(page: &Page, link: &Link, message: String) -> Diagnostic {
    Diagnostic::error(Code::BrokenLink, &page.path, link.span.clone(), message)
}

/// The diagnostic for a link to a Markdown file that is not published, or
/// `None` when the file exists but failed to parse (that error is reported).
fn missing_page(page: &Page, link: &Link, path: &str, known: &Known) -> Option<Diagnostic> {
    let what = if link.image { "image" } else { "link" };
    if known.drafts.contains(path) {
        return Some(
            broken(
                page,
                link,
                format!("this {what} points to `{path}`, which is a draft"),
            )
            .with_hint("drafts are not published; link to it once `draft = true` is removed"),
        );
    }
    if known.files.exists(path) {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if !path.ends_with(".md") || !url::is_content(path) {
        let hint = if let Some(hint) = path
            .ends_with(".md")
            .then(|| elsewhere(page, link, name, known))
            .flatten()
        {
            hint
        } else if path.ends_with(".md") {
            "link to Markdown files in articles/, glossary/ or pages/".to_string()
        } else {
            "link to a Markdown source (`x.md`) or a file under static/".to_string()
        };
        return Some(
            broken(
                page,
                link,
                format!("`{}` is not a page of the site", link.dest),
            )
            .with_hint(hint),
        );
    }
    let message = format!(
        "this {what} points to `{}`, which does not exist",
        link.dest
    );
    if let Some(exact) = known.files.lower.get(&path.to_lowercase()) {
        return Some(
            broken(page, link, format!("{message} (the letter case differs)")).with_hint(format!(
                "web servers treat letter case as different; write `{}`",
                written(page, link, exact)
            )),
        );
    }
    if let Some(hint) = glossary_word(page, link, path, known) {
        return Some(broken(page, link, message).with_hint(hint));
    }
    if let Some(hint) = elsewhere(page, link, name, known) {
        return Some(broken(page, link, message).with_hint(hint));
    }
    let d = broken(page, link, message);
    Some(match closest_source(page, link, path, known) {
        Some(best) => d.with_hint(format!("did you mean `{}`?", written(page, link, best))),
        None => d,
    })
}

/// The hint for a link to a static file that does not exist: the closest
/// one, written as the link writes paths.
fn static_hint(page: &Page, link: &Link, output: &str, known: &Known) -> String {
    match closest(output, known.files.assets.keys().map(String::as_str)) {
        Some(best) if link.dest.starts_with('/') => format!("did you mean `/{best}`?"),
        Some(best) => format!(
            "did you mean `{}`?",
            url::relative(&page.path, &format!("static/{best}"))
        ),
        None => "files linked from Markdown must be under the site's static/ folder".to_string(),
    }
}

/// `target`, a source path, as `link` would write it: relative to `page`, or
/// as its address from the site root when the link is written that way.
fn written(page: &Page, link: &Link, target: &str) -> String {
    if link.dest.starts_with('/') {
        url::of_source(target, "/")
    } else {
        url::relative(&page.path, target)
    }
}

/// The glossary words (terms and aliases) of the site, with their entries.
fn glossary_words<'a>(known: &'a Known) -> impl Iterator<Item = (&'a str, &'a Page)> {
    known.pages.iter().flat_map(|p| match &p.meta {
        Meta::Glossary(m) => std::iter::once(&m.term)
            .chain(&m.aliases)
            .map(|w| (w.as_str(), &**p))
            .collect(),
        _ => Vec::new(),
    })
}

/// For a missing `glossary/NAME.md`: the entry whose term or alias makes
/// that file name (`hrt.md` → the entry that lists `HRT`).
fn glossary_word(page: &Page, link: &Link, path: &str, known: &Known) -> Option<String> {
    let slug = path.strip_prefix("glossary/")?.strip_suffix(".md")?;
    let (word, entry) = glossary_words(known).find(|(w, _)| glossary::slug_of(w) == slug)?;
    let to = written(page, link, &entry.path);
    let term = entry.meta.title();
    Some(if word == term {
        format!("did you mean `{to}`, the entry for {term}?")
    } else {
        format!("did you mean `{to}`? `{word}` is another name for {term}")
    })
}

/// The source closest to the missing `path`, as written from `page`; for a
/// glossary link, a near miss of a glossary word counts as its entry.
fn closest_source<'a>(page: &Page, link: &Link, path: &str, known: &'a Known) -> Option<&'a str> {
    let mut candidates: Vec<(String, &str)> = known
        .files
        .sources
        .iter()
        .map(|s| (written(page, link, s), s.as_str()))
        .collect();
    if path.starts_with("glossary/") {
        candidates.extend(glossary_words(known).map(|(word, entry)| {
            let as_file = format!("glossary/{}.md", glossary::slug_of(word));
            (written(page, link, &as_file), entry.path.as_str())
        }));
    }
    let wanted = written(page, link, path);
    let best = closest(&wanted, candidates.iter().map(|(c, _)| c.as_str()))?;
    candidates
        .iter()
        .find(|(c, _)| c == best)
        .map(|&(_, source)| source)
}

/// The hint for a link whose file, `name`, exists in another folder: the
/// path to it from `page` (`glossary/x.md` from `articles/` is `../glossary/x.md`),
/// or its address for a link written from the site root.
fn elsewhere(page: &Page, link: &Link, name: &str, known: &Known) -> Option<String> {
    let found = known
        .files
        .sources
        .iter()
        .find(|s| s.rsplit('/').next() == Some(name))?;
    let to = written(page, link, found);
    Some(if link.dest.starts_with('/') {
        format!("`{found}` exists; its address from the site root is `{to}`")
    } else {
        format!("`{found}` exists; from `{}` the path is `{to}`", page.path)
    })
}

fn check_anchor(from: &Page, to: &Page, fragment: &str, link: &Link) -> Option<Diagnostic> {
    if to.body.ids.iter().any(|id| id == fragment) {
        return None;
    }
    let place = if std::ptr::eq(from, to) {
        "this page".to_string()
    } else {
        format!("`{}`", to.path)
    };
    let d = Diagnostic::error(
        Code::BrokenAnchor,
        &from.path,
        link.span.clone(),
        format!("{place} has no heading or id `#{fragment}`"),
    );
    let hint = match closest(fragment, to.body.ids.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `#{best}`?"),
        None if to.body.headings.is_empty() => format!("{place} has no headings to link to"),
        None => format!(
            "the headings there are {}",
            to.body
                .headings
                .iter()
                .take(8)
                .map(|h| format!("`#{}`", h.id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(d.with_hint(hint))
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
