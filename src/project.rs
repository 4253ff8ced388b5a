//! A site kept in memory between builds, for `osteon serve`.
//!
//! `Project` holds the sources, the last good outputs and the current
//! problems. After files change it rebuilds through the same pipeline as
//! `build`; while the site has errors it keeps serving the last good outputs.

use std::path::Path;

use crate::diagnostic::{self, Diagnostic, SourceMap};
use crate::load::{self, Sources};
use crate::render::Outputs;
use crate::{Options, compile, source_map};

pub struct Project {
    options: Options,
    sources: Sources,
    outputs: Outputs,
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
}

impl Project {
    /// Loads and compiles the site. A site with errors still opens: it serves
    /// nothing until the errors are fixed, and reports them.
    pub fn open(options: &Options) -> anyhow::Result<Project> {
        let mut project = Project {
            options: options.clone(),
            sources: Sources::default(),
            outputs: Outputs::default(),
            diagnostics: Vec::new(),
            source_map: SourceMap::default(),
        };
        project.rebuild(&[])?;
        Ok(project)
    }

    /// Rebuilds after the files `changed` (paths under the root, or absolute)
    /// were created, modified or removed.
    pub fn rebuild(&mut self, _changed: &[&Path]) -> anyhow::Result<Rebuild> {
        let (sources, mut diagnostics) = load::load(&self.options.root)?;
        let compiled = compile(&sources, &self.options);
        diagnostics.extend(compiled.diagnostics);
        diagnostic::sort(&mut diagnostics);
        self.source_map = source_map(&sources);
        self.sources = sources;
        let ok = !diagnostics.iter().any(Diagnostic::is_error);
        self.diagnostics = diagnostics;
        let mut rebuild = Rebuild {
            ok,
            ..Rebuild::default()
        };
        if let (Some(outputs), true) = (compiled.outputs, ok) {
            for (path, bytes) in &outputs.files {
                if self.outputs.files.get(path) != Some(bytes) {
                    rebuild.changed.push(path.clone());
                }
            }
            for path in self.outputs.files.keys() {
                if !outputs.files.contains_key(path) {
                    rebuild.removed.push(path.clone());
                }
            }
            self.outputs = outputs;
        }
        Ok(rebuild)
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
