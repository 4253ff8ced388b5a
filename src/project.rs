//! A site kept in memory between builds, for `osteon serve`.
//!
//! `Project` holds the sources, each file's parse, the theme, the resolved
//! site and the last good outputs. A change to Markdown files re-reads and
//! re-parses only those files, resolves the whole site again (cheap: no file
//! is parsed) and re-renders only the pages whose output can differ. Any other
//! change (a template, `site.toml`, data, a static file) rebuilds everything.
//! Both paths run the same stage functions as `build`; a test compares them.
//! While the site has errors the last good outputs keep being served.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::data::Data;
use crate::diagnostic::{self, Diagnostic, SourceMap};
use crate::load::{self, SourceFile, Sources};
use crate::meta::SiteConfig;
use crate::parse::{self, Page, Parsed};
use crate::render::{self, Outputs, Selection, Theme};
use crate::resolve::{self, Site};
use crate::{Options, publishing, url, verify};

pub struct Project {
    options: Options,
    sources: Sources,
    /// Problems that only a full reload can change (reading files, config,
    /// data, the theme).
    global_problems: Vec<Diagnostic>,
    config: Option<SiteConfig>,
    data: Data,
    /// Each Markdown file's parse and its problems, by path.
    pages: BTreeMap<String, (Option<Arc<Page>>, Vec<Diagnostic>)>,
    theme: Option<Theme>,
    site: Option<Site>,
    /// Broken links and anchors found by the last resolve.
    link_problems: Vec<Diagnostic>,
    /// Render problems of each output, so pages not re-rendered keep theirs.
    render_problems: BTreeMap<String, Vec<Diagnostic>>,
    /// The last good outputs: what is served.
    outputs: Outputs,
    /// Pages rendered while the site had errors, not yet applied to `outputs`.
    pending: HashSet<String>,
    pending_indexes: bool,
    diagnostics: Vec<Diagnostic>,
    source_map: SourceMap,
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
}

impl Project {
    /// Loads and compiles the site. A site with errors still opens: it serves
    /// nothing until the errors are fixed, and reports them.
    pub fn open(options: &Options) -> anyhow::Result<Project> {
        let mut project = Project {
            options: options.clone(),
            sources: Sources::default(),
            global_problems: Vec::new(),
            config: None,
            data: Data::default(),
            pages: BTreeMap::new(),
            theme: None,
            site: None,
            link_problems: Vec::new(),
            render_problems: BTreeMap::new(),
            outputs: Outputs::default(),
            pending: HashSet::new(),
            pending_indexes: false,
            diagnostics: Vec::new(),
            source_map: SourceMap::default(),
        };
        project.full()?;
        Ok(project)
    }

    /// Rebuilds after the files `changed` (absolute, or relative to the root)
    /// were created, modified or removed.
    pub fn rebuild(&mut self, changed: &[&Path]) -> anyhow::Result<Rebuild> {
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
            if url::is_content(&rel) {
                content.push(rel);
            } else {
                return self.full();
            }
        }
        if content.is_empty() {
            return Ok(Rebuild {
                ok: !self.has_errors(),
                ..Rebuild::default()
            });
        }
        if self.config.is_none() || self.theme.is_none() {
            return self.full();
        }
        self.content_changed(&content)
    }

    /// Reloads and recompiles everything, keeping the caches for later.
    fn full(&mut self) -> anyhow::Result<Rebuild> {
        let (sources, mut global) = load::load(&self.options.root)?;
        let overrides = parse::Overrides {
            base_url: self.options.base_url.clone(),
        };
        let (config, mut problems) = parse::parse_config(&sources, &overrides);
        global.append(&mut problems);
        let base_path = config
            .as_ref()
            .map_or("/".to_string(), SiteConfig::base_path);
        use rayon::prelude::*;
        self.pages = sources
            .content
            .par_iter()
            .map(|file| {
                let (page, problems) = parse::parse_page(file, &base_path);
                (file.path.clone(), (page.map(Arc::new), problems))
            })
            .collect();
        let (data, mut problems) = crate::data::parse(&sources.data);
        global.append(&mut problems);
        self.data = data;
        self.config = config;
        self.sources = sources;
        self.source_map = crate::source_map(&self.sources);
        self.site = self.resolve_site();
        self.theme = None;
        if let Some(site) = &self.site {
            match render::load_theme(site, &self.sources) {
                Ok(theme) => self.theme = Some(theme),
                Err(mut problems) => global.append(&mut problems),
            }
        }
        self.global_problems = global;
        self.render_problems.clear();
        let previous = std::mem::take(&mut self.outputs);
        let rendered = self.render(Selection::ALL);
        let mut rebuild = self.finish(rendered, true);
        if rebuild.ok {
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
        Ok(rebuild)
    }

    /// Re-reads and re-parses `paths`, then re-renders the pages they affect.
    fn content_changed(&mut self, paths: &[String]) -> anyhow::Result<Rebuild> {
        let base_path = self
            .config
            .as_ref()
            .map_or("/".to_string(), SiteConfig::base_path);
        let old_site = self.site.take();
        for path in paths {
            let (file, problems) = load::reload_content(&self.options.root, path);
            self.replace_source(path, file.clone());
            match file {
                Some(file) => {
                    let (page, mut parse_problems) = parse::parse_page(&file, &base_path);
                    parse_problems.extend(problems);
                    self.source_map.insert(path, &file.text);
                    self.pages
                        .insert(path.clone(), (page.map(Arc::new), parse_problems));
                }
                None if problems.is_empty() => {
                    self.pages.remove(path);
                }
                None => {
                    self.pages.insert(path.clone(), (None, problems));
                }
            }
        }
        self.site = self.resolve_site();
        let (Some(site), Some(old)) = (&self.site, &old_site) else {
            return self.full();
        };
        let (pages, indexes) = affected(old, site, paths);
        let mut selected: HashSet<usize> = pages;
        for path in std::mem::take(&mut self.pending) {
            if let Some(i) = site.position(&path) {
                selected.insert(i);
            }
        }
        let indexes = indexes || std::mem::take(&mut self.pending_indexes);
        let rendered = self.render(Selection {
            pages: Some(&selected),
            indexes,
            assets: false,
        });
        // Outputs of pages that are gone.
        let removed: Vec<String> = paths
            .iter()
            .filter(|p| self.site.as_ref().is_some_and(|s| s.position(p).is_none()))
            .map(|p| url::output_of_source(p))
            .filter(|o| self.outputs.files.contains_key(o))
            .collect();
        let mut rebuild = self.finish(rendered, false);
        if rebuild.ok {
            for path in &removed {
                self.outputs.files.remove(path);
                self.render_problems.remove(path);
            }
            rebuild.removed = removed;
        } else {
            let site = self.site.as_ref().expect("resolved above");
            self.pending
                .extend(selected.iter().map(|&i| site.pages()[i].path.clone()));
            self.pending.extend(paths.iter().cloned());
            self.pending_indexes |= indexes;
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

    /// Resolves the cached pages; `None` when `site.toml` is unusable.
    fn resolve_site(&mut self) -> Option<Site> {
        let config = self.config.clone()?;
        let parsed = Parsed {
            config,
            pages: self.pages.values().filter_map(|(p, _)| p.clone()).collect(),
            data: self.data.clone(),
        };
        let content: Vec<String> = self
            .sources
            .content
            .iter()
            .map(|f| f.path.clone())
            .collect();
        let assets: HashSet<String> = self
            .sources
            .assets
            .iter()
            .map(|a| a.output.clone())
            .collect();
        let inputs = resolve::Inputs {
            sources: &content,
            assets: &assets,
            drafts: self.options.drafts,
        };
        let (site, problems) = resolve::resolve(parsed, &inputs);
        self.link_problems = problems;
        Some(site)
    }

    /// Renders a selection; returns the new outputs and their problems.
    fn render(&mut self, selection: Selection) -> (Outputs, usize) {
        let (Some(site), Some(theme)) = (&self.site, &self.theme) else {
            return (Outputs::default(), 0);
        };
        let (outputs, problems) = render::render_selected(site, &self.sources, theme, selection);
        let rendered = outputs.files.len();
        // Problems are filed under the page they came from: a diagnostic's
        // file is the page's source or, for templates, any page that hit it.
        for path in outputs.files.keys() {
            self.render_problems.remove(path);
        }
        if let Some(pages) = selection.pages {
            for &i in pages {
                self.render_problems
                    .remove(&url::output_of_source(&site.pages()[i].path));
            }
        }
        for d in problems {
            let key = if url::is_content(&d.file) {
                url::output_of_source(&d.file)
            } else {
                d.file.clone()
            };
            self.render_problems.entry(key).or_default().push(d);
        }
        (outputs, rendered)
    }

    /// Gathers every problem; applies the rendered outputs if there is none.
    fn finish(&mut self, (rendered, count): (Outputs, usize), full: bool) -> Rebuild {
        let mut diagnostics = self.global_problems.clone();
        for (_, problems) in self.pages.values() {
            diagnostics.extend(problems.iter().cloned());
        }
        diagnostics.extend(self.link_problems.iter().cloned());
        if let Some(site) = &self.site {
            let policy = publishing::Policy::new(&site.parsed.config, self.options.today());
            diagnostics.extend(publishing::check(site, &self.sources, &policy));
        }
        for problems in self.render_problems.values() {
            diagnostics.extend(problems.iter().cloned());
        }
        let mut candidate_ok = !diagnostics.iter().any(Diagnostic::is_error) && self.site.is_some();
        if candidate_ok {
            let base_path = self
                .config
                .as_ref()
                .map_or("/".to_string(), SiteConfig::base_path);
            let problems = if full {
                verify::verify(&rendered, &base_path, &self.sources.template_dir)
            } else {
                let pages: Vec<String> = rendered.files.keys().cloned().collect();
                verify::verify_changed(
                    &self.outputs,
                    &rendered,
                    &pages,
                    &base_path,
                    &self.sources.template_dir,
                )
            };
            candidate_ok = !problems.iter().any(Diagnostic::is_error);
            diagnostics.extend(problems);
        }
        diagnostic::sort(&mut diagnostics);
        self.diagnostics = diagnostics;
        let mut rebuild = Rebuild {
            ok: candidate_ok,
            rendered: count,
            ..Rebuild::default()
        };
        if candidate_ok {
            for (path, bytes) in rendered.files {
                if self.outputs.files.get(&path) != Some(&bytes) {
                    rebuild.changed.push(path.clone());
                }
                self.outputs.files.insert(path, bytes);
            }
        }
        rebuild
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

/// The pages whose output can change when `paths` change, by index into the
/// new site, and whether the indexes (home, topics, glossary, sitemap, feed)
/// must be rendered again.
///
/// A page shows its own body, the titles of the pages linking to it and of the
/// pages it links to, and the summaries of the glossary entries it links to.
/// So a body edit re-renders the page; a changed title, summary, date or topic
/// also re-renders every page linking to it or linked from it; a changed set of
/// links re-renders the pages gained or lost as link targets.
fn affected(old: &Site, new: &Site, paths: &[String]) -> (HashSet<usize>, bool) {
    let mut pages = HashSet::new();
    let mut indexes = false;
    let targets = |site: &Site, i: usize| -> Vec<String> {
        site.outlinks[i]
            .iter()
            .chain(&site.backlinks[i])
            .map(|&j| site.pages()[j].path.clone())
            .collect()
    };
    for path in paths {
        let before = old.position(path);
        let after = new.position(path);
        if let Some(i) = after {
            pages.insert(i);
        }
        let meta_changed = match (before, after) {
            (Some(b), Some(a)) => old.pages()[b].meta != new.pages()[a].meta,
            (None, None) => false,
            _ => true,
        };
        let old_links: HashSet<String> = before
            .map(|b| targets(old, b))
            .unwrap_or_default()
            .into_iter()
            .collect();
        let new_links: HashSet<String> = after
            .map(|a| targets(new, a))
            .unwrap_or_default()
            .into_iter()
            .collect();
        let neighbours: Vec<&String> = if meta_changed {
            indexes = true;
            old_links.union(&new_links).collect()
        } else {
            old_links.symmetric_difference(&new_links).collect()
        };
        for neighbour in neighbours {
            if let Some(j) = new.position(neighbour) {
                pages.insert(j);
            }
        }
    }
    (pages, indexes)
}
