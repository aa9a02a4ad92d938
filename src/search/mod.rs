//! Full-text search over every archived version (library: never prints).
//!
//! A hit is one paragraph of one document: the paragraph (markup-normalized,
//! see [`text`]) holds every term of the query. It carries the versions of
//! the document whose text holds that paragraph, whether the current text
//! does, when it was first and last seen, a snippet with the matches marked,
//! and its bm25 score. By default only paragraphs of current texts are hits;
//! with `all_versions`, paragraphs that only older versions hold (removed
//! text) are too.
//!
//! The index ([`index`]) is a rebuildable cache in the store directory,
//! brought up to date on open.

mod build;
mod error;
pub mod index;
pub mod query;
mod rows;
pub mod text;
mod types;

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rusqlite::{OptionalExtension, params};

use crate::id::ObjectId;
use crate::store::{Archive, History, catalog::from_nanos};

pub use error::{SearchError, SearchErrorKind};
pub use index::{CatchUp, Index, IndexStats, rebuild};
pub use query::QueryError;
pub use types::{DEFAULT_LIMIT, Hit, MAX_LIMIT, SearchQuery, SnippetPart};

/// Searches the archive (opening its index, which catches up first).
pub fn search(archive: &Archive, q: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
    let terms = query::parse(&q.text)?;
    check_doc(archive, q)?;
    let index = Index::open(archive, &mut |_, _| {})?;
    index.search_terms(archive, &terms, q)
}

/// The size and contents of the archive's index (opening it first).
pub fn stats(archive: &Archive) -> Result<IndexStats, SearchError> {
    Index::open(archive, &mut |_, _| {})?.stats()
}

/// An error when `q.doc` names no document.
pub fn check_doc(archive: &Archive, q: &SearchQuery) -> Result<(), SearchError> {
    let Some(doc) = &q.doc else { return Ok(()) };
    if !archive.history(doc)?.versions.is_empty() {
        return Ok(());
    }
    let mut near: Vec<(f64, String)> = archive
        .documents()?
        .into_iter()
        .map(|d| (strsim::jaro_winkler(doc, &d.doc), d.doc))
        .filter(|(s, _)| *s > 0.8)
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    Err(SearchError::UnknownDoc {
        doc: doc.clone(),
        suggestions: near.into_iter().take(3).map(|(_, d)| d).collect(),
    })
}

/// A document's versions by text, read once per search.
struct DocInfo {
    history: Arc<History>,
    by_key: HashMap<ObjectId, Vec<u64>>,
}

impl Index {
    /// Runs a query on this index (the parsed form of `q.text`).
    pub fn search(&self, archive: &Archive, q: &SearchQuery) -> Result<Vec<Hit>, SearchError> {
        let terms = query::parse(&q.text)?;
        check_doc(archive, q)?;
        self.search_terms(archive, &terms, q)
    }

    /// Runs `q` `n` times with the index open, as a server would: the
    /// median and 99th-percentile latency in microseconds (benchmarks).
    pub fn latency(
        &self,
        archive: &Archive,
        q: &SearchQuery,
        n: usize,
    ) -> Result<(f64, f64), SearchError> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let t = std::time::Instant::now();
            self.search(archive, q)?;
            times.push(t.elapsed());
        }
        times.sort();
        let pct = |p: f64| {
            times
                .get(((times.len() as f64 * p).ceil() as usize).saturating_sub(1))
                .map_or(0.0, |d| d.as_secs_f64() * 1e6)
        };
        Ok((pct(0.50), pct(0.99)))
    }

    /// What opening the index took worth telling: a damaged index deleted
    /// and rebuilt, a catch-up, an index kept only in memory.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(why) = &self.discarded {
            notes.push(format!(
                "the search index was unusable ({why}); it was deleted and rebuilt"
            ));
        }
        if let Some(c) = self.caught_up {
            notes.push(format!(
                "{} the search index: {} text(s), {} new paragraph(s) in {:.2} s",
                if c.rebuilt { "built" } else { "updated" },
                c.texts,
                c.paragraphs,
                c.elapsed.as_secs_f64()
            ));
        }
        if let Some(why) = &self.memory_reason {
            notes.push(format!(
                "the search index was built in memory and not kept, as the store's cannot be \
                 written ({why})"
            ));
        }
        notes
    }

    fn search_terms(
        &self,
        archive: &Archive,
        terms: &[query::Term],
        q: &SearchQuery,
    ) -> Result<Vec<Hit>, SearchError> {
        let limit = match q.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let err = |source| SearchError::Index {
            path: self.path.clone().unwrap_or_else(|| ":memory:".into()),
            source,
        };
        let expr = query::fts_expression(terms);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ?1 ORDER BY bm25(fts)",
            )
            .map_err(err)?;
        let mut rows = stmt.query([&expr]).map_err(err)?;
        let mut para = self
            .conn
            .prepare_cached("SELECT tns, tn, n FROM paras WHERE pn = ?1")
            .map_err(err)?;
        let mut docs: HashMap<String, DocInfo> = HashMap::new();
        // (hit, where to read its paragraph)
        let mut hits: Vec<(Hit, (i64, i64))> = Vec::new();
        'rows: while let Some(r) = rows.next().map_err(err)? {
            let h: i64 = r.get(0).map_err(err)?;
            let bm25: f64 = r.get(1).map_err(err)?;
            let Some((blob, tn, n)) = para
                .query_row(params![h], |r| {
                    Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
                })
                .optional()
                .map_err(err)?
            else {
                continue;
            };
            let tns = rows::decode_tns(&blob);
            // Documents holding the paragraph, each with its texts here.
            let mut by_doc: HashMap<&str, Vec<ObjectId>> = HashMap::new();
            for t in &tns {
                let Some(id) = self.texts.get(t) else {
                    continue;
                };
                for d in self.docs_of.get(t).into_iter().flatten() {
                    if q.doc.as_deref().is_some_and(|want| want != d) {
                        continue;
                    }
                    by_doc.entry(d.as_str()).or_default().push(*id);
                }
            }
            let mut names: Vec<&str> = by_doc.keys().copied().collect();
            names.sort_unstable();
            for name in names {
                if !docs.contains_key(name) {
                    let history = archive.history(name)?;
                    let mut by_key: HashMap<ObjectId, Vec<u64>> = HashMap::new();
                    for v in &history.versions {
                        by_key.entry(v.key).or_default().push(v.number);
                    }
                    docs.insert(name.to_owned(), DocInfo { history, by_key });
                }
                let info = &docs[name];
                let Some(hit) = hit_in(name, info, &by_doc[name], -bm25) else {
                    continue;
                };
                if !hit.current && !q.all_versions {
                    continue;
                }
                hits.push((hit, (tn, n)));
                if hits.len() >= limit {
                    break 'rows;
                }
            }
        }
        drop(rows);
        let mut read: HashMap<i64, Option<Arc<Vec<u8>>>> = HashMap::new();
        let mut out = Vec::with_capacity(hits.len());
        let snippet_terms: Vec<(Vec<String>, bool)> =
            terms.iter().map(|t| (t.words.clone(), t.prefix)).collect();
        for (mut hit, (tn, n)) in hits {
            if let std::collections::hash_map::Entry::Vacant(e) = read.entry(tn) {
                let bytes = match self.texts.get(&tn) {
                    Some(id) => Some(archive.read_object(id)?),
                    None => None,
                };
                e.insert(bytes);
            }
            let paragraph = read[&tn]
                .as_deref()
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(|t| text::paragraph(t, n as usize))
                .unwrap_or_default();
            hit.snippet = text::snippet(&paragraph, &snippet_terms);
            out.push(hit);
        }
        Ok(out)
    }
}

/// The hit of a paragraph in a document, from the texts of the document
/// that hold it (`None` when no version has them: the catalog changed).
fn hit_in(doc: &str, info: &DocInfo, texts: &[ObjectId], score: f64) -> Option<Hit> {
    let set: BTreeSet<u64> = texts
        .iter()
        .filter_map(|t| info.by_key.get(t))
        .flatten()
        .copied()
        .collect();
    if set.is_empty() {
        return None;
    }
    let versions: Vec<u64> = set.into_iter().collect();
    let h = &info.history;
    let latest = h.versions.len() as u64;
    let current = versions.last() == Some(&latest);
    let seen: Vec<i128> = h
        .captures
        .iter()
        .filter(|(_, _, v)| versions.binary_search(v).is_ok())
        .map(|(_, at, _)| *at)
        .collect();
    let first_seen = from_nanos(*seen.iter().min()?);
    let last_seen = from_nanos(*seen.iter().max()?);
    let last = *versions.last()?;
    let removed_at = if current {
        None
    } else {
        h.versions.get(last as usize).map(|v| v.captured_at)
    };
    Some(Hit {
        doc: doc.to_owned(),
        versions,
        current,
        first_seen,
        last_seen,
        snippet: Vec::new(),
        score,
        removed_at,
    })
}
