//! The shortcode call syntax inside Markdown: `{{ name(key="value", n=1) }}`.
//!
//! Parsing works on the original source at a byte offset, so every call and
//! every error keeps its true position in the file.

use std::collections::BTreeMap;
use std::ops::Range;

/// An argument value: a string, a number or a boolean.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum ArgValue {
    String(String),
    Number(f64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub name: String,
    pub args: BTreeMap<String, ArgValue>,
    /// Byte range of the whole `{{ … }}` in the file.
    pub span: Range<usize>,
    /// True when the call is a paragraph of its own, so its output is a block.
    pub block: bool,
}

/// What a call's output depends on: its name and arguments, numbers by
/// their bits so the key can be hashed. Two calls with one key render alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CallKey {
    name: String,
    args: Vec<(String, ArgKey)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ArgKey {
    String(String),
    Number(u64),
    Bool(bool),
}

impl Call {
    pub fn key(&self) -> CallKey {
        let arg = |value: &ArgValue| match value {
            ArgValue::String(s) => ArgKey::String(s.clone()),
            ArgValue::Number(n) => ArgKey::Number(n.to_bits()),
            ArgValue::Bool(b) => ArgKey::Bool(*b),
        };
        CallKey {
            name: self.name.clone(),
            args: self.args.iter().map(|(k, v)| (k.clone(), arg(v))).collect(),
        }
    }
}

/// A syntax error, with the byte range it points at.
#[derive(Debug, PartialEq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
}

/// Parses the call starting at `src[start..]`, which begins with `{{`.
pub fn parse_call(src: &str, start: usize) -> Result<Call, SyntaxError> {
    let mut p = Cursor {
        src,
        pos: start + 2,
    };
    p.skip_space();
    let name = p
        .ident()
        .ok_or_else(|| p.error("expected a shortcode name after `{{`"))?;
    p.skip_space();
    p.expect('(', "expected `(` after the shortcode name")?;
    let mut args = BTreeMap::new();
    loop {
        p.skip_space();
        if p.eat(')') {
            break;
        }
        let key_start = p.pos;
        let key = p
            .ident()
            .ok_or_else(|| p.error("expected an argument name"))?;
        p.skip_space();
        p.expect('=', "expected `=` after the argument name")?;
        p.skip_space();
        let value = p.value()?;
        if args.insert(key.to_string(), value).is_some() {
            return Err(SyntaxError {
                span: key_start..p.pos,
                message: format!("the argument `{key}` is given twice"),
            });
        }
        p.skip_space();
        if p.eat(',') {
            continue;
        }
        p.expect(')', "expected `,` or `)` after an argument")?;
        break;
    }
    p.skip_space();
    if !p.src[p.pos..].starts_with("}}") {
        return Err(p.error("expected `}}` to close the shortcode"));
    }
    Ok(Call {
        name: name.to_string(),
        args,
        span: start..p.pos + 2,
        block: false,
    })
}

struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, message: &str) -> Result<(), SyntaxError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    /// Skips white space of any kind: a no-break or thin space pasted from a
    /// word processor is several bytes long.
    fn skip_space(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
    }

    fn ident(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.src[start..self.pos])
    }

    fn value(&mut self) -> Result<ArgValue, SyntaxError> {
        let start = self.pos;
        if self.eat('"') {
            let end = self.src[self.pos..]
                .find(['"', '\n'])
                .map(|i| self.pos + i)
                .filter(|&i| self.src[i..].starts_with('"'))
                .ok_or_else(|| SyntaxError {
                    span: start..self.pos,
                    message: "this string is never closed with `\"`".to_string(),
                })?;
            let value = self.src[self.pos..end].to_string();
            self.pos = end + 1;
            return Ok(ArgValue::String(value));
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || "-+._".contains(c)) {
            self.pos += 1;
        }
        let word = &self.src[start..self.pos];
        let message =
            "expected a value: a \"string\" in straight double quotes, a number, true or false";
        match word {
            "true" => Ok(ArgValue::Bool(true)),
            "false" => Ok(ArgValue::Bool(false)),
            "" => Err(self.error(message)),
            _ => word.parse().map(ArgValue::Number).map_err(|_| SyntaxError {
                span: start..self.pos,
                message: message.to_string(),
            }),
        }
    }

    fn error(&self, message: &str) -> SyntaxError {
        let end = self.src[self.pos..]
            .chars()
            .next()
            .map_or(self.pos, |c| self.pos + c.len_utf8());
        SyntaxError {
            span: self.pos..end,
            message: message.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_named_arguments() {
        let src = r#"x {{ category_table(data="thresholds", table="t_score", n=1.5, b=true) }} y"#;
        let call = parse_call(src, 2).unwrap();
        assert_eq!(call.name, "category_table");
        assert_eq!(&src[call.span.clone()], &src[2..src.len() - 2]);
        assert_eq!(call.args["data"], ArgValue::String("thresholds".into()));
        assert_eq!(call.args["n"], ArgValue::Number(1.5));
        assert_eq!(call.args["b"], ArgValue::Bool(true));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let src = r#"{{ t(data=“x”) }}"#;
        let e = parse_call(src, 0).unwrap_err();
        assert_eq!(&src[e.span.clone()], "“");
        let e = parse_call("{{ t(a=\"x\" }}", 0).unwrap_err();
        assert_eq!(e.message, "expected `,` or `)` after an argument");
    }

    #[test]
    fn unicode_spaces_are_spaces() {
        // A no-break space, a thin space and an ideographic space.
        let src = "{{\u{a0}t(\u{2009}a=1,\u{3000}b=\"x\"\u{a0}) }}";
        let call = parse_call(src, 0).unwrap();
        assert_eq!(call.name, "t");
        assert_eq!(call.args.len(), 2);
        assert_eq!(call.span, 0..src.len());
    }

    /// Pieces of calls, Unicode spaces and quotes, and any character at all.
    fn call_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            prop::sample::select(vec![
                "{{", "}}", "(", ")", "=", ",", "\"", "t", "ab", "1.5", "true", " ", "\n",
                "\u{a0}", "\u{2009}", "\u{3000}", "\u{201c}", "é", "\u{e000}",
            ])
            .prop_map(str::to_string),
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        /// Whatever follows `{{`, the parser ends on a character boundary
        /// inside the text: a call, or an error it can point at.
        #[test]
        fn any_text_parses_or_fails_inside_the_text(prefix in call_text(), rest in call_text()) {
            let src = format!("{prefix}{{{{{rest}");
            let start = prefix.len();
            let span = match parse_call(&src, start) {
                Ok(call) => call.span,
                Err(e) => e.span,
            };
            prop_assert!(start <= span.start && span.start <= span.end && span.end <= src.len());
            prop_assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
        }
    }
}
