//! Glossary words as readers look them up: folded so that `Öl` files under O
//! in the A–Z index, and compared folded, so two entries cannot claim one word.
//!
//! Pure functions over the words; `resolve` reports duplicate claims and
//! `render` builds the A–Z page from [`a_to_z`].

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::parse::markdown::slugify;

/// The sections of the A–Z index, in the order the letter bar shows them:
/// `#` holds the words that start with a digit, a symbol or another script.
pub const LETTERS: [char; 27] = [
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S',
    'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '#',
];

/// `text` as readers compare words: canonical decomposition without its
/// combining marks (`é` → `e`, `Ö` → `o`), the Latin letters that have no
/// decomposition written out (`ø` → `o`, `æ` → `ae`, `ß` → `ss`), lower case,
/// and runs of white space as one space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            fold_char(c, |c| out.push(c));
        }
    }
    out
}

/// One character of [`fold`]: what it becomes, which may be nothing (a
/// combining mark) or several characters (`æ` → `ae`). Folding a text
/// character by character gives what folding it whole does, since its
/// combining marks are dropped, not reordered.
pub fn fold_char(c: char, mut push: impl FnMut(char)) {
    if c.is_ascii() {
        return push(c.to_ascii_lowercase());
    }
    for c in std::iter::once(c).nfd().filter(|&c| !is_combining_mark(c)) {
        match c {
            'ø' | 'Ø' => push('o'),
            'æ' | 'Æ' => "ae".chars().for_each(&mut push),
            'œ' | 'Œ' => "oe".chars().for_each(&mut push),
            'ß' | 'ẞ' => "ss".chars().for_each(&mut push),
            'ł' | 'Ł' => push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => push('d'),
            'þ' | 'Þ' => "th".chars().for_each(&mut push),
            'ı' => push('i'),
            c => c.to_lowercase().for_each(&mut push),
        }
    }
}

/// The section of the A–Z a word is filed under, from its folded text.
pub fn letter_of_folded(folded: &str) -> char {
    match folded.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
        _ => '#',
    }
}

/// The file name a glossary link to `word` would most likely use: the word
/// folded and made a slug (`HRT` → `hrt`, `Ölbad` → `olbad`).
pub fn slug_of(word: &str) -> String {
    slugify(&fold(word))
}

/// One line of the A–Z index: a term, or an alias that points at its term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The word as the entry writes it.
    pub word: &'a str,
    /// Which of the words given to [`a_to_z`] this comes from.
    pub term: usize,
    /// Whether `word` is an alias of the term rather than the term itself.
    pub alias: bool,
}

/// The A–Z index of `terms` (each a term and its aliases): every word in the
/// section of its folded first letter, sections in [`LETTERS`] order, words
/// sorted by their folded text, then as written. Empty sections are left out.
pub fn a_to_z<'a>(terms: &[(&'a str, &'a [String])]) -> Vec<(char, Vec<Entry<'a>>)> {
    let mut entries: Vec<(String, Entry<'a>)> = Vec::new();
    for (i, &(term, aliases)) in terms.iter().enumerate() {
        let words = std::iter::once((term, false)).chain(aliases.iter().map(|a| (&**a, true)));
        for (word, alias) in words {
            let entry = Entry {
                word,
                term: i,
                alias,
            };
            entries.push((fold(word), entry));
        }
    }
    entries
        .sort_by(|(a, x), (b, y)| (a, x.word, x.alias, x.term).cmp(&(b, y.word, y.alias, y.term)));
    LETTERS
        .iter()
        .map(|&letter| {
            let list: Vec<Entry<'a>> = entries
                .iter()
                .filter(|(folded, _)| letter_of_folded(folded) == letter)
                .map(|(_, e)| e.clone())
                .collect();
            (letter, list)
        })
        .filter(|(_, list)| !list.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_strips_marks_and_case() {
        assert_eq!(fold("Östrogen"), "ostrogen");
        assert_eq!(fold("Écho  scan "), "echo scan");
        assert_eq!(fold("Ørsted"), "orsted");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("HRT"), fold("hrt"));
        // Decomposed input folds like composed input.
        assert_eq!(fold("e\u{301}"), fold("é"));
    }

    #[test]
    fn letters_are_folded_and_the_rest_is_hash() {
        let letter = |w: &str| letter_of_folded(&fold(w));
        assert_eq!(letter("Öl"), 'O');
        assert_eq!(letter("écho"), 'E');
        assert_eq!(letter("25-hydroxyvitamin D"), '#');
        assert_eq!(letter("β-blocker"), '#');
        assert_eq!(letter("“Quoted”"), '#');
    }

    #[test]
    fn aliases_are_entries_under_their_own_letter() {
        let mht = ["HRT".to_string(), "hormone therapy".to_string()];
        let terms = [
            ("Menopausal hormone therapy", &mht[..]),
            ("Östrogen", &[][..]),
            ("oestradiol", &[][..]),
            ("1,25-dihydroxy", &[][..]),
        ];
        let index = a_to_z(&terms);
        let shown: Vec<(char, Vec<&str>)> = index
            .iter()
            .map(|(l, list)| (*l, list.iter().map(|e| e.word).collect()))
            .collect();
        assert_eq!(
            shown,
            [
                ('H', vec!["hormone therapy", "HRT"]),
                ('M', vec!["Menopausal hormone therapy"]),
                ('O', vec!["oestradiol", "Östrogen"]),
                ('#', vec!["1,25-dihydroxy"]),
            ]
        );
        let hrt = &index[0].1[1];
        assert!(hrt.alias);
        assert_eq!(hrt.term, 0);
    }
}
