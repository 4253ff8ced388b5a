//! Integration tests: the `osteon` binary run over fixture sites, one module per feature.

mod browser;
mod build;
mod corpus;
mod data;
mod deploy;
mod diagnostics;
mod drafts;
mod external;
mod glossary;
mod hostile;
mod incremental;
mod init;
mod links;
mod navigation;
mod new;
mod publishing;
mod raw_html;
mod search;
mod serve;
mod soak;
mod support;
mod theme;
mod tidy;
mod unchanged;
mod urls;
