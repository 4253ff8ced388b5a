//! What the search index costs a reader: the bytes one search downloads,
//! worked out from the files of a built site's `search-index/` folder as
//! `static/search.js` asks for them.
//!
//! A search loads the search page's script, the manifest, the chunk of each
//! word of the query (the chunk whose first word is the last one not after
//! the word; for the query's last word, also the chunks after it whose first
//! word starts with it), then the result cards of the first ten results:
//! at most ten files of cards, counted at their mean size.

use std::fs;
use std::path::Path;

use serde_json::Value;

/// What one search downloads, in bytes, and how that splits.
pub struct QueryBytes {
    pub total: u64,
    /// The search page's script and the manifest.
    pub fixed: u64,
    pub chunks: usize,
    pub chunk_bytes: u64,
    pub card_bytes: u64,
}

/// The size of the index on disk: its files and their bytes.
pub fn index_size(out: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![out.join("search-index")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    (files, bytes)
}

/// The bytes a search for `words` (as the index holds them: folded and
/// stemmed) downloads from the built site `out`, with `results` results shown.
pub fn query_bytes(out: &Path, words: &[&str], results: u64) -> Result<QueryBytes, String> {
    let dir = out.join("search-index");
    let size = |p: &Path| {
        fs::metadata(p)
            .map(|m| m.len())
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    let manifest_path = dir.join("manifest.json");
    let mut fixed = size(&manifest_path)?;
    for entry in fs::read_dir(out).map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("search.") && name.ends_with(".js") {
            fixed += size(&entry.path())?;
        }
    }
    let manifest: Value =
        serde_json::from_slice(&fs::read(&manifest_path).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let chunks: Vec<(String, String)> = manifest["chunks"]
        .as_array()
        .ok_or("no chunks")?
        .iter()
        .map(|c| {
            (
                c[0].as_str().unwrap_or("").to_string(),
                c[1].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut needed: Vec<&str> = Vec::new();
    for (k, word) in words.iter().enumerate() {
        let prefix = k + 1 == words.len() && word.len() > 1;
        let mut i = 0;
        while i + 1 < chunks.len() && chunks[i + 1].0.as_str() <= *word {
            i += 1;
        }
        needed.push(&chunks[i].1);
        let mut j = i + 1;
        while prefix && j < chunks.len() && chunks[j].0.starts_with(word) {
            needed.push(&chunks[j].1);
            j += 1;
        }
    }
    needed.sort_unstable();
    needed.dedup();
    let mut chunk_bytes = 0;
    for hash in &needed {
        chunk_bytes += size(&dir.join("w").join(format!("{hash}.json")))?;
    }
    let (mut groups, mut group_total) = (0u64, 0u64);
    for entry in fs::read_dir(dir.join("p"))
        .map_err(|e| e.to_string())?
        .flatten()
    {
        groups += 1;
        group_total += size(&entry.path())?;
    }
    let card_bytes = group_total * results.min(groups) / groups.max(1);
    Ok(QueryBytes {
        total: fixed + chunk_bytes + card_bytes,
        fixed,
        chunks: needed.len(),
        chunk_bytes,
        card_bytes,
    })
}
