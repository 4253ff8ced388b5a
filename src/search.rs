//! The search index: Pagefind, used as a library, reads the rendered pages
//! and makes the files under `pagefind/` that a reader's browser searches
//! with, without a server. A reader downloads Pagefind's script and
//! WebAssembly once, then only the parts of the index the words of a query
//! need, and one fragment per result shown.
//!
//! What is indexed is decided by the templates, as Pagefind intends: the
//! element marked `data-pagefind-body` (the theme marks each article, glossary
//! entry and page, not the navigation, footer or glossary notes), with
//! `data-pagefind-ignore`, `-weight` and `-meta` inside it. A page without the
//! mark is not indexed, except articles and glossary entries, which fall back
//! to their `<main>`: a site that overrides their templates with a copy made
//! before search existed keeps them searchable.
//!
//! The index is made from the outputs, after the output check and before
//! `write`, by `build` (and by `serve` when a search asks for it): only for a
//! site whose theme has a search page.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::render::{self, Outputs};

/// The output folder of the index, and the search page's address.
pub const FOLDER: &str = "pagefind/";
pub const PAGE: &str = "search/index.html";

/// Adds the search index to a built site that has a search page; a failure
/// (a bug: Pagefind reads only osteon's own pages) is an `internal` error.
pub fn add_index(outputs: &mut Outputs) -> Option<Diagnostic> {
    match index_files(outputs) {
        Ok(files) => {
            outputs.files.extend(files);
            None
        }
        Err(problem) => Some(problem),
    }
}

/// The files of the search index of `outputs`, by output path
/// (`pagefind/…`): none for a site without a search page.
pub fn index_files(outputs: &Outputs) -> Result<BTreeMap<String, Vec<u8>>, Diagnostic> {
    if !outputs.files.contains_key(PAGE) {
        return Ok(BTreeMap::new());
    }
    index(outputs).map_err(|e| {
        Diagnostic::error(
            Code::Internal,
            "",
            0..0,
            format!("the search index could not be made: {e:#}"),
        )
        .with_hint("this is a bug in osteon, not in your site: please report it")
    })
}

/// Pagefind's files for the indexed pages of `outputs`.
fn index(outputs: &Outputs) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    // Pagefind's interface is async; its work is done on the blocking threads
    // of the runtime it runs on.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(index_async(outputs))
}

async fn index_async(outputs: &Outputs) -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let config = pagefind::options::PagefindServiceConfig::builder()
        .keep_index_url(false)
        .build();
    let mut index = pagefind::api::PagefindIndex::new(Some(config))?;
    for (path, bytes) in &outputs.files {
        let Some(html) = indexed_html(path, bytes) else {
            continue;
        };
        // The address from the site root: the search script gives Pagefind
        // the base path, so the index is the same for any `base_url`.
        let url = format!("/{}", path.strip_suffix("index.html").unwrap_or(path));
        index.add_html_file(None, Some(url), html).await?;
    }
    let files = index.get_files().await?;
    let entry = files
        .iter()
        .find(|f| f.filename.as_os_str() == "pagefind-entry.json")
        .map(|f| String::from_utf8_lossy(&f.contents).into_owned())
        .unwrap_or_default();
    Ok(files
        .into_iter()
        .filter_map(|f| {
            let name = f.filename.to_str()?.replace('\\', "/");
            published(&name, &entry).then(|| (format!("{FOLDER}{name}"), f.contents))
        })
        .collect())
}

/// The HTML Pagefind is given for the output at `path`, if it is indexed: a
/// page that marks its content with `data-pagefind-body`, or an article or
/// glossary entry, whose `<main>` is marked for it.
fn indexed_html(path: &str, bytes: &[u8]) -> Option<String> {
    if !path.ends_with(".html") || path == PAGE {
        return None;
    }
    let html = std::str::from_utf8(bytes).ok()?;
    if html.contains("data-pagefind-body") {
        return Some(html.to_string());
    }
    match render::template_of(path) {
        "article.html" | "glossary-entry.html" => {
            let at = html.find("<main")? + "<main".len();
            Some(format!("{} data-pagefind-body{}", &html[..at], &html[at..]))
        }
        _ => None,
    }
}

/// Whether a file of Pagefind's bundle is published: the search API, its
/// worker, the entry, the index and the WebAssembly of the languages the
/// entry names (`entry`); not Pagefind's own interfaces, which the theme's
/// search page does not use, nor the WebAssembly of other languages.
fn published(name: &str, entry: &str) -> bool {
    match name {
        "pagefind.js" | "pagefind-worker.js" | "pagefind-entry.json" => true,
        _ if name.starts_with("wasm.") => {
            let language = name
                .strip_prefix("wasm.")
                .and_then(|n| n.strip_suffix(".pagefind"))
                .unwrap_or_default();
            entry.contains(&format!("\"wasm\":\"{language}\""))
        }
        _ => {
            !name.ends_with(".js") && !name.ends_with(".css") && !name.contains('/')
                || ["index/", "fragment/", "filter/"]
                    .iter()
                    .any(|folder| name.starts_with(folder))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Vec<u8> {
        format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><title>T</title></head>\
             <body><nav>Menu words</nav><main id=\"main\">{body}</main><footer>Footer words</footer></body></html>"
        )
        .into_bytes()
    }

    #[test]
    fn only_marked_pages_articles_and_glossary_entries_are_indexed() {
        let marked = page("<article data-pagefind-body><h1>A</h1></article>");
        assert!(indexed_html("about/index.html", &marked).is_some());
        assert!(indexed_html("about/index.html", &page("<h1>A</h1>")).is_none());
        assert!(indexed_html("index.html", &page("<h1>Home</h1>")).is_none());
        assert!(indexed_html(PAGE, &marked).is_none());
        let article = indexed_html("articles/x/index.html", &page("<h1>A</h1>")).unwrap();
        assert!(
            article.contains("<main data-pagefind-body id=\"main\">"),
            "{article}"
        );
        assert!(indexed_html("style.css", b"data-pagefind-body").is_none());
    }

    #[test]
    fn the_bundle_without_pagefinds_own_interfaces() {
        let entry = r#"{"version":"1","languages":{"en-gb":{"hash":"en-gb_1","wasm":"en","page_count":1}}}"#;
        for kept in [
            "pagefind.js",
            "pagefind-worker.js",
            "pagefind-entry.json",
            "wasm.en.pagefind",
            "pagefind.en-gb_1.pf_meta",
            "index/en-gb_1.pf_index",
            "fragment/en-gb_1.pf_fragment",
        ] {
            assert!(published(kept, entry), "{kept}");
        }
        for dropped in [
            "pagefind-ui.js",
            "pagefind-ui.css",
            "pagefind-modular-ui.js",
            "pagefind-component-ui.css",
            "pagefind-highlight.js",
            "wasm.unknown.pagefind",
            "playground/index.html",
        ] {
            assert!(!published(dropped, entry), "{dropped}");
        }
    }
}
