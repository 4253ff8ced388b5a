//! The search index: made from the rendered pages, after the output check
//! and before `write`, by `build` (and by `serve` when a search asks for it),
//! for a site whose theme has a search page. Static files that a reader's
//! browser searches without a server, downloading only what a query needs:
//!
//! - `search-index/manifest.json`: the number of pages, the index's chunks
//!   (each a run of words in sorted order, named by its first word) and the
//!   groups of result cards, each file named by a hash of its content, so a
//!   browser never uses a stale copy;
//! - `search-index/w/HASH.json`: a chunk, `{"word": [page, weight, …]}`, the
//!   pages that hold the word (each page number as the step from the one
//!   before) and its weight there (the sum of its weights, doubled, plus one
//!   if it is in the title or weighs as much);
//! - `search-index/p/HASH.json`: the cards of [`GROUP`] pages,
//!   `[address, title, description, kind]`.
//!
//! A query loads the manifest, the chunk of each of its words (the last word
//! is also matched as the start of longer words), and the cards of the
//! results it shows. `words` is the rule for what a word is; `extract` what a
//! page gives the index. The theme's `static/search.js` is the reader's side.

mod extract;
mod postings;
pub mod words;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::render::{self, Outputs};
use crate::verify::{self, ReadPage as _, Reader as _};
use postings::Postings;

/// The search page's output path.
pub const PAGE: &str = "search/index.html";
/// The index's folder, and its entry.
pub const FOLDER: &str = "search-index/";
pub const MANIFEST: &str = "search-index/manifest.json";

/// Pages per file of result cards: a page of ten results loads at most two
/// or three small files.
pub const GROUP: usize = 8;

/// The size a chunk of the index grows to before the next one starts; a word
/// whose pages alone are more has a chunk of its own.
const CHUNK_BYTES: usize = 24 * 1024;

/// What the index keeps of a page for its result: its card. Its words are
/// in the [`Reader`]'s postings.
#[derive(Debug)]
pub struct Card {
    /// Its place among the site's outputs, in path order.
    slot: u32,
    title: String,
    description: String,
    kind: String,
}

/// The search index as the output check's pass read it (see [`Reader`]):
/// the cards of the pages, by output path in path order, and the words.
pub struct Read {
    cards: Vec<(String, Card)>,
    postings: Postings,
}

/// The files of the search index made from what was `read`: none for a site
/// without a search page.
pub fn index_of(outputs: &Outputs, mut read: Read) -> BTreeMap<String, Vec<u8>> {
    if !outputs.files.contains_key(PAGE) {
        return BTreeMap::new();
    }
    read.cards.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    files_of(read)
}

/// The files of the search index of `outputs`, by output path: none for a
/// site without a search page. Reads every page: for `serve`, whose rebuilds
/// check only the pages they render.
pub fn index_files(outputs: &Outputs) -> BTreeMap<String, Vec<u8>> {
    if !outputs.files.contains_key(PAGE) {
        return BTreeMap::new();
    }
    let reader = Reader::of(outputs);
    let files: Vec<(&String, &Vec<u8>)> = outputs.files.iter().collect();
    let cards = files
        .par_iter()
        .enumerate()
        .filter_map(|(slot, (path, bytes))| {
            let html = std::str::from_utf8(bytes).ok()?;
            let mut page = reader.page(slot, path, html)?;
            verify::tokens(html, |token| page.token(&token));
            Some(((*path).clone(), reader.finish(page)?))
        })
        .collect();
    files_of(reader.into_read(cards))
}

/// What the index reads of each page, beside the output check
/// ([`verify::Reader`]): the main content of every HTML page but the search
/// page, on a site that has a search page. It gathers the words of every
/// page as it goes, and returns each page's card.
pub struct Reader {
    enabled: bool,
    postings: Postings,
}

impl Reader {
    pub fn of(outputs: &Outputs) -> Reader {
        Reader::new(outputs.files.contains_key(PAGE))
    }

    /// The reader for a site made from `sources`, before it is rendered:
    /// it reads pages only if the theme has a search page.
    pub fn for_sources(sources: &crate::load::Sources) -> Reader {
        let template = render::template_of(PAGE);
        Reader::new((sources.templates.iter()).any(|file| sources.template_name(file) == template))
    }

    fn new(enabled: bool) -> Reader {
        Reader {
            enabled,
            postings: Postings::default(),
        }
    }

    /// The index read, with the `cards` the pass returned.
    pub fn into_read(self, cards: Vec<(String, Card)>) -> Read {
        Read {
            cards,
            postings: self.postings,
        }
    }
}

impl verify::Reader for Reader {
    type Out = Card;
    type Page<'a> = (u32, extract::Reader<'a>);

    fn page<'a>(&self, slot: usize, path: &str, html: &'a str) -> Option<Self::Page<'a>> {
        if !self.enabled || !path.ends_with(".html") || path == PAGE {
            return None;
        }
        // An article or glossary entry from a template made before search
        // is read from its `<main>`.
        let main = matches!(
            render::template_of(path),
            "article.html" | "glossary-entry.html"
        );
        let slot = u32::try_from(slot).ok()?;
        Some((slot, extract::Reader::new(html, main)?))
    }

    fn finish(&self, (slot, page): Self::Page<'_>) -> Option<Card> {
        let page = page.finish()?;
        self.postings.add(slot, &page.words);
        Some(Card {
            slot,
            title: page.title,
            description: page.description,
            kind: page.kind,
        })
    }
}

impl<'a> verify::ReadPage<'a> for (u32, extract::Reader<'a>) {
    fn token(&mut self, token: &verify::Token<'a, '_>) {
        self.1.token(token);
    }
}

/// The index's files for what was `read`.
fn files_of(read: Read) -> BTreeMap<String, Vec<u8>> {
    let Read { cards, postings } = read;
    let mut files = BTreeMap::new();
    let groups: Vec<String> = cards
        .chunks(GROUP)
        .map(|group| {
            let cards: Vec<[&str; 4]> = group
                .iter()
                .map(|(path, card)| {
                    let url = path.strip_suffix("index.html").unwrap_or(path);
                    [url, &card.title, &card.description, &card.kind]
                })
                .collect();
            named(
                &mut files,
                "p",
                serde_json::to_vec(&cards).expect("strings"),
            )
        })
        .collect();

    // Pages are numbered in path order, among the pages indexed.
    let slots = (cards.iter().map(|(_, card)| card.slot as usize + 1))
        .max()
        .unwrap_or(0);
    let mut number = vec![0; slots];
    for (n, (_, card)) in cards.iter().enumerate() {
        number[card.slot as usize] = n as u32;
    }
    let words = postings.sorted(&number);
    // Each word's entry is written in parallel; they are packed into
    // chunks in order.
    let entries: Vec<String> = words
        .par_iter()
        .map(|(word, list)| entry(word, list))
        .collect();
    let mut chunks: Vec<(String, String)> = Vec::new();
    let mut chunk = String::new();
    let mut first: Option<&str> = None;
    for ((word, _), entry) in words.iter().zip(&entries) {
        if !chunk.is_empty() && chunk.len() + entry.len() > CHUNK_BYTES {
            let name = named(&mut files, "w", close(&mut chunk));
            chunks.push((first.unwrap_or_default().to_string(), name));
        }
        if chunk.is_empty() {
            first = Some(word);
            chunk.push('{');
        } else {
            chunk.push(',');
        }
        chunk.push_str(entry);
    }
    if !chunk.is_empty() {
        let name = named(&mut files, "w", close(&mut chunk));
        chunks.push((first.unwrap_or_default().to_string(), name));
    }
    let manifest = serde_json::json!({
        "version": 1,
        "pages": cards.len(),
        "group": GROUP,
        "chunks": chunks,
        "groups": groups,
    });
    files.insert(
        MANIFEST.to_string(),
        serde_json::to_vec(&manifest).expect("JSON"),
    );
    files
}

/// A word's entry in a chunk: `"word":[page, weight, …]`, each page as the
/// step from the one before.
fn entry(word: &str, list: &[(u32, u32)]) -> String {
    let mut entry = serde_json::to_string(word).expect("a string");
    entry.push_str(":[");
    let mut last = 0;
    for (i, &(page, weight)) in list.iter().enumerate() {
        if i > 0 {
            entry.push(',');
        }
        push_number(&mut entry, page - last);
        entry.push(',');
        push_number(&mut entry, weight);
        last = page;
    }
    entry.push(']');
    entry
}

/// Writes `n` in decimal: millions of numbers, where `write!` costs a
/// fifth of the index's time.
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// The chunk being made, closed and taken.
fn close(chunk: &mut String) -> Vec<u8> {
    chunk.push('}');
    std::mem::take(chunk).into_bytes()
}

/// Adds `bytes` to `files` in the index's folder `kind`, named by their hash;
/// returns the hash.
fn named(files: &mut BTreeMap<String, Vec<u8>>, kind: &str, bytes: Vec<u8>) -> String {
    let hash = format!("{:08x}", render::fnv1a(&bytes) as u32);
    files.insert(format!("{FOLDER}{kind}/{hash}.json"), bytes);
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Vec<u8> {
        format!(
            "<!DOCTYPE html><html lang=en><head><meta property=og:title content=T>\
             <meta name=description content=D.></head>\
             <body><main>{body}</main></body></html>"
        )
        .into_bytes()
    }

    fn site(pages: &[(&str, &str)]) -> Outputs {
        let mut outputs = Outputs::default();
        for (path, body) in pages {
            outputs.files.insert(path.to_string(), page(body));
        }
        outputs
    }

    fn json(files: &BTreeMap<String, Vec<u8>>, path: &str) -> serde_json::Value {
        serde_json::from_slice(&files[path]).unwrap()
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 4096, u32::MAX] {
            let mut out = String::from("x");
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn no_search_page_no_index() {
        let outputs = site(&[("articles/a/index.html", "<h1>A</h1>")]);
        assert!(index_files(&outputs).is_empty());
    }

    #[test]
    fn the_manifest_names_chunks_of_words_and_groups_of_cards() {
        let outputs = site(&[
            (PAGE, "<h1>Search</h1>"),
            ("index.html", "<h1>Home</h1><p>bones</p>"),
            (
                "articles/a/index.html",
                "<h1>Bones</h1><p>Strong bones.</p>",
            ),
            (
                "about/index.html",
                "<article data-search-body><h1>About</h1><p>bones</p></article>",
            ),
            ("glossary/x/index.html", "<h1>Calcium</h1>"),
        ]);
        let files = index_files(&outputs);
        let manifest = json(&files, MANIFEST);
        // Pages in path order: the about page, the article, the entry; not
        // the home page (no mark, not an article) nor the search page.
        assert_eq!(manifest["pages"], 3);
        let groups = manifest["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1);
        let cards = json(
            &files,
            &format!("{FOLDER}p/{}.json", groups[0].as_str().unwrap()),
        );
        assert_eq!(
            cards,
            serde_json::json!([
                ["about/", "About", "D.", ""],
                ["articles/a/", "Bones", "D.", ""],
                ["glossary/x/", "Calcium", "D.", ""]
            ])
        );
        let chunks = manifest["chunks"].as_array().unwrap();
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0][0], "about");
        let words = json(
            &files,
            &format!("{FOLDER}w/{}.json", chunks[0][1].as_str().unwrap()),
        );
        // bone: page 0 with weight 1 (doubled), page 1 (one step on) with the
        // title's 7 and 1 more, in the title.
        assert_eq!(words["bone"], serde_json::json!([0, 2, 1, 17]));
        assert_eq!(words["calcium"], serde_json::json!([2, 15]));
        assert!(words.get("home").is_none());
    }

    #[test]
    fn chunks_split_at_their_size_in_word_order() {
        let body: String = (0..3000).map(|i| format!("word{i} ")).collect();
        let outputs = site(&[
            (PAGE, ""),
            ("articles/a/index.html", &format!("<p>{body}</p>")),
        ]);
        let files = index_files(&outputs);
        let manifest = json(&files, MANIFEST);
        let chunks = manifest["chunks"].as_array().unwrap();
        assert!(chunks.len() > 1, "{manifest}");
        let firsts: Vec<&str> = chunks.iter().map(|c| c[0].as_str().unwrap()).collect();
        assert!(firsts.windows(2).all(|w| w[0] < w[1]), "{firsts:?}");
        for c in chunks {
            let bytes = &files[&format!("{FOLDER}w/{}.json", c[1].as_str().unwrap())];
            assert!(bytes.len() <= CHUNK_BYTES, "{}", bytes.len());
            let words = json(
                &files,
                &format!("{FOLDER}w/{}.json", c[1].as_str().unwrap()),
            );
            assert!(words.get(c[0].as_str().unwrap()).is_some());
        }
    }
}
