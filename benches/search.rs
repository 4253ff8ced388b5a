//! What the search index costs a reader: the bytes one search downloads,
//! worked out from the files of a built site's `pagefind/` folder.
//!
//! A search loads Pagefind's script, its worker and WebAssembly, the entry
//! and the metadata (`*.pf_meta`), then the index chunks that can hold the
//! query's words, then one fragment per result shown (the search page shows
//! ten at a time). Which chunks a word needs is read from the metadata: each
//! chunk covers a range of words, `from` to `to`, and a word needs every
//! chunk whose range holds a word that starts with it (Pagefind matches the
//! last word of a query as a prefix), so this never counts too few.

use std::fs;
use std::io::Read;
use std::path::Path;

/// What one search downloads, in bytes, and how that splits.
pub struct QueryBytes {
    pub total: u64,
    /// Scripts, WebAssembly, entry and metadata: the same for every search.
    pub fixed: u64,
    pub chunks: usize,
    pub chunk_bytes: u64,
    pub fragment_bytes: u64,
}

/// The size of the index on disk: its files and their bytes.
pub fn index_size(out: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![out.join("pagefind")];
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

/// The bytes a search for `stems` (the query's words as Pagefind indexes
/// them, stemmed: `fractur`) downloads from the built site `out`, with
/// `results` fragments at their mean size.
pub fn query_bytes(out: &Path, stems: &[&str], results: u64) -> Result<QueryBytes, String> {
    let dir = out.join("pagefind");
    let size = |p: &Path| {
        fs::metadata(p)
            .map(|m| m.len())
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    let mut fixed = 0;
    let mut meta = None;
    for entry in fs::read_dir(&dir).map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = matches!(
            name.as_str(),
            "pagefind.js" | "pagefind-worker.js" | "pagefind-entry.json"
        ) || name.starts_with("wasm.")
            || name.ends_with(".pf_meta");
        if wanted {
            fixed += size(&entry.path())?;
        }
        if name.ends_with(".pf_meta") {
            meta = Some(entry.path());
        }
    }
    // The search page's own script.
    for entry in fs::read_dir(out).map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("search.") && name.ends_with(".js") {
            fixed += size(&entry.path())?;
        }
    }
    let meta = meta.ok_or("no .pf_meta file")?;
    let chunks = index_chunks(&fs::read(&meta).map_err(|e| e.to_string())?)?;
    let mut needed: Vec<&(String, String, String)> = chunks
        .iter()
        .filter(|(from, to, _)| {
            stems.iter().any(|w| {
                // Some word starting with `w` lies in from..=to.
                let w = w.to_string();
                to.as_str() >= w.as_str() && (from.as_str() <= w.as_str() || from.starts_with(&w))
            })
        })
        .collect();
    needed.dedup();
    let mut chunk_bytes = 0;
    for (_, _, hash) in &needed {
        chunk_bytes += size(&dir.join("index").join(format!("{hash}.pf_index")))?;
    }
    let (mut fragments, mut fragment_total) = (0u64, 0u64);
    for entry in fs::read_dir(dir.join("fragment"))
        .map_err(|e| e.to_string())?
        .flatten()
    {
        fragments += 1;
        fragment_total += size(&entry.path())?;
    }
    let fragment_bytes = fragment_total * results.min(fragments) / fragments.max(1);
    Ok(QueryBytes {
        total: fixed + chunk_bytes + fragment_bytes,
        fixed,
        chunks: needed.len(),
        chunk_bytes,
        fragment_bytes,
    })
}

/// The index chunks `(from, to, hash)` the metadata lists: gzip, then
/// `pagefind_dcd`, then CBOR `[version, pages, chunks, …]`.
fn index_chunks(gzipped: &[u8]) -> Result<Vec<(String, String, String)>, String> {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(gzipped)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    let cbor = bytes.strip_prefix(b"pagefind_dcd").ok_or("no signature")?;
    let Cbor::Array(meta) = Cbor::read(cbor, &mut 0)? else {
        return Err("the metadata is not an array".into());
    };
    let Some(Cbor::Array(chunks)) = meta.get(2) else {
        return Err("the metadata has no chunks".into());
    };
    chunks
        .iter()
        .map(|chunk| match chunk {
            Cbor::Array(c) => match &c[..] {
                [Cbor::Text(from), Cbor::Text(to), Cbor::Text(hash), ..] => {
                    Ok((from.clone(), to.clone(), hash.clone()))
                }
                _ => Err("a chunk is not [from, to, hash]".to_string()),
            },
            _ => Err("a chunk is not an array".to_string()),
        })
        .collect()
}

/// The little of CBOR the metadata uses.
enum Cbor {
    Int,
    Text(String),
    Array(Vec<Cbor>),
    Other,
}

impl Cbor {
    fn read(b: &[u8], at: &mut usize) -> Result<Cbor, String> {
        let byte = *b.get(*at).ok_or("truncated")?;
        *at += 1;
        let (major, info) = (byte >> 5, byte & 0x1f);
        let mut arg = |info: u8| -> Result<u64, String> {
            let n = match info {
                0..=23 => return Ok(u64::from(info)),
                24 => 1,
                25 => 2,
                26 => 4,
                27 => 8,
                _ => return Err(format!("unsupported CBOR length {info}")),
            };
            let bytes = b.get(*at..*at + n).ok_or("truncated")?;
            *at += n;
            Ok(bytes.iter().fold(0, |v, &x| v << 8 | u64::from(x)))
        };
        Ok(match major {
            0 | 1 => {
                arg(info)?;
                Cbor::Int
            }
            2 | 3 => {
                let n = arg(info)? as usize;
                let bytes = b.get(*at..*at + n).ok_or("truncated")?;
                *at += n;
                match major {
                    3 => Cbor::Text(String::from_utf8_lossy(bytes).into_owned()),
                    _ => Cbor::Other,
                }
            }
            4 => {
                let n = arg(info)?;
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(Cbor::read(b, at)?);
                }
                Cbor::Array(items)
            }
            5 => {
                let n = arg(info)?;
                for _ in 0..2 * n {
                    Cbor::read(b, at)?;
                }
                Cbor::Other
            }
            6 => {
                arg(info)?;
                Cbor::read(b, at)?
            }
            _ => {
                arg(info)?;
                Cbor::Other
            }
        })
    }
}
