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

/// Calls `f` with each word of `text`, in order.
pub fn words(text: &str, mut f: impl FnMut(&str)) {
    let mut f = |word: &str| f(&stem(word));
    let mut word = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        // Most text is runs of ASCII letters and digits, where folding is
        // lower-casing: taken a run at a time, and a whole word already in
        // lower case is passed as it is, uncopied.
        let run = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if run > 0 {
            let (head, tail) = rest.split_at(run);
            let whole = word.is_empty() && tail.as_bytes().first().is_none_or(u8::is_ascii);
            if whole && !head.bytes().any(|b| b.is_ascii_uppercase()) {
                f(head);
            } else {
                let at = word.len();
                word.push_str(head);
                word[at..].make_ascii_lowercase();
            }
            rest = tail;
            continue;
        }
        rest = &rest[c.len_utf8()..];
        if c.is_ascii() {
            end(&mut word, &mut f);
            continue;
        }
        // The rest (curly quotes, dashes, accented letters) one by one.
        glossary::fold_char(c, |c| {
            if c.is_alphabetic() || c.is_numeric() {
                word.push(c);
            } else {
                end(&mut word, &mut f);
            }
        });
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
    #[test]
    fn the_ascii_path_agrees_with_the_general_one() {
        assert_eq!(all("Calcium and Bones é"), ["calcium", "and", "bone", "e"]);
        assert_eq!(all("Calcium and Bones"), ["calcium", "and", "bone"]);
    }
}
