//! Republication intelligence: finding the copies of a text among archived
//! documents (`similar`), grouping them into stories, collating them
//! paragraph by paragraph, and learning each source's boilerplate.
//!
//! Everything works on the extracted text of each document's latest
//! version, in the similarity index ([`index`]), a cache in its own SQLite
//! file kept beside the catalog and caught up from the archive log.

mod bands;
pub mod boilerplate;
pub mod collate;
mod error;
pub mod index;
pub mod lineage;
pub mod minhash;
pub mod score;
pub mod stories;
pub mod text;

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;
use std::sync::Arc;

use crate::id::ObjectId;
use crate::store::Archive;
use crate::store::StoreError;

pub use error::IndexError;
pub use index::{DocEntry, Index, IndexedDoc};
pub use score::{Overlap, ParaMatch, Prepared, overlap};
pub use stories::{Story, stories, story_of};
pub use text::TextSource;

type Result<T> = std::result::Result<T, StoreError>;

fn index_error(archive: &Archive) -> impl Fn(IndexError) -> StoreError + '_ {
    move |IndexError(source)| StoreError::Catalog {
        path: archive.dir().join(index::FILE),
        source,
    }
}

/// The similarity index of `archive`, caught up with its log and saved:
/// for writers (`add`, `import`, `reindex`). Built in memory when the store
/// cannot be written; started afresh when the file is damaged.
pub fn open_index(archive: &Archive) -> Result<Index> {
    let path = archive.dir().join(index::FILE);
    let err = index_error(archive);
    let open = || match Index::open(&path) {
        Ok(i) => Ok(i),
        Err(_) => Index::in_memory().map_err(&err),
    };
    let index = open()?;
    match catch_up(archive, &index) {
        Ok(_) => return Ok(index),
        Err(CatchUp::Store(e)) => return Err(e),
        Err(CatchUp::Index(_)) => {
            // Damaged: started afresh, once.
            drop(index);
            index::remove(&path);
        }
    }
    let index = open()?;
    match catch_up(archive, &index) {
        Ok(_) => Ok(index),
        Err(CatchUp::Store(e)) => Err(e),
        Err(CatchUp::Index(e)) => Err(err(e)),
    }
}

/// The similarity index for a reader, which never writes the store: the
/// index file when it is current, else one built in memory (the next
/// `add`, `import` or `reindex` brings the file up to date).
pub fn read_index(archive: &Archive) -> Result<Index> {
    let path = archive.dir().join(index::FILE);
    let err = index_error(archive);
    if path.is_file()
        && let Ok(index) = Index::open_read_only(&path)
    {
        let mark = index.mark().unwrap_or(0) as usize;
        let (logged, unlogged) = archive.log_counts()?;
        if unlogged == 0 && mark == logged {
            return Ok(index);
        }
    }
    let index = Index::in_memory().map_err(&err)?;
    match catch_up(archive, &index) {
        Ok(_) => Ok(index),
        Err(CatchUp::Store(e)) => Err(e),
        Err(CatchUp::Index(e)) => Err(err(e)),
    }
}

/// Rebuilds the index from the objects (after `reindex`).
pub fn rebuild_index(archive: &Archive) -> Result<Index> {
    index::remove(&archive.dir().join(index::FILE));
    open_index(archive)
}

enum CatchUp {
    Store(StoreError),
    Index(IndexError),
}

impl From<StoreError> for CatchUp {
    fn from(e: StoreError) -> Self {
        CatchUp::Store(e)
    }
}

impl From<IndexError> for CatchUp {
    fn from(e: IndexError) -> Self {
        CatchUp::Index(e)
    }
}

impl From<rusqlite::Error> for CatchUp {
    fn from(e: rusqlite::Error) -> Self {
        CatchUp::Index(e.into())
    }
}

/// Takes in what the archive log holds beyond the index's mark: the
/// documents of the new captures, at their latest versions.
fn catch_up(archive: &Archive, index: &Index) -> std::result::Result<usize, CatchUp> {
    let (logged, unlogged) = archive.log_counts()?;
    if index.mark()? as usize == logged && unlogged == 0 {
        return Ok(0);
    }
    let _paused = archive.pause_view();
    index.begin()?;
    let run = || -> std::result::Result<usize, CatchUp> {
        let mut mark = index.mark()? as usize;
        // Read again inside the write: another writer may have caught up.
        let (new, logged, unlogged) = archive.log_since(mark)?;
        if mark > logged {
            // Another archive's log, or one rebuilt shorter: start afresh.
            index.clear()?;
            mark = 0;
        }
        let docs: BTreeSet<String> = if mark == 0 || unlogged > 0 {
            archive.documents()?.into_iter().map(|d| d.doc).collect()
        } else {
            let mut docs = BTreeSet::new();
            for id in &new {
                if let Some(row) = archive.capture_row(id)? {
                    docs.insert(row.doc);
                }
            }
            docs
        };
        let mut entries = Vec::with_capacity(docs.len());
        for doc in docs {
            if let Some(e) = entry(archive, &doc)? {
                entries.push(e);
            }
        }
        let mut texts = store_texts(archive);
        let n = index.upsert(entries, &mut |k| texts(k).map(|t| t.as_ref().clone()))?;
        index.set_mark(logged as u64)?;
        Ok(n)
    };
    match run() {
        Ok(n) => {
            index.commit()?;
            Ok(n)
        }
        Err(e) => {
            index.rollback();
            Err(e)
        }
    }
}

/// A document as the index takes it: its latest version's text, source and
/// title, its first capture.
fn entry(archive: &Archive, doc: &str) -> Result<Option<DocEntry>> {
    let history = archive.history(doc)?;
    let (Some(first), Some(last)) = (history.versions.first(), history.versions.last()) else {
        return Ok(None);
    };
    Ok(Some(DocEntry {
        doc: doc.to_owned(),
        key: last.key.to_hex(),
        source: text::source_key(last.source.as_deref(), last.url.as_deref()),
        first_at: (first.captured_at.unix_timestamp_nanos())
            .clamp(i64::MIN as i128, i64::MAX as i128) as i64,
        capture: first.capture.to_string(),
        title: last.title.clone().or_else(|| first.title.clone()),
    }))
}

/// Reads text objects from the store (UTF-8 only; anything else, or an
/// object that cannot be read, is no text: `verify` reports damage).
pub fn store_texts(archive: &Archive) -> impl FnMut(&str) -> Option<Arc<String>> + '_ {
    let mut cache: HashMap<String, Option<Arc<String>>> = HashMap::new();
    move |key: &str| {
        if let Some(t) = cache.get(key) {
            return t.clone();
        }
        let t = ObjectId::from_str(key)
            .ok()
            .and_then(|id| archive.read_object(&id).ok())
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
            .map(Arc::new);
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.insert(key.to_owned(), t.clone());
        t
    }
}

/// A text prepared for comparison: without any source's boilerplate (a
/// site's footer is boilerplate wherever it travels: a copy of a Global
/// Research article elsewhere still carries Global Research's footer).
pub fn prepare_text(index: &Index, text: &str) -> std::result::Result<Prepared, IndexError> {
    Ok(Prepared::new(
        text::prepare(text),
        &index.any_boilerplate()?,
    ))
}

/// An archived document that shares text with the query.
#[derive(Debug, Clone)]
pub struct Similar {
    pub doc: IndexedDoc,
    /// A is the query, B this document.
    pub overlap: Overlap,
    pub text: Arc<String>,
    pub prepared: Prepared,
}

/// Candidates scored exactly per query, at most.
pub const MAX_CANDIDATES: usize = 64;
/// Below this containment either way, a candidate is not reported.
pub const MIN_CONTAINMENT: f64 = 0.05;

/// The `n` archived documents sharing most text with `query` (by the larger
/// containment), without `exclude` (the query's own document).
pub fn similar(
    index: &Index,
    query: &Prepared,
    exclude: Option<i64>,
    n: usize,
    texts: &mut TextSource,
) -> std::result::Result<Vec<Similar>, IndexError> {
    let sig = minhash::signature(&query.set);
    let bp = index.any_boilerplate()?;
    let mut out = Vec::new();
    if query.set.is_empty() {
        return Ok(out);
    }
    for (id, _) in index
        .candidates(&sig)?
        .into_iter()
        .filter(|(id, _)| Some(*id) != exclude)
        .take(MAX_CANDIDATES.max(n * 4))
    {
        let Some(doc) = index.doc_by_id(id)? else {
            continue;
        };
        let text = texts(&doc.entry.key).unwrap_or_default();
        let prepared = Prepared::new(text::prepare(&text), &bp);
        let overlap = overlap(query, &prepared);
        if overlap.shared > 0 && overlap.containment() >= MIN_CONTAINMENT {
            out.push(Similar {
                doc,
                overlap,
                text,
                prepared,
            });
        }
    }
    out.sort_by(|a, b| {
        b.overlap
            .containment()
            .total_cmp(&a.overlap.containment())
            .then(b.overlap.shared.cmp(&a.overlap.shared))
            .then(a.doc.entry.first_at.cmp(&b.doc.entry.first_at))
    });
    out.truncate(n);
    Ok(out)
}

/// The story an archived document belongs to (`None` when the index does
/// not hold it: no version with text).
pub fn story_for_doc(archive: &Archive, index: &Index, doc: &str) -> Result<Option<Story>> {
    let err = index_error(archive);
    let _view = archive.read_view();
    index.reading(|| {
        let Some(d) = index.doc(doc).map_err(&err)? else {
            return Ok(None);
        };
        let mut texts = store_texts(archive);
        Ok(Some(story_of(index, &d, &mut texts).map_err(&err)?))
    })
}
