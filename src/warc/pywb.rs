//! `export --pywb DIR`: a collection that pywb (and other Wayback replay
//! tools reading CDXJ) replays as it is, in pywb's layout:
//!
//! ```text
//! DIR/archive/vellum-YYYYMMDDhhmmss.warc.gz   the WARC export::write_warc writes
//! DIR/indexes/vellum-YYYYMMDDhhmmss.cdxj      its index, sorted (C locale)
//! ```
//!
//! One index line per `response`, `resource` and `revisit` record of an
//! http(s) URL, as pywb's own indexer writes them:
//!
//! ```text
//! com,example)/story 20190212080000 {"url": "https://example.com/story", "mime": "text/html",
//!     "status": "200", "digest": "BASE32SHA1", "length": "1234", "offset": "567",
//!     "filename": "vellum-20261207043000.warc.gz"}
//! ```
//!
//! `urlkey` is the SURT ([`crate::ingest::surt`]); `digest` the record's
//! `WARC-Payload-Digest` without its `sha1:` prefix; `length` and `offset`
//! the record's gzip member in the file; `mime` the HTTP Content-Type's
//! media type (a resource record's own Content-Type; `warc/revisit` for a
//! revisit, which pywb resolves through `WARC-Refers-To-*`); `status` only
//! for responses. The index is made by reading the written file back, so
//! it describes exactly the bytes on disk.

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::ingest::surt::surt;
use crate::store::{Archive, CaptureId};

use super::export::{ExportError, write_warc_file};
use super::http::Response;
use super::read::{Block, Options, Reader};

/// What an export to a pywb collection wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct PywbExport {
    pub warc: PathBuf,
    pub index: PathBuf,
    /// Captures exported.
    pub captures: usize,
    /// Lines in the index.
    pub lines: usize,
}

/// One index line's JSON, in the order pywb writes its fields.
#[derive(serde::Serialize)]
struct Entry<'a> {
    url: String,
    mime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    digest: String,
    length: String,
    offset: String,
    filename: &'a str,
}

/// Writes `captures` to the collection `dir` (created when missing): a WARC
/// file and its CDXJ index, each appearing only complete.
pub fn write_collection(
    archive: &Archive,
    captures: &[CaptureId],
    dir: &Path,
    now: OffsetDateTime,
) -> Result<PywbExport, ExportError> {
    let stem = format!("vellum-{}", crate::when::timestamp14(now));
    let warc_dir = dir.join("archive");
    let index_dir = dir.join("indexes");
    std::fs::create_dir_all(&warc_dir)?;
    std::fs::create_dir_all(&index_dir)?;
    let filename = format!("{stem}.warc.gz");
    let warc = warc_dir.join(&filename);
    write_warc_file(archive, captures, &warc, now)?;
    let mut lines = index_lines(&warc, &filename)?;
    // pywb binary-searches the index: byte order, as `LC_ALL=C sort`.
    lines.sort();
    let index = index_dir.join(format!("{stem}.cdxj"));
    let tmp = index_dir.join(format!(".{stem}.cdxj.partial"));
    let written = (|| -> std::io::Result<()> {
        let mut out = BufWriter::new(std::fs::File::create(&tmp)?);
        for l in &lines {
            out.write_all(l.as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    std::fs::rename(&tmp, &index)?;
    Ok(PywbExport {
        warc,
        index,
        captures: captures.len(),
        lines: lines.len(),
    })
}

/// The CDXJ lines of the WARC file at `path` (named `filename` in them).
fn index_lines(path: &Path, filename: &str) -> Result<Vec<String>, ExportError> {
    let size = std::fs::metadata(path)?.len();
    let file = BufReader::new(std::fs::File::open(path)?);
    let mut reader = Reader::new(file, Options::default())?;
    // (line head, entry): each entry's length is the distance from its
    // member to the next one, known once all are read.
    let mut pending: Vec<(String, Entry<'_>)> = Vec::new();
    let mut offsets: Vec<u64> = Vec::new();
    while let Some(rec) = reader.next_record().map_err(|e| {
        ExportError::Io(std::io::Error::other(format!(
            "reading back the WARC just written: {e}"
        )))
    })? {
        let offset = rec.at.file_offset();
        offsets.push(offset);
        let kind = rec.kind();
        if !matches!(kind.as_str(), "response" | "resource" | "revisit") {
            continue;
        }
        // Captures without a URL (`urn:vellum:capture:…`) have nothing
        // for a Wayback tool to look up: they stay in the WARC only.
        let Some(url) = rec
            .target_uri()
            .filter(|u| {
                let l = u.to_ascii_lowercase();
                l.starts_with("http://") || l.starts_with("https://")
            })
            .map(str::to_owned)
        else {
            continue;
        };
        let date = rec.header("WARC-Date").unwrap_or("");
        let Some(ts) = warc_timestamp(date) else {
            continue;
        };
        let (mime, status) = match (kind.as_str(), &rec.block) {
            ("revisit", _) => ("warc/revisit".to_owned(), None),
            ("response", Block::Kept(b)) => match Response::parse(b) {
                Ok(r) => (
                    media_type(r.header("Content-Type").unwrap_or("unk")),
                    Some(r.status.to_string()),
                ),
                Err(_) => ("unk".to_owned(), None),
            },
            _ => (
                media_type(rec.header("Content-Type").unwrap_or("unk")),
                None,
            ),
        };
        let digest = rec
            .header("WARC-Payload-Digest")
            .map(|d| d.trim().trim_start_matches("sha1:").to_owned())
            .unwrap_or_else(|| "-".into());
        let head = format!("{} {ts} ", surt(&url));
        let entry = Entry {
            url,
            mime,
            status,
            digest,
            length: String::new(),
            offset: offset.to_string(),
            filename,
        };
        pending.push((head, entry));
    }
    let mut lines = Vec::with_capacity(pending.len());
    for (head, mut entry) in pending {
        let offset: u64 = entry.offset.parse().unwrap_or(0);
        let next = offsets.partition_point(|&o| o <= offset);
        let end = offsets.get(next).copied().unwrap_or(size);
        entry.length = (end - offset).to_string();
        let json =
            serde_json::to_string(&entry).map_err(|e| ExportError::Io(std::io::Error::other(e)))?;
        lines.push(head + &json);
    }
    Ok(lines)
}

/// `2019-02-12T08:00:00Z` (any fraction) → `20190212080000`.
fn warc_timestamp(date: &str) -> Option<String> {
    let digits: String = date
        .chars()
        .take_while(|c| *c != '.' && *c != 'Z' && *c != '+')
        .filter(char::is_ascii_digit)
        .collect();
    (digits.len() == 14).then_some(digits)
}

/// The media type of a Content-Type value, lowercased, as pywb keeps it.
fn media_type(content_type: &str) -> String {
    let m = content_type.split(';').next().unwrap_or("").trim();
    if m.is_empty() {
        "unk".into()
    } else {
        m.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn warc_dates_become_wayback_timestamps() {
        assert_eq!(
            super::warc_timestamp("2019-02-12T08:05:09Z").as_deref(),
            Some("20190212080509")
        );
        assert_eq!(
            super::warc_timestamp("2019-02-12T08:05:09.123456Z").as_deref(),
            Some("20190212080509")
        );
        assert_eq!(super::warc_timestamp("2019-02-12").as_deref(), None);
        assert_eq!(super::media_type("Text/HTML; charset=utf-8"), "text/html");
    }
}
