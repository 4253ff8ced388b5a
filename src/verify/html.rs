//! A tokenizer for the HTML the verifier scans: start tags with their attributes,
//! end tags, and text.
//!
//! It follows the WHATWG tokenizer, and lol_html's simulation of the tree
//! builder's feedback, wherever a page can lead them apart: raw text
//! (`<script>`, `<style>`, `<title>`, `<textarea>`, …), comments, doctypes,
//! CDATA, SVG and MathML. It does not decode entities or build a tree; a tag cut
//! off by the end of the input is dropped, as lol_html drops it. Everything it
//! returns is a slice of the input. The tests in `verify/tests.rs` check it against
//! lol_html. One known gap: a `<script>` whose text holds `<!--<script>` ends
//! at the first `</script>`, where a browser waits for the second.

/// One attribute as written; `value` is `None` for `<input disabled>`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attr<'a> {
    pub name: &'a str,
    pub value: Option<&'a str>,
}

/// The first value of attribute `name` (ASCII case-insensitive); `""` if it has none.
pub(crate) fn attribute<'a>(attrs: &[Attr<'a>], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .map(|a| a.value.unwrap_or(""))
}

/// `name` in ASCII lower case: `name` itself if it is already, else a copy in `buf`.
pub(super) fn lower<'s>(name: &'s str, buf: &'s mut String) -> &'s str {
    if !name.bytes().any(|b| b.is_ascii_uppercase()) {
        return name;
    }
    buf.clear();
    buf.push_str(name);
    buf.make_ascii_lowercase();
    buf
}

pub(crate) enum Token<'a, 't> {
    Start {
        /// As written, and in lower case.
        name: &'a str,
        lower: &'t str,
        attrs: &'t [Attr<'a>],
        /// Written `<x/>`; it closes the element only in SVG and MathML.
        self_closing: bool,
        /// In SVG or MathML, where no element is void and `/>` closes.
        foreign: bool,
    },
    End {
        name: &'a str,
    },
    /// Text between tags, as written; never the content of a raw-text element.
    Text(&'a str),
}

#[derive(Clone, Copy, PartialEq)]
enum Ns {
    Html,
    Svg,
    MathMl,
}

/// Calls `f` with every token of `text`, in order.
pub(crate) fn tokens<'a>(text: &'a str, mut f: impl FnMut(Token<'a, '_>)) {
    let b = text.as_bytes();
    let mut attrs: Vec<Attr<'a>> = Vec::new();
    let mut buf = String::new();
    let mut ns = vec![Ns::Html];
    // Text runs from `text_start` to the next real markup.
    let mut text_start = 0;
    let mut i = 0;
    while let Some(lt) = find(b, i, b'<') {
        i = lt + 1;
        let foreign = ns.last() != Some(&Ns::Html);
        match b.get(i) {
            Some(b'!') => {
                flush(text, text_start, lt, &mut f);
                let rest = &text[i + 1..];
                if let Some(body) = rest.strip_prefix("--") {
                    i = lt + 4 + comment_len(body);
                } else if foreign && rest.starts_with("[CDATA[") {
                    let body = i + 8;
                    let end = text[body..].find("]]>").map_or(b.len(), |e| body + e);
                    flush(text, body, end, &mut f);
                    i = (end + 3).min(b.len());
                } else {
                    // A doctype, or a bogus comment.
                    i = after(text, i, b'>');
                }
                text_start = i;
            }
            Some(b'?') => {
                flush(text, text_start, lt, &mut f);
                i = after(text, i, b'>');
                text_start = i;
            }
            Some(b'/') => match b.get(i + 1) {
                Some(c) if c.is_ascii_alphabetic() => {
                    flush(text, text_start, lt, &mut f);
                    let Some((name, end, _)) = tag(text, i + 1, &mut attrs) else {
                        return;
                    };
                    i = end;
                    text_start = i;
                    if ns.len() > 1 {
                        end_tag_feedback(&mut ns, lower(name, &mut buf));
                    }
                    f(Token::End { name });
                }
                // `</` at the very end is text.
                None => break,
                Some(&c) => {
                    flush(text, text_start, lt, &mut f);
                    // `</>` is nothing; `</3>` a bogus comment.
                    i = if c == b'>' {
                        i + 2
                    } else {
                        after(text, i, b'>')
                    };
                    text_start = i;
                }
            },
            Some(c) if c.is_ascii_alphabetic() => {
                flush(text, text_start, lt, &mut f);
                let Some((name, end, self_closing)) = tag(text, i, &mut attrs) else {
                    return;
                };
                i = end;
                text_start = i;
                let lower = lower(name, &mut buf);
                let raw = start_tag_feedback(&mut ns, lower, &attrs, self_closing);
                f(Token::Start {
                    name,
                    lower,
                    attrs: &attrs,
                    self_closing,
                    foreign: ns.last() != Some(&Ns::Html),
                });
                match raw {
                    Raw::No => {}
                    // Up to `</name`, which the loop then reads as an end tag.
                    Raw::UntilEndTag => {
                        i = raw_text_end(text, i, name);
                        text_start = i;
                    }
                    Raw::ToTheEnd => return,
                }
            }
            // A `<` that starts no markup is text.
            _ => {}
        }
    }
    flush(text, text_start, b.len(), &mut f);
}

/// Calls `f` with the text from `from` to `to`, unless it is empty.
fn flush<'a>(text: &'a str, from: usize, to: usize, f: &mut impl FnMut(Token<'a, '_>)) {
    if from < to {
        f(Token::Text(&text[from..to]));
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// The position of the first `needle` in `b` at or after `from`.
pub(super) fn find(b: &[u8], from: usize, needle: u8) -> Option<usize> {
    memchr::memchr(needle, b.get(from..)?).map(|at| from + at)
}

/// The position after the first `c` at or after `from`, or the end.
fn after(text: &str, from: usize, c: u8) -> usize {
    find(text.as_bytes(), from, c).map_or(text.len(), |e| e + 1)
}

/// The length of a comment's body and its end (`-->` or `--!>`), starting after `<!--`.
fn comment_len(body: &str) -> usize {
    // `<!-->` and `<!--->` end at once.
    if body.starts_with('>') {
        return 1;
    }
    if body.starts_with("->") {
        return 2;
    }
    let b = body.as_bytes();
    let mut from = 0;
    while let Some(e) = body[from..].find("--") {
        let mut k = from + e + 2;
        while b.get(k) == Some(&b'-') {
            k += 1;
        }
        match b.get(k) {
            Some(b'>') => return k + 1,
            Some(b'!') if b.get(k + 1) == Some(&b'>') => return k + 2,
            _ => from = k,
        }
    }
    body.len()
}

/// Reads the tag whose name starts at `start`: its name, the position after its
/// `>`, and whether it ends with `/>`. Its attributes replace `attrs`. `None` if
/// the input ends first.
fn tag<'a>(
    text: &'a str,
    start: usize,
    attrs: &mut Vec<Attr<'a>>,
) -> Option<(&'a str, usize, bool)> {
    let b = text.as_bytes();
    let mut i = start;
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = &text[start..i];
    attrs.clear();
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => return Some((name, i + 1, false)),
            b'/' => {
                i += 1;
                if *b.get(i)? == b'>' {
                    return Some((name, i + 1, true));
                }
                continue;
            }
            _ => {}
        }
        // A name may start with `=`.
        let name_start = i;
        i += 1;
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr = &text[name_start..i];
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if *b.get(i)? != b'=' {
            attrs.push(Attr {
                name: attr,
                value: None,
            });
            continue;
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let value = match *b.get(i)? {
            q @ (b'"' | b'\'') => {
                let v = i + 1;
                let end = find(b, v, q)?;
                i = end + 1;
                Some(&text[v..end])
            }
            // `<a href=>`: an attribute without a value.
            b'>' => None,
            _ => {
                let v = i;
                while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
                Some(&text[v..i])
            }
        };
        attrs.push(Attr { name: attr, value });
    }
}

/// What follows a start tag.
enum Raw {
    No,
    /// Text up to the element's end tag.
    UntilEndTag,
    /// `<plaintext>`: text to the end of the input.
    ToTheEnd,
}

fn is_one_of(name: &str, names: &[&str]) -> bool {
    names.contains(&name)
}

/// The namespace changes start tag `name` (in lower case) makes, and whether
/// raw text follows it.
fn start_tag_feedback(ns: &mut Vec<Ns>, name: &str, attrs: &[Attr], self_closing: bool) -> Raw {
    let current = *ns.last().unwrap_or(&Ns::Html);
    if name == "svg" {
        ns.push(Ns::Svg);
    } else if name == "math" {
        ns.push(Ns::MathMl);
    } else if current != Ns::Html {
        let leaves = is_one_of(
            name,
            &[
                "b",
                "big",
                "blockquote",
                "body",
                "br",
                "center",
                "code",
                "dd",
                "div",
                "dl",
                "dt",
                "em",
                "embed",
                "h1",
                "h2",
                "h3",
                "h4",
                "h5",
                "h6",
                "head",
                "hr",
                "i",
                "img",
                "li",
                "listing",
                "menu",
                "meta",
                "nobr",
                "ol",
                "p",
                "pre",
                "ruby",
                "s",
                "small",
                "span",
                "strong",
                "strike",
                "sub",
                "sup",
                "table",
                "tt",
                "u",
                "ul",
                "var",
            ],
        ) || (name == "font"
            && attrs.iter().any(|a| {
                ["color", "size", "face"]
                    .iter()
                    .any(|n| a.name.eq_ignore_ascii_case(n))
            }));
        let html_inside = !self_closing
            && match current {
                Ns::Svg => is_one_of(name, &["desc", "title", "foreignobject"]),
                Ns::MathMl => {
                    is_one_of(name, &["mi", "mo", "mn", "ms", "mtext"])
                        || (name == "annotation-xml"
                            && attribute(attrs, "encoding").is_some_and(|e| {
                                e.eq_ignore_ascii_case("text/html")
                                    || e.eq_ignore_ascii_case("application/xhtml+xml")
                            }))
                }
                Ns::Html => false,
            };
        if leaves {
            ns.pop();
        } else if html_inside {
            ns.push(Ns::Html);
        }
    } else {
        return match name {
            "script" | "style" | "title" | "textarea" | "xmp" | "iframe" | "noembed"
            | "noframes" | "noscript" => Raw::UntilEndTag,
            "plaintext" => Raw::ToTheEnd,
            _ => Raw::No,
        };
    }
    Raw::No
}

/// The namespace change end tag `name` (in lower case) makes.
fn end_tag_feedback(ns: &mut Vec<Ns>, name: &str) {
    let n = ns.len();
    let leaves = match ns[n - 1] {
        Ns::Html if n >= 2 => match ns[n - 2] {
            Ns::Svg => is_one_of(name, &["desc", "title", "foreignobject"]),
            Ns::MathMl => is_one_of(name, &["mi", "mo", "mn", "ms", "mtext", "annotation-xml"]),
            Ns::Html => false,
        },
        Ns::Html => false,
        Ns::Svg => is_one_of(name, &["svg", "p", "br"]),
        Ns::MathMl => is_one_of(name, &["math", "p", "br"]),
    };
    if leaves {
        ns.pop();
    }
}

/// Where the raw text after `<name …>` at `from` ends: at `</name` followed by
/// a space, `/` or `>`, or at the end of the input.
fn raw_text_end(text: &str, from: usize, name: &str) -> usize {
    let b = text.as_bytes();
    let mut k = from;
    while let Some(e) = text[k..].find("</") {
        let at = k + e;
        let end = at + 2 + name.len();
        if b.len() >= end
            && b[at + 2..end].eq_ignore_ascii_case(name.as_bytes())
            && b.get(end)
                .is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            return at;
        }
        k = at + 2;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_agrees_with_a_plain_search_at_every_offset() {
        let text = "a<bc<<defghijklmnop<qrstuvwxyz0123456789<é<ü<<";
        let b = text.as_bytes();
        for needle in [b'<', b'a', b'9', b'z', b'#', 0xa9] {
            for from in 0..=b.len() {
                let plain = b[from..]
                    .iter()
                    .position(|&c| c == needle)
                    .map(|p| from + p);
                assert_eq!(find(b, from, needle), plain, "{needle} from {from}");
            }
        }
        assert_eq!(find(b, b.len() + 1, b'<'), None);
    }
}
