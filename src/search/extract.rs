//! What the index keeps of one rendered page: its address, title,
//! description and kind for the result, and each word of its main content
//! with a weight.
//!
//! The templates say what the main content is: the element marked
//! `data-search-body` (an article or page without one, from a template made
//! before search, is read from its `<main>`). Inside it, an element marked
//! `data-search-ignore` is left out with all it holds (the glossary notes,
//! the contents, the review dates), and `data-search-weight="N"` weighs its
//! words N times (a glossary entry's aliases weigh as its title); headings
//! weigh by level, `h1` 7 down to `h6` 2, other text 1. `data-search-kind`
//! on the marked element names the kind of page a result shows (`Article`).

use crate::verify::{Attr, Token, attribute, is_void, unescape};

use super::postings::PageWords;
use super::words::words;

/// The weight of a page's title, and of what weighs as much (aliases).
pub const TITLE: u32 = 7;

/// What the index keeps of one page.
#[derive(Debug, Default)]
pub struct Page {
    pub title: String,
    pub description: String,
    pub kind: String,
    /// Each word once, with the sum of its weights, and whether it is in the
    /// title (or weighs as much).
    pub words: PageWords,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Weight {
    pub sum: u32,
    pub title: bool,
}

/// What the attributes that mark a page's parts for the index start with.
const MARK: &str = "data-search-";

/// Elements that do not end a word: `cal<b>cium</b>` is one word.
fn inline(lower: &str) -> bool {
    matches!(
        lower,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "i"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "u"
    )
}

/// An open element: its name as written, and how its content is indexed.
struct Open<'a> {
    name: &'a str,
    state: State,
    /// Whether it changes the state, so that text before and after it are
    /// indexed apart.
    marked: bool,
    /// Whether it is an inline element (see [`inline`]).
    inline: bool,
}

#[derive(Clone, Copy, PartialEq)]
struct State {
    indexed: bool,
    ignored: bool,
    weight: u32,
}

/// The page `html` as the index keeps it, or `None` if it has no main
/// content to index: no `data-search-body`, and no `<main>` when `main` says
/// to read one.
#[cfg(test)]
pub fn page(html: &str, main: bool) -> Option<Page> {
    let mut reader = Reader::new(html, main)?;
    crate::verify::tokens(html, |token| reader.token(&token));
    reader.finish()
}

/// Reads one page token by token, so the output check's pass over the page
/// can feed it too (see [`crate::verify::Reader`]).
pub struct Reader<'a> {
    /// Whether the page marks its main content; if not, `<main>` is read.
    marked: bool,
    page: Page,
    found: bool,
    stack: Vec<Open<'a>>,
    text: String,
    h1: Option<String>,
    in_h1: bool,
    /// Without an `h1` in the content, the title `og:title` gives.
    og_title: String,
}

/// The state outside every element.
const OUTSIDE: State = State {
    indexed: false,
    ignored: false,
    weight: 1,
};

impl<'a> Reader<'a> {
    /// A reader of `html`, or `None` if it has nothing to index: no
    /// `data-search-body`, and not a page whose `<main>` is read (`main`).
    pub fn new(html: &str, main: bool) -> Option<Reader<'a>> {
        let marked = memchr::memmem::find(html.as_bytes(), b"data-search-body").is_some();
        (marked || main).then(|| Reader {
            marked,
            page: Page::default(),
            found: false,
            stack: Vec::new(),
            text: String::new(),
            h1: None,
            in_h1: false,
            og_title: String::new(),
        })
    }

    fn state(&self) -> State {
        self.stack.last().map_or(OUTSIDE, |o| o.state)
    }

    pub fn token(&mut self, token: &Token<'a, '_>) {
        match *token {
            Token::Start {
                name, lower, attrs, ..
            } => self.start(name, lower, attrs),
            Token::End { name } => self.end(name),
            Token::Text(raw) => {
                let state = self.state();
                if state.indexed && !state.ignored {
                    let raw = unescape(raw);
                    self.text.push_str(&raw);
                    if self.in_h1
                        && let Some(h1) = &mut self.h1
                    {
                        h1.push_str(&raw);
                    }
                }
            }
        }
    }

    fn start(&mut self, name: &'a str, lower: &str, attrs: &[Attr]) {
        let parent = self.state();
        if lower == "meta" {
            let content = || collapse(&unescape(attribute(attrs, "content").unwrap_or("")));
            if attribute(attrs, "name") == Some("description") {
                self.page.description = content();
            }
            if attribute(attrs, "property") == Some("og:title") {
                self.og_title = content();
            }
        }
        if is_void(lower) {
            return;
        }
        let mut state = parent;
        // Most elements have no `data-search-*` attribute to look for.
        let marks = attrs.iter().any(|a| {
            a.name
                .get(..MARK.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(MARK))
        });
        let mark = |name: &str| match marks {
            true => attribute(attrs, name),
            false => None,
        };
        let body = match self.marked {
            true => mark("data-search-body").is_some(),
            false => lower == "main",
        };
        if !parent.indexed && body {
            state.indexed = true;
            self.found = true;
            self.page.kind = mark("data-search-kind").unwrap_or("").to_string();
        }
        if mark("data-search-ignore").is_some() {
            state.ignored = true;
        }
        let heading = match lower {
            "h1" => Some(7),
            "h2" => Some(6),
            "h3" => Some(5),
            "h4" => Some(4),
            "h5" => Some(3),
            "h6" => Some(2),
            _ => None,
        };
        let weight = mark("data-search-weight").and_then(|w| w.trim().parse().ok());
        if let Some(w) = weight.or(heading) {
            state.weight = w;
        }
        let marked = state != parent;
        let inline = inline(lower);
        if marked || !inline {
            flush(&mut self.text, parent, &mut self.page);
        }
        if lower == "h1" && state.indexed && !state.ignored && self.h1.is_none() {
            self.in_h1 = true;
            self.h1 = Some(String::new());
        }
        self.stack.push(Open {
            name,
            state,
            marked,
            inline,
        });
    }

    fn end(&mut self, name: &str) {
        let Some(at) = (self.stack.iter()).rposition(|o| o.name.eq_ignore_ascii_case(name)) else {
            return;
        };
        if self.stack[at..].iter().any(|o| o.marked) || !self.stack[at].inline {
            let state = self.state();
            flush(&mut self.text, state, &mut self.page);
        }
        if name.eq_ignore_ascii_case("h1") {
            self.in_h1 = false;
        }
        self.stack.truncate(at);
    }

    /// What the page gives the index, once every token was read.
    pub fn finish(mut self) -> Option<Page> {
        let state = self.state();
        flush(&mut self.text, state, &mut self.page);
        if !self.found {
            return None;
        }
        self.page.title = match self.h1.map(|h1| collapse(&h1)) {
            Some(h1) if !h1.is_empty() => h1,
            _ => self.og_title,
        };
        Some(self.page)
    }
}

/// Indexes the text gathered so far with the weight of `state`.
fn flush(text: &mut String, state: State, page: &mut Page) {
    if text.is_empty() {
        return;
    }
    if state.indexed && !state.ignored {
        let title = state.weight >= TITLE;
        words(text, |word| page.words.add(word, state.weight, title));
    }
    text.clear();
}

/// `text` with runs of white space as one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_of(body: &str) -> Page {
        let html = format!(
            "<!DOCTYPE html><html lang=en><head><title>T | Site</title><meta property=og:title content=T>\
             <meta name=description content=\"What &amp; why.\"></head>\
             <body><nav>Menu words</nav><main>{body}</main><footer>Footer words</footer></body></html>"
        );
        page(&html, true).unwrap()
    }

    fn weight(page: &Page, word: &str) -> Option<(u32, bool)> {
        page.words.get(word).map(|w| (w.sum, w.title))
    }

    #[test]
    fn the_marked_element_is_read_with_weights_and_without_what_is_ignored() {
        let page = page_of(
            "<article data-search-body data-search-kind=Article><h1>Hip <em>fractures</em></h1>\
             <nav data-search-ignore><h2>On this page</h2></nav>\
             <p>A hip <a href=x>fracture</a> is a break.<span data-search-ignore>Popover words</span> \
             Cal<b>cium</b> helps.</p><h2>Walking</h2>\
             <p class=aliases data-search-weight=7>Also called: broken hip</p></article>\
             <nav>Related words</nav>",
        );
        assert_eq!(page.title, "Hip fractures");
        assert_eq!(page.description, "What & why.");
        assert_eq!(page.kind, "Article");
        assert_eq!(weight(&page, "hip"), Some((7 + 1 + 7, true)));
        assert_eq!(weight(&page, "fracture"), Some((7 + 1, true)));
        assert_eq!(weight(&page, "walking"), Some((6, false)));
        assert_eq!(weight(&page, "calcium"), Some((1, false)));
        assert_eq!(weight(&page, "broken"), Some((7, true)));
        for absent in [
            "page", "popover", "menu", "footer", "related", "word", "t", "site",
        ] {
            assert_eq!(weight(&page, absent), None, "{absent}");
        }
    }

    #[test]
    fn without_a_mark_main_is_read_when_asked() {
        let page = page_of("<h1>Title</h1><p>Body text.</p>");
        assert_eq!(page.title, "Title");
        assert_eq!(weight(&page, "body"), Some((1, false)));
        assert_eq!(weight(&page, "menu"), None);
        let html = "<html><body><main><h1>T</h1></main></body></html>";
        assert!(super::page(html, false).is_none());
        assert!(super::page("<p>No main</p>", true).is_none());
    }

    #[test]
    fn a_page_without_an_h1_takes_its_title_from_og_title() {
        let page = page_of("<article data-search-body><p>Text.</p></article>");
        assert_eq!(page.title, "T");
    }
}
