//! The one rule for what a word is to search, on both sides: the index is
//! made of these words, and the search page's script (`static/search.js`,
//! `words`) turns a query into them the same way; a test runs both over the
//! same texts.
//!
//! Text is folded as the glossary folds it ([`glossary::fold`]: no accents,
//! lower case, `ß` → `ss`), split at every character that is neither a letter
//! nor a digit, and each word loses a plural ending by Harman's S-stemmer
//! (`fractures` → `fracture`, `therapies` → `therapy`), so a reader finds a
//! page whether it says one bone or two.

use std::borrow::Cow;

use crate::glossary;

/// What a byte of a text is to [`words`].
#[derive(Clone, Copy, PartialEq)]
enum Class {
    /// ASCII that is neither a letter nor a digit: it ends a word.
    Gap,
    /// A lower-case ASCII letter or a digit.
    Lower,
    /// An upper-case ASCII letter.
    Upper,
    /// A byte of a character beyond ASCII.
    Beyond,
}

/// Each byte's class, so the common case costs one look-up a byte.
const CLASSES: [Class; 256] = {
    let mut classes = [Class::Beyond; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        classes[b] = if byte.is_ascii_lowercase() || byte.is_ascii_digit() {
            Class::Lower
        } else if byte.is_ascii_uppercase() {
            Class::Upper
        } else {
            Class::Gap
        };
        b += 1;
    }
    classes
};

/// Calls `f` with each word of `text`, in order.
pub fn words(text: &str, mut f: impl FnMut(&str)) {
    let mut f = |word: &str| f(&stem(word));
    let bytes = text.as_bytes();
    let class = |at: usize| CLASSES[usize::from(bytes[at])];
    let mut word = String::new();
    let mut at = 0;
    while at < bytes.len() {
        match class(at) {
            Class::Gap => {
                end(&mut word, &mut f);
                at += 1;
            }
            // Most text is runs of ASCII letters and digits, where folding is
            // lower-casing: taken a run at a time, and a whole word already
            // in lower case is passed as it is, uncopied.
            Class::Lower | Class::Upper => {
                let start = at;
                let mut upper = false;
                while at < bytes.len() {
                    match class(at) {
                        Class::Lower => {}
                        Class::Upper => upper = true,
                        _ => break,
                    }
                    at += 1;
                }
                let run = &text[start..at];
                let whole = word.is_empty() && bytes.get(at).is_none_or(u8::is_ascii);
                if whole && !upper {
                    f(run);
                } else {
                    let from = word.len();
                    word.push_str(run);
                    word[from..].make_ascii_lowercase();
                }
            }
            // The rest (curly quotes, dashes, accented letters) one by one.
            Class::Beyond => {
                let c = text[at..].chars().next().unwrap_or_default();
                at += c.len_utf8();
                // General punctuation (curly quotes, dashes, the word
                // joiner) holds no letter or digit: it ends a word.
                if ('\u{2000}'..='\u{206F}').contains(&c) {
                    end(&mut word, &mut f);
                    continue;
                }
                glossary::fold_char(c, |c| {
                    if c.is_alphanumeric() {
                        word.push(c);
                    } else {
                        end(&mut word, &mut f);
                    }
                });
            }
        }
    }
    end(&mut word, &mut f);
}

/// Ends the word being gathered, if any, passing it to `f`.
fn end(word: &mut String, f: &mut impl FnMut(&str)) {
    if !word.is_empty() {
        f(word);
        word.clear();
    }
}

/// Harman's S-stemmer: `-ies` → `-y`, `-es` → `-e`, `-s` → nothing, except
/// after `e` or `a` (`-eies`, `-aies`), `a`, `e` or `o` (`-aes`, `-ees`,
/// `-oes`), and in `-us` and `-ss`.
pub fn stem(word: &str) -> Cow<'_, str> {
    // Every ending below ends in `s`.
    if !word.ends_with('s') {
        return Cow::Borrowed(word);
    }
    let ends = |s: &str| word.ends_with(s);
    let cut = |n: usize| Cow::Borrowed(&word[..word.len() - n]);
    if ends("ies") && !ends("eies") && !ends("aies") && word.len() > 3 {
        return Cow::Owned(format!("{}y", &word[..word.len() - 3]));
    }
    if ends("es") && !ends("aes") && !ends("ees") && !ends("oes") && word.len() > 2 {
        return cut(1);
    }
    if ends("s") && !ends("us") && !ends("ss") && word.len() > 1 {
        return cut(1);
    }
    Cow::Borrowed(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        words(text, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn words_are_folded_split_and_stemmed() {
        assert_eq!(
            all("Hip fractures, HRT & vitamin D."),
            ["hip", "fracture", "hrt", "vitamin", "d"]
        );
        assert_eq!(all("Bisphosphonates"), ["bisphosphonate"]);
        assert_eq!(all("therapies therapy ties"), ["therapy", "therapy", "ty"]);
        assert_eq!(
            all("osteoporosis virus glass"),
            ["osteoporosi", "virus", "glass"]
        );
        assert_eq!(all("Öl Straße — façade"), ["ol", "strasse", "facade"]);
        assert_eq!(
            all("low-trauma 10,000 T-score"),
            ["low", "trauma", "10", "000", "t", "score"]
        );
        assert_eq!(all("  "), Vec::<String>::new());
    }

    /// ASCII text and the same text with one accent agree on the other words.
    /// The shortcut for general punctuation skips nothing folding would keep.
    #[test]
    fn general_punctuation_holds_no_letter_or_digit() {
        for c in '\u{2000}'..='\u{206F}' {
            glossary::fold_char(c, |c| assert!(!c.is_alphanumeric(), "{:04x}", c as u32));
        }
        assert_eq!(
            all("don\u{2019}t \u{201c}HRT\u{201d}\u{2014}x"),
            ["don", "t", "hrt", "x"]
        );
    }

    #[test]
    fn the_ascii_path_agrees_with_the_general_one() {
        assert_eq!(all("Calcium and Bones é"), ["calcium", "and", "bone", "e"]);
        assert_eq!(all("Calcium and Bones"), ["calcium", "and", "bone"]);
    }
}
