//! Integration tests: the `osteon` binary run over fixture sites, one module per feature.

mod browser;
mod build;
mod corpus;
mod data;
mod deploy;
mod diagnostics;
mod glossary;
mod incremental;
mod links;
mod publishing;
mod serve;
mod support;
