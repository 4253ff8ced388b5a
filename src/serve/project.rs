//! A site kept in memory between builds, for `osteon serve`.
//!
//! `Project` holds the sources, the theme, the resolved site with its link
//! indexes, each file's problems and the last good outputs. A change to
//! Markdown files re-reads and re-parses only those files, updates the
//! resolved site in place (re-checking only the links the change can affect),
//! re-checks only those files, and re-renders and re-verifies only the pages
//! whose output can differ, so a body edit costs the same on any size of site.
//! Any other change (a template, `site.toml`, data, a static file, a folder)
//! rebuilds everything. Both paths run the same stage functions as `build`; a
//! test compares them. While the site has errors the last good outputs keep
//! being served.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, SourceMap};
use crate::load::{self, SourceFile, Sources};
use crate::parse::markdown::Output;
use crate::parse::meta::Date;
use crate::parse::{self, Meta};
use crate::problems::{Origin, Problems};
use crate::render::{self, Indexes, Outputs, Selection, Theme};
use crate::resolve::{Changed, Files, Resolver, Site};
use crate::url::SourcePath;
use crate::{Options, publishing, resolve, url, verify};

/// What `serve` parses each page into: its HTML, and the reading statistics
/// only if the site sets a limit.
const SERVED: Output = Output {
    html: true,
    stats: false,
};

pub struct Project {
    options: Options,
    sources: Sources,
    /// The resolved site, kept current edit by edit; `None` while `site.toml`
    /// is unusable. It keeps the problems across files itself.
    resolver: Option<Resolver>,
    theme: Option<Theme>,
    /// Every other problem by what found it: loading, parsing each source,
    /// the publishing checks of each (judged on `judged`), rendering each
    /// output. An edit replaces the origins it touches; the rest keep theirs.
    problems: Problems,
    judged: Option<Date>,
    /// The last good outputs: what is served.
    outputs: Outputs,
    /// The paths of `outputs`, for verifying a few of them.
    index: verify::Index,
    /// What was rendered while the site had errors and is not served yet.
    pending: Pending,
    /// Set by [`Project::reload_next`].
    reload: bool,
    diagnostics: Vec<Diagnostic>,
    source_map: SourceMap,
}

/// Renders that a site with errors held back: once it is good again they
/// are rendered again and served.
#[derive(Debug, Default)]
struct Pending {
    /// Sources edited, and pages rendered, since the site was last good.
    pages: HashSet<SourcePath>,
    indexes: bool,
    /// The last render of everything failed: the next rebuild renders all.
    all: bool,
}

/// What one rebuild changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rebuild {
    /// Output paths whose bytes are new or changed.
    pub changed: Vec<String>,
    /// Output paths that no longer exist.
    pub removed: Vec<String>,
    /// False when the site has errors; the outputs are then the last good ones.
    pub ok: bool,
    /// Pages rendered (for logs and tests; a full rebuild renders all).
    pub rendered: usize,
    /// The Markdown sources read again when only those changed (what the
    /// editor saved); empty when the rebuild loaded the whole site.
    pub sources: Vec<String>,
}

impl Project {
    /// Loads and compiles the site. A site with errors still opens: it serves
    /// nothing until the errors are fixed, and reports them.
    pub fn open(options: &Options) -> anyhow::Result<Project> {
        let mut project = Project {
            options: options.clone(),
            sources: Sources::default(),
            resolver: None,
            theme: None,
            problems: Problems::default(),
            judged: None,
            outputs: Outputs::default(),
            index: verify::Index::default(),
            pending: Pending::default(),
            reload: false,
            diagnostics: Vec::new(),
            source_map: SourceMap::default(),
        };
        project.full()?;
        Ok(project)
    }

    /// Rebuilds after the files `changed` (absolute, or relative to the root)
    /// were created, modified or removed.
    /// Makes the next rebuild load the whole site again, whatever changed:
    /// after a rebuild that failed half-way, nothing kept can be trusted.
    pub fn reload_next(&mut self) {
        self.reload = true;
    }

    pub fn rebuild(&mut self, changed: &[&Path]) -> anyhow::Result<Rebuild> {
        if std::mem::take(&mut self.reload) {
            return self.full();
        }
        let root = &self.options.root;
        let output = self.options.output_dir();
        let mut content = Vec::new();
        for path in changed {
            if path.starts_with(&output)
                || (!path.is_absolute() && root.join(path).starts_with(&output))
            {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            // A folder named like a page is still a folder: what was in it is
            // only found by loading everything again.
            if url::is_content(&rel) && !load::is_folder(root, Path::new(&rel)) {
                content.push(rel);
            } else if !self.never_read(&rel) {
                return self.full();
            }
        }
        content.sort();
        content.dedup();
        if content.is_empty() {
            return Ok(Rebuild {
                ok: !self.has_errors(),
                ..Rebuild::default()
            });
        }
        if self.resolver.is_none() || self.theme.is_none() {
            return self.full();
        }
        let mut rebuild = self.content_changed(&content)?;
        rebuild.sources = content;
        Ok(rebuild)
    }

    /// Whether `load` neither reads `path` nor read anything under it: a file
    /// in a content folder that is not Markdown, such as the temporary file
    /// an editor writes and then renames over the article. Loading the whole
    /// site for it would cost a large site a second on every such save.
    fn never_read(&self, path: &str) -> bool {
        let folder = format!("{path}/");
        load::Section::of_path(path).is_some()
            && !path.ends_with(".md")
            && !load::is_folder(&self.options.root, Path::new(path))
            && !self
                .sources
                .content
                .iter()
                .any(|f| f.path.starts_with(&folder))
    }

    /// Reloads and recompiles everything with the stage functions `build`
    /// uses, keeping what they make for the rebuilds after.
    fn full(&mut self) -> anyhow::Result<Rebuild> {
        let (sources, loaded) = load::load(&self.options.root)?;
        let mut problems = Problems::from_sources(loaded);
        let overrides = parse::Overrides {
            base_url: self.options.base_url.clone(),
        };
        let (parsed, parse_problems) = parse::parse(&sources, &overrides, SERVED);
        problems.merge(parse_problems);
        let files = Files::from_sources(&sources, self.options.drafts);
        self.resolver = parsed.map(|parsed| Resolver::new(parsed, files));
        self.sources = sources;
        self.source_map = crate::source_map(&self.sources);
        self.theme = None;
        if let Some(site) = self.site() {
            match render::load_theme(site, &self.sources) {
                Ok(theme) => self.theme = Some(theme),
                Err(theme_problems) => problems.extend(Origin::Theme, theme_problems),
            }
        }
        self.problems = problems;
        self.judge_all();
        Ok(self.render_all())
    }

    /// Renders and verifies every output and, if the site is good, serves
    /// exactly those.
    fn render_all(&mut self) -> Rebuild {
        self.problems
            .retain(|origin| !matches!(origin, Origin::Output(_)));
        let previous = std::mem::take(&mut self.outputs);
        let rendered = self.render(Selection::ALL);
        let mut rebuild = self.finish(rendered, &[], true);
        // Until a render of everything succeeds, a partial one would leave
        // pages missing or stale.
        self.pending.all = !rebuild.ok;
        if rebuild.ok {
            self.index = verify::Index::new(&self.outputs);
            self.pending = Pending::default();
            rebuild
                .changed
                .retain(|path| previous.files.get(path) != self.outputs.files.get(path));
            rebuild.removed = previous
                .files
                .keys()
                .filter(|k| !self.outputs.files.contains_key(*k))
                .cloned()
                .collect();
        } else {
            // Keep serving what was good before.
            self.outputs = previous;
        }
        rebuild
    }

    /// Re-reads and re-parses `paths`, then re-renders the pages they affect.
    fn content_changed(&mut self, paths: &[String]) -> anyhow::Result<Rebuild> {
        let base_path = self.base_path().unwrap_or_else(|| "/".to_string());
        let site = self.site().expect("checked by the caller");
        let output = parse::output_for(Some(&site.parsed.config), SERVED);
        let before: Vec<Before> = paths.iter().map(|p| Before::of(site, p)).collect();
        let nav_before = nav(site);
        let mut changes = Vec::with_capacity(paths.len());
        for path in paths {
            let (file, mut problems) = load::reload_content(&self.options.root, path);
            let mut page = None;
            if let Some(file) = &file {
                let (parsed, mut parse_problems) = parse::parse_page(file, &base_path, output);
                parse_problems.append(&mut problems);
                problems = parse_problems;
                self.source_map.insert(path, &file.text);
                page = parsed.map(Arc::new);
            }
            self.problems
                .set(Origin::Source(path.as_str().into()), problems);
            changes.push(Changed {
                path: path.clone(),
                exists: file.is_some(),
                page,
            });
            self.replace_source(path, file);
        }
        let resolver = self.resolver.as_mut().expect("checked by the caller");
        resolver.update(changes);
        self.judge(paths);
        // Every page shows the menus and the topic names: an edit that
        // changes them (a page a menu shows appears, a topic's first spelling
        // changes) renders everything, as a template edit does.
        let nav_changed = self.site().is_some_and(|site| nav(site) != nav_before);
        if self.pending.all || nav_changed {
            return Ok(self.render_all());
        }
        let resolver = self.resolver.as_ref().expect("checked by the caller");
        let site = resolver.site();
        let (pages, indexes) = affected(&before, site);
        let mut selected: HashSet<usize> = pages;
        // Sources changed while the site had errors: pages to render again,
        // or pages deleted whose outputs are still served.
        let pending: Vec<String> = std::mem::take(&mut self.pending.pages)
            .into_iter()
            .map(|p| p.as_str().to_string())
            .collect();
        for path in &pending {
            if let Some(i) = site.position(path) {
                selected.insert(i);
            }
        }
        let indexes = indexes || std::mem::take(&mut self.pending.indexes);
        let rendered = self.render(Selection {
            pages: Some(&selected),
            indexes: if indexes { Indexes::All } else { Indexes::None },
            assets: false,
        });
        // Outputs of pages that are gone, unless osteon writes that file
        // itself (a page that took the glossary's address and was renamed).
        let site = self.resolver.as_ref().map(Resolver::site);
        let site = site.expect("checked by the caller");
        let gone: Vec<String> = paths
            .iter()
            .chain(&pending)
            .filter(|p| url::is_content(p) && site.position(p).is_none())
            .map(|p| url::output_of_source(p))
            .filter(|o| !resolve::is_generated(site, o))
            .collect();
        // What a page that is gone found when it was rendered went with it.
        for path in &gone {
            self.problems.remove(&Origin::Output(path.as_str().into()));
        }
        let mut removed = gone;
        removed.retain(|o| self.outputs.files.contains_key(o));
        removed.sort_unstable();
        removed.dedup();
        let mut rebuild = self.finish(rendered, &removed, false);
        if rebuild.ok {
            for path in &removed {
                self.outputs.files.remove(path);
            }
            rebuild.removed = removed;
        } else {
            let site = self.resolver.as_ref().map(Resolver::site);
            let site = site.expect("checked by the caller");
            let pages = selected.iter().map(|&i| site.pages()[i].path.as_str());
            let pages = pages.chain(paths.iter().chain(&pending).map(String::as_str));
            self.pending.pages.extend(pages.map(SourcePath::from));
            self.pending.indexes |= indexes;
        }
        Ok(rebuild)
    }

    fn replace_source(&mut self, path: &str, file: Option<SourceFile>) {
        let content = &mut self.sources.content;
        match (
            content.binary_search_by(|f| f.path.as_str().cmp(path)),
            file,
        ) {
            (Ok(i), Some(file)) => content[i] = file,
            (Ok(i), None) => {
                content.remove(i);
            }
            (Err(i), Some(file)) => content.insert(i, file),
            (Err(_), None) => {}
        }
    }

    fn site(&self) -> Option<&Site> {
        self.resolver.as_ref().map(Resolver::site)
    }

    /// The path every URL of the site starts with (`/`, or `/sub/` for a site
    /// published under a folder); `None` while `site.toml` is unusable.
    pub fn base_path(&self) -> Option<String> {
        self.site().map(|site| site.parsed.config.base_path())
    }

    /// Runs the publishing checks on every page, judged on today's date.
    fn judge_all(&mut self) {
        self.problems
            .retain(|origin| !matches!(origin, Origin::Publishing(_)));
        let today = self.options.today();
        self.judged = Some(today);
        let Some(site) = self.resolver.as_ref().map(Resolver::site) else {
            return;
        };
        let policy = publishing::Policy::new(&site.parsed.config, today);
        for d in publishing::check(site, &self.sources, &policy) {
            self.problems
                .add(Origin::Publishing(d.file.as_str().into()), d);
        }
    }

    /// Runs the publishing checks on the pages at `paths` alone.
    fn judge(&mut self, paths: &[String]) {
        let Some(site) = self.resolver.as_ref().map(Resolver::site) else {
            return;
        };
        let today = self.judged.unwrap_or_else(|| self.options.today());
        let policy = publishing::Policy::new(&site.parsed.config, today);
        for path in paths {
            let origin = Origin::Publishing(path.as_str().into());
            self.problems.remove(&origin);
            let Some(i) = site.position(path) else {
                continue;
            };
            let page = &site.pages()[i];
            let Ok(at) = self
                .sources
                .content
                .binary_search_by(|f| f.path.as_str().cmp(path))
            else {
                continue;
            };
            let problems = publishing::check_page(page, &self.sources.content[at].text, &policy);
            self.problems.set(origin, problems);
        }
    }

    /// Renders a selection: every output it tries replaces its problems.
    fn render(&mut self, selection: Selection) -> (Outputs, usize) {
        let (Some(site), Some(theme)) = (self.resolver.as_ref().map(Resolver::site), &self.theme)
        else {
            return (Outputs::default(), 0);
        };
        let (outputs, found) = render::render_selected(site, &self.sources, theme, selection);
        self.problems.replace(found);
        let rendered = outputs.files.len();
        (outputs, rendered)
    }

    /// Gathers every problem; applies the rendered outputs if there is none.
    /// `removed` are outputs that are gone; the caller removes them if the
    /// rebuild is ok.
    fn finish(
        &mut self,
        (rendered, count): (Outputs, usize),
        removed: &[String],
        full: bool,
    ) -> Rebuild {
        if self.judged != Some(self.options.today()) {
            // A new day: any article may have become overdue.
            self.judge_all();
        }
        let mut diagnostics = self.problems.diagnostics();
        if let Some(resolver) = &self.resolver {
            diagnostics.extend(resolver.problems().cloned());
        }
        let base_path = self.base_path();
        let strict = self.options.strict;
        let (diagnostics, ok) = crate::conclude(diagnostics, strict, || {
            let Some(base_path) = base_path else {
                return Vec::new();
            };
            if full {
                let sources = &self.sources;
                verify::verify(&rendered, &base_path, sources)
            } else {
                self.verify_changed(&rendered, removed, &base_path)
            }
        });
        self.diagnostics = diagnostics;
        // A site without a usable `site.toml` has an error already.
        let mut rebuild = Rebuild {
            ok,
            rendered: count,
            ..Rebuild::default()
        };
        if ok {
            for (path, bytes) in rendered.files {
                if self.outputs.files.get(&path) != Some(&bytes) {
                    rebuild.changed.push(path.clone());
                }
                self.outputs.files.insert(path, bytes);
            }
        }
        rebuild
    }

    /// Verifies the pages in `rendered` on the site the served outputs would
    /// be with `rendered` written over them and `removed` gone. The index is
    /// left describing that site only if it has no errors.
    fn verify_changed(
        &mut self,
        rendered: &Outputs,
        removed: &[String],
        base_path: &str,
    ) -> Vec<Diagnostic> {
        let added: Vec<&str> = rendered
            .files
            .keys()
            .map(String::as_str)
            .filter(|path| self.index.insert(path))
            .collect();
        let removed: Vec<&str> = removed
            .iter()
            .map(String::as_str)
            .filter(|path| self.index.remove(path))
            .collect();
        let sources = &self.sources;
        // Any page may link to one that is gone, in a way no source index
        // records (a template, raw HTML, a `/…` link): check them all. Only
        // deleting a page pays for that.
        let pages: Vec<&str> = if removed.is_empty() {
            rendered.files.keys().map(String::as_str).collect()
        } else {
            self.index.paths().collect()
        };
        let problems = verify::verify_pages(
            &self.index,
            &self.outputs,
            rendered,
            pages,
            base_path,
            sources,
        );
        if problems.iter().any(Diagnostic::is_error) {
            for path in added {
                self.index.remove(path);
            }
            for path in removed {
                self.index.insert(path);
            }
        }
        problems
    }

    fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The last good bytes of an output file (`articles/x/index.html`).
    pub fn output(&self, path: &str) -> Option<&[u8]> {
        self.outputs.files.get(path).map(Vec::as_slice)
    }

    pub fn outputs(&self) -> &Outputs {
        &self.outputs
    }

    /// The problems of the current sources (empty when the site is good).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The texts the diagnostics point into, for rendering them.
    pub fn source_map(&self) -> &SourceMap {
        &self.source_map
    }

    pub fn options(&self) -> &Options {
        &self.options
    }
}

/// What every page shows of the whole site: the menus and each topic's name.
fn nav(site: &Site) -> (crate::resolve::Menus, Vec<(String, String)>) {
    let topics = site.topics.iter();
    let names = topics.map(|(slug, name)| (slug.to_string(), name.to_string()));
    (site.menus.clone(), names.collect())
}

/// What an edited page showed other pages before the edit: its front matter
/// and the pages it links to or is linked from.
struct Before {
    path: String,
    meta: Option<Meta>,
    links: HashSet<String>,
}

impl Before {
    fn of(site: &Site, path: &str) -> Before {
        let at = site.position(path);
        Before {
            path: path.to_string(),
            meta: at.map(|i| site.pages()[i].meta.clone()),
            links: at.map(|i| neighbours(site, i)).unwrap_or_default(),
        }
    }
}

fn neighbours(site: &Site, i: usize) -> HashSet<String> {
    site.outlinks[i]
        .iter()
        .chain(&site.backlinks[i])
        .map(|&j| site.pages()[j].path.clone())
        .collect()
}

/// The pages whose output can change by the edits `before` describes, by
/// index into the new site, and whether the indexes (home, topics, glossary,
/// sitemap, feed) must be rendered again.
///
/// A page shows its own body, the titles of the pages linking to it and of the
/// pages it links to, and the summaries of the glossary entries it links to.
/// So a body edit re-renders the page; a changed title, summary, date or topic
/// also re-renders every page linking to it or linked from it; a changed set of
/// links re-renders the pages gained or lost as link targets.
fn affected(before: &[Before], site: &Site) -> (HashSet<usize>, bool) {
    let mut pages = HashSet::new();
    let mut indexes = false;
    for old in before {
        let after = site.position(&old.path);
        if let Some(i) = after {
            pages.insert(i);
        }
        let meta_changed = old.meta.as_ref() != after.map(|i| &site.pages()[i].meta);
        let new_links = after.map(|i| neighbours(site, i)).unwrap_or_default();
        let changed: Vec<&String> = if meta_changed {
            indexes = true;
            old.links.union(&new_links).collect()
        } else {
            old.links.symmetric_difference(&new_links).collect()
        };
        pages.extend(changed.into_iter().filter_map(|p| site.position(p)));
    }
    (pages, indexes)
}
