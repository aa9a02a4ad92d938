//! WARC export: captures as WARC/1.1 records that `warcio` and replay tools
//! read, and that [`super::importer`] reads back to the same capture ids.
//!
//! Per capture, in order:
//!
//! ```text
//! response   a page vellum fetched: its HTTP head (see `evidence_head`; the
//!            `WARC-Vellum-Http-Head` field says whether it was received or
//!            reconstructed), then the bytes
//!  or resource   any other capture: the bytes, Content-Type = its media type
//!  or revisit    bytes already written: points to the record that holds them
//! conversion the extracted text, when it differs from the bytes
//! metadata   the capture record (canonical JSON, blake3 ids)
//! ```
//!
//! after one `warcinfo` record. Record ids are derived from the capture ids,
//! so the same captures export to the same records.

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::error::ErrorKind;

use crate::id::ObjectId;
use crate::store::{Address, Archive, CaptureId, CaptureRecord, HttpRecord};
use crate::store::{AddressError, StoreError};

use super::import::CAPTURE_RECORD_TYPE;
use super::write::{Writer, record_id, warc_date};
use super::{Algorithm, Digest};

const REVISIT_PROFILE: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Address(#[from] AddressError),
    #[error("writing the WARC: {0}")]
    Io(#[from] std::io::Error),
    /// The output path ends in no file name (`/`, `..`).
    #[error("{0} names no file; give a file name such as out.warc.gz")]
    NoFileName(PathBuf),
    /// Writing an output failed ([`super::exporter`]).
    #[error("cannot write {}: {source}", path.display())]
    Writing {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Captures that cannot be read intact ([`super::exporter`]).
    #[error("{damaged} of {total} capture(s) cannot be exported: {words}; nothing was written")]
    Unexportable {
        damaged: usize,
        total: usize,
        words: String,
    },
}

impl ExportError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ExportError::Store(e) => e.kind(),
            ExportError::Address(e) => e.kind(),
            ExportError::Io(_) | ExportError::Writing { .. } => ErrorKind::Io,
            ExportError::NoFileName(_) => ErrorKind::InvalidInput,
            ExportError::Unexportable { .. } => ErrorKind::Damaged,
        }
    }
}

/// The captures that `addrs` name, each once, in the order named: a
/// document name alone is every capture of it, any other address (`DOC@N`,
/// a capture id) the capture it resolves to. No address: every capture.
pub fn select(archive: &Archive, addrs: &[String]) -> Result<Vec<CaptureId>, ExportError> {
    let all = archive.all_captures()?;
    let mut chosen: Vec<CaptureId> = Vec::new();
    if addrs.is_empty() {
        chosen = all.iter().map(|c| c.id).collect();
    }
    for a in addrs {
        // A document (its name or URL, no @…) means all its captures.
        let doc = archive.document(a).ok().map(|d| d.to_string());
        let of_doc: Vec<CaptureId> = all
            .iter()
            .filter(|c| doc.as_ref() == Some(&c.doc))
            .map(|c| c.id)
            .collect();
        if !of_doc.is_empty() {
            chosen.extend(of_doc);
            continue;
        }
        let addr: Address = a.parse()?;
        chosen.push(archive.resolve(&addr)?.capture);
    }
    let mut seen = HashSet::new();
    chosen.retain(|c| seen.insert(*c));
    Ok(chosen)
}

/// The captures among `captures` that cannot be exported (their record,
/// bytes or text is damaged or missing), each with why; the rest export.
pub fn unexportable(archive: &Archive, captures: &[CaptureId]) -> Vec<(CaptureId, StoreError)> {
    let check = |id: &CaptureId| -> Result<(), StoreError> {
        let rec = archive.record(id)?;
        for obj in [Some(rec.content), rec.text].into_iter().flatten() {
            archive.read_object(&obj)?;
        }
        Ok(())
    };
    captures
        .iter()
        .filter_map(|id| check(id).err().map(|e| (*id, e)))
        .collect()
}

/// [`unexportable`]'s captures in words: `DOC capture ID (why)` for each.
pub fn describe_unexportable(archive: &Archive, damaged: &[(CaptureId, StoreError)]) -> String {
    let one = |(id, e): &(CaptureId, StoreError)| {
        let row = archive.capture_row(id).ok().flatten();
        let doc = row.map_or_else(String::new, |r| format!("{} ", r.doc));
        format!("{doc}capture {} ({e})", id.0.short())
    };
    damaged.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// What the `warcinfo` record says about the file.
#[derive(Debug, Clone)]
pub struct WarcInfo<'a> {
    /// The file name (`WARC-Filename`).
    pub filename: &'a str,
    /// When the file is written (`WARC-Date` of the warcinfo record).
    pub now: OffsetDateTime,
}

/// Writes `captures` of `archive` to `out` as a WARC/1.1 file (one gzip
/// member per record) and hands `out` back, flushed.
pub fn write_warc<W: Write>(
    archive: &Archive,
    captures: &[CaptureId],
    out: W,
    info: &WarcInfo<'_>,
) -> Result<W, ExportError> {
    let mut w = Writer::new(out);
    let text = format!(
        "software: vellum/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\ndescription: {} captures exported from a vellum archive\r\n",
        env!("CARGO_PKG_VERSION"),
        captures.len()
    );
    w.record(
        "warcinfo",
        &[
            ("WARC-Date", warc_date(info.now)),
            ("WARC-Filename", info.filename.to_owned()),
            ("WARC-Record-ID", record_id(text.as_bytes())),
            ("Content-Type", "application/warc-fields".into()),
        ],
        text.as_bytes(),
    )?;
    let mut written = HashMap::new();
    for id in captures {
        capture(&mut w, archive, id, &mut written)?;
    }
    Ok(w.finish()?)
}

/// Writes the WARC file `path` as [`write_warc`] writes, aside first
/// (`.NAME.partial` next to it) and renamed into place once synced: the
/// file appears only complete, and a failed export leaves nothing behind.
pub fn write_warc_file(
    archive: &Archive,
    captures: &[CaptureId],
    path: &Path,
    now: OffsetDateTime,
) -> Result<(), ExportError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| ExportError::NoFileName(path.to_owned()))?;
    let tmp = path.with_file_name(format!(".{name}.partial"));
    let info = WarcInfo {
        filename: &name,
        now,
    };
    let written = std::fs::File::create(&tmp)
        .map_err(ExportError::from)
        .and_then(|file| write_warc(archive, captures, BufWriter::new(file), &info))
        .and_then(|out| out.into_inner().map_err(|e| e.into_error().into()))
        .and_then(|file| Ok(file.sync_all()?));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(std::fs::rename(&tmp, path)?)
}

/// The record that holds some bytes: its id, URI and date.
struct Holder {
    id: String,
    uri: String,
    date: String,
}

/// Writes one capture's records.
fn capture<W: Write>(
    w: &mut Writer<W>,
    archive: &Archive,
    id: &CaptureId,
    written: &mut HashMap<ObjectId, Holder>,
) -> Result<(), ExportError> {
    let rec = archive.record(id)?;
    let canonical = archive.read_object(&id.0)?;
    let uri = rec
        .url
        .clone()
        .unwrap_or_else(|| format!("urn:vellum:capture:{id}"));
    let date = warc_date(rec.captured_at);
    let main_id = record_id(format!("capture:{id}").as_bytes());
    let bytes = archive.read_object(&rec.content)?;
    let payload_digest = Digest::of(Algorithm::Sha1, &bytes).to_warc();
    let common = [
        ("WARC-Record-ID", main_id.clone()),
        ("WARC-Target-URI", uri.clone()),
        ("WARC-Date", date.clone()),
    ];
    match written.get(&rec.content) {
        Some(held) => {
            let fields = [
                ("WARC-Profile", REVISIT_PROFILE.into()),
                ("WARC-Refers-To", held.id.clone()),
                ("WARC-Refers-To-Target-URI", held.uri.clone()),
                ("WARC-Refers-To-Date", held.date.clone()),
                ("WARC-Payload-Digest", payload_digest),
            ];
            w.record("revisit", &[&common[..], &fields].concat(), b"")?;
        }
        None => {
            match evidence_head(&rec) {
                // Fetched by vellum: the HTTP answer as a response record,
                // its head as archived (the body is stored decoded, so the
                // encodings and length are restated).
                Some(http) => {
                    let mut block = http_head(&http.head, bytes.len()).into_bytes();
                    block.extend_from_slice(&bytes);
                    let fields = [
                        ("Content-Type", "application/http; msgtype=response".into()),
                        ("WARC-Payload-Digest", payload_digest),
                        (HEAD_FIELD, head_provenance(http).into()),
                    ];
                    w.record("response", &[&common[..], &fields].concat(), &block)?;
                }
                None => {
                    let fields = [
                        ("Content-Type", content_type(&rec.media_type)),
                        ("WARC-Payload-Digest", payload_digest),
                    ];
                    w.record("resource", &[&common[..], &fields].concat(), &bytes)?;
                }
            }
            let holder = Holder {
                id: main_id.clone(),
                uri: uri.clone(),
                date: date.clone(),
            };
            written.insert(rec.content, holder);
        }
    }
    if let Some(text) = rec.text.filter(|t| *t != rec.content) {
        let text = archive.read_object(&text)?;
        w.record(
            "conversion",
            &[
                ("WARC-Record-ID", record_id(format!("text:{id}").as_bytes())),
                ("WARC-Target-URI", uri.clone()),
                ("WARC-Date", date.clone()),
                ("WARC-Refers-To", main_id.clone()),
                ("Content-Type", "text/plain; charset=utf-8".into()),
                (
                    "WARC-Payload-Digest",
                    Digest::of(Algorithm::Sha1, &text).to_warc(),
                ),
            ],
            &text,
        )?;
    }
    w.record(
        "metadata",
        &[
            (
                "WARC-Record-ID",
                record_id(format!("record:{id}").as_bytes()),
            ),
            ("WARC-Target-URI", uri),
            ("WARC-Date", date),
            ("WARC-Refers-To", main_id),
            ("Content-Type", CAPTURE_RECORD_TYPE.into()),
        ],
        &canonical,
    )?;
    Ok(())
}

/// The HTTP head a capture's bytes are exported behind, as a `response`
/// record: only a head the fetch received is evidence of what the site
/// sent. Every capture without one (files, saved pages, imported
/// resources) is a `resource` record.
///
/// This is the one place the choice is made: a head that the capture
/// record marks as reconstructed rather than received must return `None`
/// here (or be exported marked as such), never pass as what the site sent.
fn evidence_head(rec: &CaptureRecord) -> Option<&HttpRecord> {
    rec.http.as_ref().filter(|h| !h.head.is_empty())
}

/// The WARC field that says how far a `response` record's HTTP head is
/// evidence: an extension field (WARC 1.1 allows them; readers that do not
/// know it ignore it).
pub const HEAD_FIELD: &str = "WARC-Vellum-Http-Head";

/// [`HEAD_FIELD`]'s value. `received`: the status line and header lines
/// are the bytes the server sent (an imported WARC's head), except the
/// Content-Length, Content-Encoding and Transfer-Encoding lines, restated
/// for the decoded body. `reconstructed`: the HTTP client rebuilt the head
/// (header-name case and reason phrase normalized; records written before
/// the capture record said so are all of this kind), so it is not evidence
/// of the bytes the site sent.
fn head_provenance(http: &HttpRecord) -> &'static str {
    match http.head_reconstructed {
        Some(false) => "received",
        Some(true) | None => "reconstructed",
    }
}

fn content_type(media_type: &str) -> String {
    if media_type.starts_with("text/") {
        format!("{media_type}; charset=utf-8")
    } else {
        media_type.to_owned()
    }
}

/// An archived HTTP head, restated for the decoded body it now precedes:
/// without the content and transfer encodings the fetch removed, with the
/// body's length.
fn http_head(head: &str, body_len: usize) -> String {
    let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
    let mut out = format!("{}\r\n", lines.next().unwrap_or("HTTP/1.1 200 OK"));
    for line in lines {
        let name = line.split(':').next().unwrap_or("").trim();
        if ["content-encoding", "transfer-encoding", "content-length"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {body_len}\r\n\r\n"));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_head_recorded_as_received_is_marked_received() {
        let mut http = crate::store::HttpRecord {
            final_url: "https://example.org/".into(),
            status: 200,
            content_type: None,
            etag: None,
            last_modified: None,
            fetched_at: time::OffsetDateTime::UNIX_EPOCH,
            redirects: Vec::new(),
            head: "HTTP/1.0 200 Fine\r\n\r\n".into(),
            head_reconstructed: Some(false),
        };
        assert_eq!(super::head_provenance(&http), "received");
        http.head_reconstructed = Some(true);
        assert_eq!(super::head_provenance(&http), "reconstructed");
        // Written before the field existed: rebuilt by the client too.
        http.head_reconstructed = None;
        assert_eq!(super::head_provenance(&http), "reconstructed");
    }

    #[test]
    fn http_heads_are_restated_for_the_decoded_body() {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\
                    Transfer-Encoding: chunked\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n";
        assert_eq!(
            super::http_head(head, 42),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nETag: \"x\"\r\nContent-Length: 42\r\n\r\n"
        );
    }
}
