//! What a WARC record means for the archive: a capture, a revisit of an
//! earlier payload, vellum's own capture metadata, or something skipped.
//! Pure: the caller stages captures in the store.

use time::OffsetDateTime;

use super::error::{Deviation, HttpError, WarcError};
use crate::store::CaptureRecord;

use super::http::Response;
use super::read::{Block, Position, Record};
use super::{Check, Digest};

/// Content-Type of the `metadata` records vellum writes: one capture record.
pub const CAPTURE_RECORD_TYPE: &str = "application/vnd.vellum.capture+json";

/// A record's meaning.
#[derive(Debug)]
pub enum Item {
    Capture(Found),
    Revisit(Revisit),
    /// A capture record vellum wrote about the record `refers_to`.
    Vellum {
        refers_to: Option<String>,
        record: Box<CaptureRecord>,
    },
    Skipped {
        at: Position,
        why: Skip,
    },
}

/// Why a record is not a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// request, metadata, warcinfo, conversion, continuation…
    Type(String),
    /// A response that is not 2xx.
    Status(u16),
    /// A payload over the per-capture limit.
    TooLarge(u64),
    /// A Content-Encoding vellum cannot decode.
    Encoding(String),
}

/// A payload to archive.
#[derive(Debug, Clone)]
pub struct Found {
    pub at: Position,
    pub record_id: Option<String>,
    pub url: Option<String>,
    pub date: OffsetDateTime,
    /// Media type without parameters (HTTP Content-Type, else the record's).
    pub media_type: Option<String>,
    pub charset: Option<String>,
    /// The entity: de-chunked and decompressed.
    pub payload: Vec<u8>,
    /// The declared payload digest, parsed (to match revisits against).
    pub payload_digest: Option<Digest>,
    /// Digest mismatches, in words.
    pub bad_digests: Vec<String>,
    /// What the reader tolerated to read it.
    pub deviations: Vec<Deviation>,
}

/// A revisit: the payload is that of an earlier record.
#[derive(Debug, Clone)]
pub struct Revisit {
    pub at: Position,
    pub record_id: Option<String>,
    pub url: Option<String>,
    pub date: OffsetDateTime,
    pub refers_to: Option<String>,
    pub refers_to_uri: Option<String>,
    /// When the revisited record was captured (WARC-Refers-To-Date).
    pub refers_to_date: Option<OffsetDateTime>,
    pub payload_digest: Option<Digest>,
    pub bad_digests: Vec<String>,
    /// What the reader tolerated to read it.
    pub deviations: Vec<Deviation>,
}

fn date(rec: &Record) -> Result<OffsetDateTime, WarcError> {
    let raw = rec
        .header("WARC-Date")
        .ok_or_else(|| WarcError::BadHeader {
            at: rec.at,
            detail: "no WARC-Date header".into(),
        })?;
    OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339).map_err(|_| {
        WarcError::BadHeader {
            at: rec.at,
            detail: format!(
                "WARC-Date {:?} is not an RFC 3339 time",
                raw.chars().take(40).collect::<String>()
            ),
        }
    })
}

fn describe(which: &str, c: &Check) -> Option<String> {
    match c {
        Check::Bad { declared, actual } => Some(format!(
            "{which} digest is {declared}, the bytes hash to {actual}"
        )),
        _ => None,
    }
}

/// Interprets one record. `limit` caps a payload. An error here is a
/// record that cannot be read (HTTP headers that are none, a bad date, a
/// body that does not decode): the caller skips it, or stops as for a
/// damaged file. What is tolerated (a status line without a reason, a body
/// declared chunked that is not) is noted in the result's `deviations`.
pub fn interpret(rec: Record, limit: usize) -> Result<Item, WarcError> {
    let kind = rec.kind();
    let at = rec.at;
    let skip = |why| Ok(Item::Skipped { at, why });
    match kind.as_str() {
        "response" | "resource" => {}
        "revisit" => {
            let mut bad = Vec::new();
            bad.extend(describe("block", &rec.block_check));
            return Ok(Item::Revisit(Revisit {
                at,
                record_id: rec.header("WARC-Record-ID").map(str::to_owned),
                url: rec.target_uri().map(str::to_owned),
                date: date(&rec)?,
                refers_to: rec.header("WARC-Refers-To").map(str::to_owned),
                refers_to_uri: rec
                    .header("WARC-Refers-To-Target-URI")
                    .map(|u| u.trim_matches(['<', '>']).to_owned()),
                refers_to_date: rec.header("WARC-Refers-To-Date").and_then(|d| {
                    OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339).ok()
                }),
                payload_digest: rec.header("WARC-Payload-Digest").and_then(Digest::parse),
                bad_digests: bad,
                deviations: rec.deviations.clone(),
            }));
        }
        "metadata" => {
            let is_ours = rec
                .header("Content-Type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(CAPTURE_RECORD_TYPE));
            if is_ours
                && !rec.block_check.is_bad()
                && let Block::Kept(b) = &rec.block
                && let Ok(record) = CaptureRecord::parse(b)
            {
                return Ok(Item::Vellum {
                    refers_to: rec.header("WARC-Refers-To").map(str::to_owned),
                    record: Box::new(record),
                });
            }
            return skip(Skip::Type(kind));
        }
        _ => return skip(Skip::Type(if kind.is_empty() { "?".into() } else { kind })),
    }
    if rec
        .target_uri()
        .is_some_and(|u| u.to_ascii_lowercase().starts_with("metadata://"))
    {
        // wget's own log and arguments, not a capture of the web.
        return skip(Skip::Type("metadata".into()));
    }
    let block = match &rec.block {
        Block::Kept(b) => b,
        Block::TooLarge(n) => return skip(Skip::TooLarge(*n)),
    };
    let declared_payload = rec.header("WARC-Payload-Digest");
    let mut bad: Vec<String> = describe("block", &rec.block_check).into_iter().collect();
    let is_http = kind == "response"
        && rec
            .header("Content-Type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/http"));
    let mut deviations = rec.deviations.clone();
    let (payload, media_type, charset) = if is_http {
        let http = |source: HttpError| WarcError::Http { at, source };
        let resp = match Response::parse(block) {
            Ok(r) => r,
            Err(e) => match lenient_response(block) {
                Some((r, detail)) => {
                    deviations.push(Deviation::HttpHead { detail });
                    r
                }
                None => return Err(http(e)),
            },
        };
        if !(200..300).contains(&resp.status) {
            return skip(Skip::Status(resp.status));
        }
        // A body declared chunked that is not: kept as it is (as warcio).
        let resp = match resp.dechunked() {
            Ok(_) => resp,
            Err(HttpError::BadChunk(_)) => {
                deviations.push(Deviation::NotChunked);
                let mut r = resp;
                r.headers
                    .retain(|(n, _)| !n.eq_ignore_ascii_case("transfer-encoding"));
                r
            }
            Err(e) => return Err(http(e)),
        };
        let dechunked = resp.dechunked().map_err(http)?;
        let check = Check::against(declared_payload, &[resp.raw_body, &dechunked]);
        bad.extend(describe("payload", &check));
        let entity = match resp.entity(limit) {
            Ok(e) => e,
            Err(HttpError::TooLarge { .. }) => return skip(Skip::TooLarge(block.len() as u64)),
            Err(HttpError::UnsupportedEncoding(e)) => return skip(Skip::Encoding(e)),
            Err(e) => return Err(http(e)),
        };
        (entity, resp.media_type(), resp.charset())
    } else {
        let check = Check::against(declared_payload, &[block]);
        bad.extend(describe("payload", &check));
        if block.len() > limit {
            return skip(Skip::TooLarge(block.len() as u64));
        }
        let ct = rec.header("Content-Type").unwrap_or("");
        let mt = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let charset = ct.split(';').skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
        });
        (block.clone(), (!mt.is_empty()).then_some(mt), charset)
    };
    Ok(Item::Capture(Found {
        at,
        record_id: rec.header("WARC-Record-ID").map(str::to_owned),
        url: rec.target_uri().map(str::to_owned),
        date: date(&rec)?,
        media_type,
        charset,
        payload,
        payload_digest: declared_payload.and_then(Digest::parse),
        bad_digests: bad,
        deviations,
    }))
}

/// An HTTP response head as real writers get it wrong, read as warcio
/// reads it: lines ending in LF or CR CR LF, a status line without a reason
/// phrase or with an odd protocol name (`HTTPX/1.1`), folded header lines,
/// lines without a colon (dropped), a head cut short by the record's end.
/// The head is rewritten as HTTP for the parser; the body is the block's
/// bytes after the head, untouched. `None` when it is no HTTP response.
fn lenient_response(block: &[u8]) -> Option<(Response<'_>, String)> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut notes: Vec<&str> = Vec::new();
    let mut rest = block;
    let mut ends_ok = true;
    while !rest.is_empty() {
        let (raw, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(nl) => (&rest[..nl], &rest[nl + 1..]),
            None => {
                notes.push("a head cut short by the end of the record");
                (rest, &rest[rest.len()..])
            }
        };
        rest = next;
        ends_ok &= raw.ends_with(b"\r") && !raw.ends_with(b"\r\r");
        let line = trim_cr(raw);
        if line.is_empty() {
            break;
        }
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            if lines.len() < 2 {
                return None;
            }
            let last = lines.last_mut()?;
            last.push(b' ');
            last.extend_from_slice(line.trim_ascii());
            continue;
        }
        if !lines.is_empty() && !line.contains(&b':') {
            notes.push("header lines without a colon (dropped)");
            continue;
        }
        lines.push(line.to_vec());
        if lines.len() > 256 {
            return None;
        }
    }
    let status = std::str::from_utf8(lines.first()?).ok()?;
    let mut parts = status.trim().splitn(3, ' ');
    let (protocol, code) = (parts.next()?, parts.next()?);
    let reason = parts.next().unwrap_or("").trim();
    let version = protocol.rsplit_once('/').map(|(_, v)| v).unwrap_or("");
    if !protocol.to_ascii_uppercase().starts_with("HTTP")
        || code.len() != 3
        || !code.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if !protocol.eq_ignore_ascii_case("HTTP/1.0") && !protocol.eq_ignore_ascii_case("HTTP/1.1") {
        notes.push("a status line naming no HTTP version");
    }
    if reason.is_empty() {
        notes.push("a status line without a reason phrase");
    }
    if !ends_ok {
        notes.push("lines that do not end in CR LF");
    }
    let version = if version == "1.0" { "1.0" } else { "1.1" };
    let reason = if reason.is_empty() { "-" } else { reason };
    let mut head = format!("HTTP/{version} {code} {reason}\r\n").into_bytes();
    for l in &lines[1..] {
        head.extend_from_slice(l);
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let parsed = Response::parse(&head).ok()?;
    if notes.is_empty() {
        notes.push("folded or unusual header lines");
    }
    notes.dedup();
    let response = Response {
        status: parsed.status,
        headers: parsed.headers,
        raw_body: rest,
    };
    Some((response, notes.join(", ")))
}

fn trim_cr(mut line: &[u8]) -> &[u8] {
    while let Some(l) = line.strip_suffix(b"\r") {
        line = l;
    }
    line
}

/// A file name whose extension makes the store record `media_type` (the
/// store guesses from a name): html, Markdown, else plain.
pub fn name_hint(media_type: Option<&str>) -> &'static str {
    match media_type {
        Some("text/html" | "application/xhtml+xml") => "capture.html",
        Some("text/markdown" | "text/x-markdown") => "capture.md",
        _ => "capture.txt",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warc::read::{Options, Reader};

    fn capture(http: &[u8]) -> Result<Found, WarcError> {
        let mut rec = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Date: 2020-01-01T00:00:00Z\r\n\
             WARC-Target-URI: http://a.example/\r\n\
             Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            http.len()
        )
        .into_bytes();
        rec.extend_from_slice(http);
        rec.extend_from_slice(b"\r\n\r\n");
        let rec = Reader::new(&rec[..], Options::default())
            .unwrap()
            .next_record()
            .unwrap()
            .unwrap();
        match interpret(rec, 1 << 20)? {
            Item::Capture(f) => Ok(f),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_body_declared_chunked_that_is_not_is_kept_as_it_is() {
        let f =
            capture(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nplain body").unwrap();
        assert_eq!(f.payload, b"plain body");
        assert_eq!(f.deviations, [Deviation::NotChunked]);
        // Chunked indeed: decoded, nothing noted.
        let f =
            capture(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                .unwrap();
        assert_eq!(f.payload, b"abc");
        assert!(f.deviations.is_empty());
    }

    #[test]
    fn http_heads_as_writers_get_them_wrong() {
        // What the HTTP parser takes as it is (no note), and what is read
        // leniently (noted).
        for (head, note) in [
            (
                &b"HTTP/1.0 200\r\nContent-Type: text/plain\r\n\r\n"[..],
                None,
            ),
            (b"HTTP/1.1 200 OK\nContent-Type: text/plain\n\n", None),
            (
                b"HTTP/1.0 200 \r\r\nContent-Type: text/plain\r\r\n\r\r\n",
                Some("CR LF"),
            ),
            (
                b"HTTP/1.1 200 OK\r\r\nContent-Type: text/plain\r\r\n\r\r\n",
                Some("CR LF"),
            ),
            (
                b"HTTPX/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n",
                Some("version"),
            ),
            (
                b"HTTP/1.1 200 OK\r\nno colon here\r\nContent-Type: text/plain\r\n\r\n",
                Some("colon"),
            ),
            (
                b"HTTP/1.1 200 OK\r\nX-A: 1\r\n  more\r\nContent-Type: text/plain\r\n\r\n",
                Some("folded"),
            ),
        ] {
            let f = capture(&[head, b"body"].concat()).unwrap();
            assert_eq!(f.payload, b"body", "{head:?}");
            assert_eq!(f.media_type.as_deref(), Some("text/plain"), "{head:?}");
            match (note, &f.deviations[..]) {
                (None, []) => {}
                (Some(note), [Deviation::HttpHead { detail }]) => {
                    assert!(detail.contains(note), "{detail}")
                }
                _ => panic!("{head:?}: {:?}", f.deviations),
            }
        }
        // No HTTP at all: an error.
        assert!(capture(b"<html>not http</html>").is_err());
    }
}
