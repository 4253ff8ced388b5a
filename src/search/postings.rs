//! The index's word lists: each word with the pages that hold it and its
//! weight on each, filled by pages read in parallel. The lists are split
//! into shards by word, each behind its own lock, so two threads rarely wait
//! for each other, and no page keeps its words once they are added.

use std::hash::BuildHasher as _;
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::extract::Weight;

/// Locks enough for two cores, or twenty, to rarely meet.
const SHARDS: usize = 64;

/// A word's pages, each `(page, weight)`.
type List = Vec<(u32, u32)>;

pub(super) struct Postings {
    shards: [Mutex<FxHashMap<Box<str>, List>>; SHARDS],
}

impl Default for Postings {
    fn default() -> Postings {
        Postings {
            shards: std::array::from_fn(|_| Mutex::default()),
        }
    }
}

impl Postings {
    /// Adds the words of the page in `slot` (its place among the site's
    /// outputs, in path order), with their weights.
    pub(super) fn add(&self, slot: u32, words: FxHashMap<String, Weight>) {
        let mut by_shard: Vec<Vec<(String, u32)>> = Vec::new();
        by_shard.resize_with(SHARDS, Vec::new);
        for (word, weight) in words {
            let shard = FxBuildHasher.hash_one(word.as_str()) as usize % SHARDS;
            by_shard[shard].push((word, weight.sum * 2 + u32::from(weight.title)));
        }
        for (shard, list) in by_shard.into_iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let mut map = self.shards[shard]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            for (word, value) in list {
                // Most words are in the index already: only a new one is kept.
                match map.get_mut(word.as_str()) {
                    Some(pages) => pages.push((slot, value)),
                    None => {
                        map.insert(word.into_boxed_str(), vec![(slot, value)]);
                    }
                }
            }
        }
    }

    /// Every word in order, each with its pages in order, numbered by
    /// `number` (the page number of each slot).
    pub(super) fn sorted(self, number: &[u32]) -> Vec<(Box<str>, List)> {
        let mut words: Vec<(Box<str>, List)> = self
            .shards
            .into_iter()
            .flat_map(|shard| shard.into_inner().unwrap_or_else(PoisonError::into_inner))
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
