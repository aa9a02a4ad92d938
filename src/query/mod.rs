//! What a front end asks of an archive: documents with their counts, a
//! document's versions with word statistics, a version's text and record,
//! the diff of two addresses with their metadata. The CLI parses, calls
//! these and renders; the web view calls the same functions.
//!
//! An [`Archive`] is `Send` but not `Sync` (its catalog is one SQLite
//! connection): a server opens one per worker thread. Opening reads the
//! marker and opens the catalog; nothing is scanned.

mod collation;
mod compare;
pub mod items;
mod log;
mod similar;

pub use similar::{SimilarError, SimilarTarget, similar_to, story_of};

pub use collation::{CollateError, CollatedCopy, Collation, collation};
pub use compare::{CompareError, ReadAs, SideText, archived_text, diff_texts, given_text};

pub use log::{
    Boilerplate, CaptureSighting, VersionQuery, VersionRow, Window, captures_in, documents_in,
    versions_matching,
};

use std::sync::Arc;

use time::OffsetDateTime;

use crate::diff::{Diff, DiffOptions, count_words, diff};
use crate::id::ObjectId;
use crate::store::StoreError;
use crate::store::catalog::CaptureRow;
use crate::store::{
    Address, Archive, CaptureId, CaptureRecord, DocSummary, History, Resolved, Version,
};

type Result<T> = std::result::Result<T, StoreError>;

/// Every document with its counts and [`title`], by name.
pub fn documents(archive: &Archive) -> Result<Vec<DocSummary>> {
    let mut docs = archive.documents()?;
    for d in docs.iter_mut().filter(|d| d.title.is_none()) {
        if let Some(v) = archive.history(&d.doc)?.versions.last() {
            d.title = title(archive, v)?;
        }
    }
    Ok(docs)
}

/// The one title rule, for every front end: a document's title is its
/// latest version's (never a flagged capture's); a text captured without
/// one (a text file) is titled by its first line, as stories are.
pub fn title(archive: &Archive, latest: &Version) -> Result<Option<String>> {
    if latest.title.is_some() {
        return Ok(latest.title.clone());
    }
    Ok(text(archive, &latest.key)?.and_then(|t| {
        crate::republish::index::first_line(&t, &crate::republish::text::prepare(&t))
    }))
}

/// A text object's text, when it is UTF-8.
pub fn text(archive: &Archive, key: &ObjectId) -> Result<Option<String>> {
    let bytes = archive.read_object(key)?;
    Ok(String::from_utf8(bytes.to_vec()).ok())
}

/// Word count of a version's text: from the cache writers fill, else counted.
pub fn words(archive: &Archive, key: &ObjectId) -> Result<Option<u64>> {
    match archive.cached_words(key)? {
        Some(w) => Ok(Some(w)),
        None => Ok(text(archive, key)?.map(|t| count_words(&t) as u64)),
    }
}

/// Words added and removed from `old` to `new`: from the cache writers
/// fill, else by diffing them (not stored: readers never write).
pub fn change(archive: &Archive, old: &ObjectId, new: &ObjectId) -> Result<Option<(u64, u64)>> {
    if let Some(c) = archive.cached_change(old, new)? {
        return Ok(Some(c));
    }
    Ok(match (text(archive, old)?, text(archive, new)?) {
        (Some(a), Some(b)) => {
            let d = diff(&a, &b, &DiffOptions::default());
            Some((d.stats.words_added as u64, d.stats.words_removed as u64))
        }
        _ => None,
    })
}

/// One version with its statistics.
#[derive(Debug, Clone)]
pub struct VersionStats {
    pub version: Version,
    pub words: Option<u64>,
    /// Words added and removed against the version before (none for the first).
    pub change: Option<(u64, u64)>,
}

/// A document's versions, oldest first, with their statistics. Empty for
/// an unknown document.
pub fn versions(archive: &Archive, doc: &str) -> Result<Vec<VersionStats>> {
    let history = archive.history(doc)?;
    versions_of(archive, &history)
}

/// The versions of a history already read, with their statistics (the
/// unfiltered [`versions_matching`]).
pub fn versions_of(archive: &Archive, history: &History) -> Result<Vec<VersionStats>> {
    let rows = versions_matching(archive, history, &VersionQuery::new(), &Boilerplate::none())?;
    Ok(rows
        .into_iter()
        .map(|r| VersionStats {
            version: r.version,
            words: r.words,
            change: r.change,
        })
        .collect())
}

/// A version (or capture) with its record and text.
#[derive(Debug, Clone)]
pub struct VersionText {
    pub resolved: Resolved,
    pub record: CaptureRecord,
    /// The text versions compare (`None` when the capture has no text).
    pub text: Option<Arc<Vec<u8>>>,
}

/// What `addr` names, with its record and text.
pub fn version(archive: &Archive, addr: &Address) -> Result<VersionText> {
    let resolved = archive.resolve(addr)?;
    let record = archive.record(&resolved.capture)?;
    let text = match record.text {
        Some(t) => Some(archive.read_object(&t)?),
        None => None,
    };
    Ok(VersionText {
        resolved,
        record,
        text,
    })
}

/// Which bytes of a capture [`read`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// The text versions compare (the extracted text, or the captured
    /// bytes when they are the text).
    Text,
    /// The captured bytes exactly.
    Raw,
}

/// A capture as the catalog lists it, with the bytes asked for.
#[derive(Debug, Clone)]
pub struct Read {
    pub resolved: Resolved,
    pub row: CaptureRow,
    pub bytes: Arc<Vec<u8>>,
}

/// The one capture `addr` names, with its document's history.
pub fn resolve(archive: &Archive, addr: &Address) -> Result<Resolved> {
    archive.resolve(addr)
}

/// What `addr` names, with its catalog row and its text (or its captured
/// bytes). Lighter than [`version`]: the capture record is not decoded, so
/// this is the call for reading many versions (`show --batch`).
pub fn read(archive: &Archive, addr: &Address, content: Content) -> Result<Read> {
    let _view = archive.read_view();
    let resolved = archive.resolve(addr)?;
    read_resolved(archive, resolved, content)
}

/// [`read`] for an address already resolved.
pub fn read_resolved(archive: &Archive, resolved: Resolved, content: Content) -> Result<Read> {
    let _view = archive.read_view();
    let row = archive
        .capture_row(&resolved.capture)?
        .ok_or(StoreError::Unindexed(resolved.capture))?;
    let bytes = archive.read_object(match content {
        Content::Text => &row.vkey,
        Content::Raw => &row.content,
    })?;
    Ok(Read {
        resolved,
        row,
        bytes,
    })
}

/// What `addr` names and its capture record.
pub fn record(archive: &Archive, addr: &Address) -> Result<(Resolved, CaptureRecord)> {
    let resolved = archive.resolve(addr)?;
    let record = archive.record(&resolved.capture)?;
    Ok((resolved, record))
}

/// The version before the one `resolved` names (`None` for a first version).
pub fn previous(resolved: &Resolved) -> Option<Resolved> {
    let n = resolved.version.checked_sub(1).filter(|&n| n >= 1)?;
    let prev = resolved.history.versions.get(n as usize - 1)?;
    Some(Resolved {
        doc: resolved.doc.clone(),
        version: prev.number,
        capture: prev.capture,
        label: format!("{}@{}", resolved.doc, prev.number),
        history: resolved.history.clone(),
    })
}

/// One side of a diff: what it is and where it came from.
#[derive(Debug, Clone)]
pub struct Side {
    pub label: String,
    pub capture: CaptureId,
    pub doc: String,
    /// The version the capture belongs to (0 for a flagged or superseded
    /// capture, which is no version's).
    pub version: u64,
    pub captured_at: OffsetDateTime,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
}

impl Side {
    /// Version `v` of `doc` as a diff side (from its history: nothing read).
    pub fn of_version(doc: &str, v: &Version) -> Side {
        Side {
            label: format!("{doc}@{}", v.number),
            capture: v.capture,
            doc: doc.to_owned(),
            version: v.number,
            captured_at: v.captured_at,
            url: v.url.clone(),
            source: v.source.clone(),
            title: v.title.clone(),
        }
    }

    /// The side as the renderers show it.
    pub fn rendered(&self) -> crate::render::Side {
        crate::render::Side {
            label: self.label.clone(),
            id: Some(self.capture.to_string()),
            doc: Some(self.doc.clone()),
            captured_at: Some(crate::when::format_time(self.captured_at)),
            url: self.url.clone(),
            source: self.source.clone(),
            title: self.title.clone(),
        }
    }
}

/// A version's text as one side of a diff, with its metadata (from the
/// catalog: the capture record is not decoded).
pub fn side(archive: &Archive, resolved: Resolved) -> Result<(Side, Arc<Vec<u8>>)> {
    let r = read_resolved(archive, resolved, Content::Text)?;
    let row = r.row;
    Ok((
        Side {
            label: r.resolved.label,
            capture: row.id,
            doc: row.doc,
            version: r.resolved.version,
            captured_at: row.captured_at,
            url: row.url,
            source: row.source,
            title: row.title,
        },
        r.bytes,
    ))
}

/// The diff of two addresses, with both sides' metadata.
#[derive(Debug)]
pub struct AddressDiff {
    pub old: Side,
    pub new: Side,
    pub diff: Diff,
}

/// Diffs the texts `old` and `new` name.
pub fn diff_addresses(
    archive: &Archive,
    old: &Address,
    new: &Address,
    opts: &DiffOptions,
) -> Result<AddressDiff> {
    let (old, a) = side(archive, archive.resolve(old)?)?;
    let (new, b) = side(archive, archive.resolve(new)?)?;
    Ok(AddressDiff {
        old,
        new,
        diff: diff(
            &String::from_utf8_lossy(&a),
            &String::from_utf8_lossy(&b),
            opts,
        ),
    })
}

/// Whether an argument is an http(s) URL (the scheme in any case): the
/// one test every front end uses, that of the address parser.
pub use crate::store::is_url;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::backend::MemBackend;
    use crate::store::{CaptureText, NewCapture};

    fn capture(n: i64, text: &str) -> NewCapture {
        NewCapture {
            doc: "a".parse().unwrap(),
            captured_at: time::macros::datetime!(2019-02-12 12:00 UTC) + time::Duration::hours(n),
            bytes: text.as_bytes().to_vec(),
            media_type: "text/plain".into(),
            text: CaptureText::Bytes,
            url: Some(format!("https://example.org/{n}")),
            source: Some("site".into()),
            title: Some(format!("Title {n}")),
            meta: Default::default(),
        }
    }

    #[test]
    fn versions_with_stats_and_a_diff_with_metadata() {
        let tmp = tempfile::tempdir().unwrap();
        let (archive, _) =
            Archive::init_with_backend(tmp.path(), Box::new(MemBackend::default())).unwrap();
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(capture(0, "one two three")).unwrap();
        w.add(capture(1, "one two four five")).unwrap();
        let added = w.prepare().unwrap();
        crate::capture::cache_stats(w.archive(), &added).unwrap();
        w.commit().unwrap();
        let docs = documents(&archive).unwrap();
        assert_eq!((docs.len(), docs[0].versions), (1, 2));
        let v = versions(&archive, "a").unwrap();
        assert_eq!(v[0].words, Some(3));
        assert_eq!((v[1].words, v[1].change), (Some(4), Some((2, 1))));
        let old: Address = "a@1".parse().unwrap();
        let new: Address = "a@2".parse().unwrap();
        let d = diff_addresses(&archive, &old, &new, &DiffOptions::default()).unwrap();
        assert_eq!(d.old.url.as_deref(), Some("https://example.org/0"));
        assert_eq!(d.new.title.as_deref(), Some("Title 1"));
        assert_eq!(
            (d.diff.stats.words_added, d.diff.stats.words_removed),
            (2, 1)
        );
        let t = version(&archive, &new).unwrap();
        assert_eq!(
            t.text.as_deref().map(Vec::as_slice),
            Some(&b"one two four five"[..])
        );
        assert_eq!(t.record.source.as_deref(), Some("site"));
    }

    #[test]
    fn read_gives_text_or_raw_bytes_and_previous_walks_back() {
        let tmp = tempfile::tempdir().unwrap();
        let (archive, _) =
            Archive::init_with_backend(tmp.path(), Box::new(MemBackend::default())).unwrap();
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(capture(0, "one two three")).unwrap();
        let mut html = capture(1, "<p>one two</p>");
        html.text = CaptureText::Extracted("one two".into());
        w.add(html).unwrap();
        w.commit().unwrap();
        let latest: Address = "a".parse().unwrap();
        let text = read(&archive, &latest, Content::Text).unwrap();
        assert_eq!(text.bytes.as_slice(), b"one two");
        assert_eq!((text.resolved.version, text.row.doc.as_str()), (2, "a"));
        let raw = read(&archive, &latest, Content::Raw).unwrap();
        assert_eq!(raw.bytes.as_slice(), b"<p>one two</p>");
        let prev = previous(&text.resolved).expect("version 2 has a version before it");
        assert_eq!((prev.version, prev.label.as_str()), (1, "a@1"));
        assert!(previous(&prev).is_none());
        let (side, bytes) = side(&archive, prev).unwrap();
        assert_eq!(bytes.as_slice(), b"one two three");
        assert_eq!(side.url.as_deref(), Some("https://example.org/0"));
        let (r, rec) = record(&archive, &latest).unwrap();
        assert_eq!(
            (r.capture, rec.title.as_deref()),
            (raw.row.id, Some("Title 1"))
        );
        let missing: Address = "b".parse().unwrap();
        assert!(read(&archive, &missing, Content::Text).is_err());
    }

    #[test]
    fn filtered_versions_and_documents() {
        let tmp = tempfile::tempdir().unwrap();
        let (archive, _) =
            Archive::init_with_backend(tmp.path(), Box::new(MemBackend::default())).unwrap();
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(capture(0, "The truce holds.")).unwrap();
        w.add(capture(1, "The truce collapsed.")).unwrap();
        w.add(capture(2, "The TRUCE collapsed.")).unwrap();
        w.commit().unwrap();
        let history = archive.history("a").unwrap();
        let numbers = |q: VersionQuery| -> Vec<u64> {
            versions_matching(&archive, &history, &q, &Boilerplate::none())
                .unwrap()
                .iter()
                .map(|r| r.version.number)
                .collect()
        };
        assert_eq!(numbers(VersionQuery::new()), [1, 2, 3]);
        let last = Window {
            max: Some(1),
            ..Window::default()
        };
        assert_eq!(numbers(VersionQuery::new().window(last.clone())), [3]);
        assert_eq!(
            numbers(VersionQuery::new().pickaxe(Some("collapsed".into()))),
            [2]
        );
        let case = DiffOptions {
            ignore_case: true,
            ..DiffOptions::default()
        };
        assert_eq!(
            numbers(VersionQuery::new().options(case).changes_only(true)),
            [1, 2]
        );
        let docs = documents_in(&archive, &last).unwrap();
        assert_eq!(docs.len(), 1);
        let early = Window {
            until: Some(time::macros::datetime!(2019-02-12 11:00 UTC)),
            ..Window::default()
        };
        assert!(documents_in(&archive, &early).unwrap().is_empty());
    }

    #[test]
    fn an_archive_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Archive>();
    }
}
