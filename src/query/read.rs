//! A version's text, record and statistics, and the diff of two addresses.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::diff::{Diff, DiffOptions, count_words, diff};
use crate::id::ObjectId;
use crate::republish::text::first_line_title;
use crate::store::StoreError;
use crate::store::catalog::CaptureRow;
use crate::store::{Address, Archive, CaptureId, CaptureRecord, DocSummary, Resolved, Version};

type Result<T> = std::result::Result<T, StoreError>;

/// Every document with its counts and [`title`], by name.
pub fn documents(archive: &Archive) -> Result<Vec<DocSummary>> {
    documents_titled(archive, &mut |key| text_title(archive, key))
}

/// [`documents`], titling an untitled document by `title_of` its latest
/// text (a long-running front end remembers the first lines it read).
pub fn documents_titled(
    archive: &Archive,
    title_of: &mut dyn FnMut(&ObjectId) -> Result<Option<String>>,
) -> Result<Vec<DocSummary>> {
    let mut docs = archive.documents()?;
    for d in docs.iter_mut().filter(|d| d.title.is_none()) {
        if let Some(key) = d.latest_text {
            d.title = title_of(&key)?;
        }
    }
    Ok(docs)
}

/// The first line of a text (the title of an untitled document).
pub fn text_title(archive: &Archive, key: &ObjectId) -> Result<Option<String>> {
    Ok(text(archive, key)?.and_then(|t| first_line_title(&t)))
}

/// The one title rule, for every front end: a document's title is its
/// latest version's (never a flagged capture's); a text captured without
/// one (a text file) is titled by its first line, as stories are.
pub fn title(archive: &Archive, latest: &Version) -> Result<Option<String>> {
    if latest.title.is_some() {
        return Ok(latest.title.clone());
    }
    text_title(archive, &latest.key)
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

/// What `addr` names and its text (or captured bytes), as [`read`] without
/// the catalog row: `show`'s read (#29). A version's text is named by its
/// document's history, already read to resolve `addr`, so the capture's row
/// (a five-table query) is looked up only for the captured bytes or for a
/// capture that is no version's (flagged, superseded).
pub fn read_shown(archive: &Archive, addr: &Address, content: Content) -> Result<Shown> {
    let _view = archive.read_view();
    let resolved = archive.resolve(addr)?;
    let text = match content {
        Content::Text => resolved
            .version
            .checked_sub(1)
            .and_then(|i| resolved.history.versions.get(i as usize))
            .filter(|v| v.number == resolved.version)
            .map(|v| v.key),
        Content::Raw => None,
    };
    let Some(key) = text else {
        let Read {
            resolved, bytes, ..
        } = read_resolved(archive, resolved, content)?;
        return Ok(Shown { resolved, bytes });
    };
    let bytes = archive.read_object(&key)?;
    Ok(Shown { resolved, bytes })
}

/// What [`read_shown`] returns.
#[derive(Debug, Clone)]
pub struct Shown {
    pub resolved: Resolved,
    pub bytes: Arc<Vec<u8>>,
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
            byline: None,
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
