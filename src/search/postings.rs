//! The index's word lists: each word with the pages that hold it and its
//! weight on each, filled by pages read in parallel.
//!
//! A page gathers its words in [`PageWords`]: one string holding each word
//! once, and a table of where each is with its weight, so a page's words
//! cost no allocation each. [`Postings`] then takes them into lists, one set
//! for each thread, so no thread waits for another, merged at the end. A
//! word's hash is worked out once, on the page.

use std::hash::BuildHasher as _;
use std::sync::{Mutex, PoisonError};

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use super::extract::Weight;

/// A word's pages, each `(page, weight)`.
type List = Vec<(u32, u32)>;

fn hash(word: &str) -> u64 {
    FxBuildHasher.hash_one(word)
}

/// The words of one page, each once, with its weight there.
#[derive(Debug)]
pub struct PageWords {
    text: String,
    /// `(hash, start, end, weight)` of each word in `text`.
    table: HashTable<(u64, u32, u32, Weight)>,
}

/// Room for the words of an article of about a thousand words, so the
/// table rarely grows.
impl Default for PageWords {
    fn default() -> PageWords {
        PageWords {
            text: String::with_capacity(4096),
            table: HashTable::with_capacity(512),
        }
    }
}

impl PageWords {
    /// Adds `weight` to `word`'s weight on the page; `title` if it is in
    /// the title or weighs as much.
    pub fn add(&mut self, word: &str, weight: u32, title: bool) {
        let hash = hash(word);
        let PageWords { text, table } = self;
        // Most words are short: compared a byte at a time, inline, and only
        // once their whole hashes agree.
        let same = |&(h, start, end, _): &(u64, u32, u32, Weight)| {
            h == hash && {
                let held = &text.as_bytes()[start as usize..end as usize];
                held.len() == word.len() && held.iter().zip(word.as_bytes()).all(|(a, b)| a == b)
            }
        };
        if let Some((_, _, _, w)) = table.find_mut(hash, same) {
            w.sum += weight;
            w.title |= title;
            return;
        }
        let start = text.len() as u32;
        text.push_str(word);
        let entry = (
            hash,
            start,
            text.len() as u32,
            Weight { sum: weight, title },
        );
        table.insert_unique(hash, entry, |&(hash, ..)| hash);
    }

    /// Each word with its weight, in no order.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (&str, Weight)> {
        (self.table.iter()).map(|&(_, start, end, w)| (&self.text[start as usize..end as usize], w))
    }

    #[cfg(test)]
    pub fn get(&self, word: &str) -> Option<Weight> {
        self.iter()
            .find(|(w, _)| *w == word)
            .map(|(_, weight)| weight)
    }
}

/// A part of the lists: `(hash, word, list)`.
type Part = HashTable<(u64, Box<str>, List)>;

/// The lists, in one part for each thread that adds pages, so that adding
/// never waits on another thread: the parts are merged once, at the end.
pub(super) struct Postings {
    parts: Vec<Mutex<Part>>,
}

impl Default for Postings {
    fn default() -> Postings {
        // One more for a caller outside the thread pool.
        let parts = rayon::current_num_threads() + 1;
        Postings {
            parts: (0..parts).map(|_| Mutex::default()).collect(),
        }
    }
}

impl Postings {
    /// Adds the `words` of the page in `slot` (its place among the site's
    /// outputs, in path order).
    pub(super) fn add(&self, slot: u32, words: &PageWords) {
        let part = rayon::current_thread_index()
            .map_or(self.parts.len() - 1, |i| i.min(self.parts.len() - 1));
        let mut table = self.parts[part]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for &(hash, start, end, weight) in &words.table {
            let word = &words.text[start as usize..end as usize];
            let value = weight.sum * 2 + u32::from(weight.title);
            push(&mut table, hash, word, |pages| pages.push((slot, value)));
        }
    }

    /// Every word in order, each with its pages in order, numbered by
    /// `number` (the page number of each slot).
    pub(super) fn sorted(self, number: &[u32]) -> Vec<(Box<str>, List)> {
        let mut parts = (self.parts.into_iter())
            .map(|part| part.into_inner().unwrap_or_else(PoisonError::into_inner));
        let mut all = parts.next().unwrap_or_default();
        for part in parts {
            for (hash, word, mut list) in part {
                push(&mut all, hash, &word, |pages| pages.append(&mut list));
            }
        }
        let mut words: Vec<(Box<str>, List)> = all
            .into_iter()
            .map(|(_, word, list)| (word, list))
            .collect();
        words.par_iter_mut().for_each(|(_, list)| {
            for (page, _) in list.iter_mut() {
                *page = number[*page as usize];
            }
            list.sort_unstable();
        });
        words.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        words
    }
}

/// Adds to `word`'s list in `table` with `add`, making the list if new.
fn push(table: &mut Part, hash: u64, word: &str, add: impl FnOnce(&mut List)) {
    match table.find_mut(hash, |(_, w, _)| &**w == word) {
        Some((_, _, pages)) => add(pages),
        None => {
            let mut pages = List::new();
            add(&mut pages);
            table.insert_unique(hash, (hash, Box::from(word), pages), |&(hash, ..)| hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_adds_up_each_words_weight() {
        let mut words = PageWords::default();
        words.add("bone", 1, false);
        words.add("hip", 7, true);
        words.add("bone", 6, false);
        words.add("ünïcödé", 1, false);
        assert_eq!(
            words.get("bone"),
            Some(Weight {
                sum: 7,
                title: false
            })
        );
        assert_eq!(
            words.get("hip"),
            Some(Weight {
                sum: 7,
                title: true
            })
        );
        assert_eq!(
            words.get("ünïcödé"),
            Some(Weight {
                sum: 1,
                title: false
            })
        );
        assert_eq!(words.iter().count(), 3);
    }

    #[test]
    fn lists_are_numbered_and_sorted() {
        let postings = Postings::default();
        for slot in [5, 2, 9] {
            let mut words = PageWords::default();
            words.add("bone", slot, false);
            if slot != 2 {
                words.add("hip", 1, true);
            }
            postings.add(slot, &words);
        }
        // Slots 2, 5 and 9 are pages 0, 1 and 2.
        let mut number = vec![0; 10];
        (number[2], number[5], number[9]) = (0, 1, 2);
        let sorted = postings.sorted(&number);
        let words: Vec<&str> = sorted.iter().map(|(w, _)| &**w).collect();
        assert_eq!(words, ["bone", "hip"]);
        assert_eq!(sorted[0].1, [(0, 4), (1, 10), (2, 18)]);
        assert_eq!(sorted[1].1, [(1, 3), (2, 3)]);
    }
}
