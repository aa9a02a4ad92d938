//! The catalog's rows as Rust values: objects and captures, ids, kinds and
//! times as SQLite stores them, and the column lists queries share.

use crate::id::ObjectId;

use super::super::history::{History, HistoryRow};
use super::super::object::Kind;
use super::super::record::CaptureId;
use crate::when::from_nanos;

/// Where an object lives and how it is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRow {
    pub id: ObjectId,
    pub pack: String,
    pub offset: u64,
    /// Length of the whole entry (header and frame).
    pub len: u64,
    pub kind: Kind,
    pub size: u64,
    pub depth: u32,
}

/// One capture as the catalog knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRow {
    pub id: CaptureId,
    pub doc: String,
    pub captured_at: time::OffsetDateTime,
    /// Position in the archive log, once logged.
    pub seq: Option<u64>,
    /// The record carries a flag: listed, never a version.
    pub flagged: bool,
    /// Another record re-extracts this capture's text: listed, never a version.
    pub superseded: bool,
    pub vkey: ObjectId,
    pub content: ObjectId,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
}

pub(super) fn id_from(blob: Vec<u8>) -> rusqlite::Result<ObjectId> {
    id_from_ref(rusqlite::types::ValueRef::Blob(&blob))
}

pub(super) fn id_from_ref(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<ObjectId> {
    let arr: [u8; 32] = v.as_blob()?.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            "object id is not 32 bytes".into(),
        )
    })?;
    Ok(ObjectId::from_bytes(arr))
}

pub(super) fn kind_from(k: i64) -> rusqlite::Result<Kind> {
    Kind::from_u8(k as u8).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            "bad kind".into(),
        )
    })
}

pub(super) const RECORD_COLUMNS: &str =
    "SELECT c.id, p.name, c.roffset, c.rlen, 2, c.rsize, c.rdepth
     FROM captures c JOIN packs p ON p.id = c.rpack";

pub(super) const CAPTURE_COLUMNS: &str = "SELECT c.id, d.name, c.at, c.atn, c.seq, v.id,
        COALESCE(t.id, v.id), src.name, c.url, c.title, c.flagged,
        EXISTS (SELECT 1 FROM captures s WHERE s.supersedes = c.id)
     FROM captures c JOIN docs d ON d.n = c.doc JOIN objects v ON v.n = c.vkey
     LEFT JOIN objects t ON t.n = c.content LEFT JOIN sources src ON src.n = c.source";

/// Whether another record supersedes capture `c` (see [`CAPTURE_COLUMNS`]).
pub(super) const SUPERSEDED: &str = "EXISTS (SELECT 1 FROM captures s WHERE s.supersedes = c.id)";

/// History order (see `history.rs`): captured-at, then archiving order, then
/// capture id for captures not logged yet (they will be logged last).
pub(super) const HISTORY_ORDER: &str = "c.at, c.atn, c.seq IS NULL, c.seq, c.id";

pub(super) fn object_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ObjectRow> {
    Ok(ObjectRow {
        id: id_from(r.get(0)?)?,
        pack: r.get(1)?,
        offset: r.get::<_, i64>(2)? as u64,
        len: r.get::<_, i64>(3)? as u64,
        kind: kind_from(r.get(4)?)?,
        size: r.get::<_, i64>(5)? as u64,
        depth: r.get(6)?,
    })
}

pub(super) fn capture_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaptureRow> {
    Ok(CaptureRow {
        id: CaptureId(id_from(r.get(0)?)?),
        doc: r.get(1)?,
        captured_at: from_nanos(join_time(r.get(2)?, r.get(3)?)),
        seq: r.get::<_, Option<i64>>(4)?.map(|s| s as u64),
        vkey: id_from(r.get(5)?)?,
        content: id_from(r.get(6)?)?,
        source: r.get(7)?,
        url: r.get(8)?,
        title: r.get(9)?,
        flagged: r.get(10)?,
        superseded: r.get(11)?,
    })
}

/// Captured-at as the catalog stores it: Unix seconds and nanoseconds.
pub(super) fn split_time(t: time::OffsetDateTime) -> (i64, i64) {
    (t.unix_timestamp(), i64::from(t.nanosecond()))
}

pub(super) fn join_time(secs: i64, ns: i64) -> i128 {
    secs as i128 * 1_000_000_000 + ns as i128
}

/// A capture as [`Catalog::doc_summaries`](super::Catalog::doc_summaries)
/// reads it, in index order.
pub(super) struct SummaryRow {
    /// Without metadata: only the versions are counted.
    pub row: HistoryRow,
    /// Position in the archive log; `None` until logged.
    pub seq: Option<i64>,
    pub title: Option<String>,
}

/// One document, as `log` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSummary {
    pub doc: String,
    pub versions: u64,
    pub captures: u64,
    pub first: time::OffsetDateTime,
    pub last: time::OffsetDateTime,
    pub title: Option<String>,
    /// The latest version's text (for a title from its first line when
    /// no capture has one).
    pub latest_text: Option<ObjectId>,
}

/// One document's summary from its captures in any order; `None` for none.
pub(super) fn summarize(doc: String, mut captures: Vec<SummaryRow>) -> Option<DocSummary> {
    // History order (`HISTORY_ORDER`): captured-at, then logged before
    // unlogged, by log position, then by capture id.
    captures.sort_by(|a, b| {
        let key = |c: &SummaryRow| (c.row.at_nanos, c.seq.is_none(), c.seq, c.row.capture.0);
        key(a).cmp(&key(b))
    });
    let first = from_nanos(captures.first()?.row.at_nanos);
    let last = from_nanos(captures.last()?.row.at_nanos);
    // The title is the latest version's: never a flagged capture's (a 404
    // page's "Error response") nor a superseded one's.
    let title = captures
        .iter_mut()
        .rev()
        .filter(|c| !c.row.flagged && !c.row.superseded)
        .find_map(|c| c.title.take());
    let counted = captures.iter().filter(|c| !c.row.superseded).count() as u64;
    let history = History::group(captures.into_iter().map(|c| c.row));
    Some(DocSummary {
        doc,
        versions: history.versions.len() as u64,
        captures: counted,
        first,
        last,
        title,
        latest_text: history.versions.last().map(|v| v.key),
    })
}
