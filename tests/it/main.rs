//! Integration tests: the `osteon` binary run over fixture sites, one module per feature.

mod browser;
mod build;
mod corpus;
mod data;
mod diagnostics;
mod drafts;
mod incremental;
mod links;
mod navigation;
mod publishing;
mod serve;
mod support;
