//! ARC, the Internet Archive's format before WARC (versions 1 and 2), read
//! by the same [`Reader`]: each ARC record becomes a [`Record`] with the
//! WARC headers warcio's `arc2warc` gives it (`WARC-Type`, `WARC-Target-URI`,
//! `WARC-Date`, `Content-Type`, `Content-Length`), so that everything after
//! the reader treats both formats alike.
//!
//! ```text
//! filedesc://NAME IP DATE text/plain LENGTH\n      the file's own record
//! URL IP DATE CONTENT-TYPE LENGTH\n               version 1 record header
//! URL IP DATE CONTENT-TYPE CODE CHECKSUM LOCATION OFFSET FILENAME LENGTH\n  (version 2)
//! LENGTH bytes (an HTTP response for http URLs)\n
//! ```
//!
//! DATE is `YYYYMMDDhhmmss` (UTC). URLs with spaces in them (seen in the
//! wild) are taken whole: the fields are counted from the end.

use std::io::BufRead;

use super::error::{Position, WarcError};
use super::read::{Block, Reader, Record, trim_eol};
use super::{Check, Deviation};

/// The fields of an ARC record's header line that matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArcHeader {
    pub url: String,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub date: String,
    pub content_type: String,
    pub length: u64,
}

fn is_date(s: &str) -> bool {
    (8..=14).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYYMMDDhhmmss` (or a prefix of it: the rest is zeros) as RFC 3339.
fn iso(date: &str) -> String {
    let mut d = date.to_owned();
    while d.len() < 14 {
        d.push('0');
    }
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &d[..4],
        &d[4..6],
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14]
    )
}

/// Parses an ARC record header line; `None` when it is not one.
pub fn header_line(line: &[u8]) -> Option<ArcHeader> {
    let text = std::str::from_utf8(trim_eol(line)).ok()?;
    let parts: Vec<&str> = text.split(' ').filter(|p| !p.is_empty()).collect();
    let n = parts.len();
    if n < 5 {
        return None;
    }
    let length: u64 = parts[n - 1].parse().ok()?;
    // Version 2 (10 fields) first; then version 1 (5 fields); more fields
    // than either are spaces in the URL.
    let (url_end, date, ct) = if n >= 10 && is_date(parts[n - 8]) {
        (n - 9, parts[n - 8], parts[n - 7])
    } else if is_date(parts[n - 3]) {
        (n - 4, parts[n - 3], parts[n - 2])
    } else {
        return None;
    };
    let url = parts[..url_end].join(" ");
    if url.is_empty() || !url.contains(':') {
        return None;
    }
    Some(ArcHeader {
        url,
        date: iso(date),
        content_type: ct.to_owned(),
        length,
    })
}

impl<R: BufRead> Reader<R> {
    /// The next ARC record.
    pub(super) fn read_arc(&mut self) -> Result<Option<Record>, WarcError> {
        let Some((at, first)) = self.record_start()? else {
            return Ok(None);
        };
        self.arc_record(at, first)
    }

    /// An ARC record whose header line `first` starts at `at`.
    pub(super) fn arc_record(
        &mut self,
        at: Position,
        first: Vec<u8>,
    ) -> Result<Option<Record>, WarcError> {
        let h = header_line(&first).ok_or_else(|| WarcError::BadHeader {
            at,
            detail: format!(
                "ARC header line {:?} is not URL IP DATE TYPE LENGTH",
                String::from_utf8_lossy(trim_eol(&first))
                    .chars()
                    .take(60)
                    .collect::<String>()
            ),
        })?;
        let (block, _) = self.block(at, h.length, None)?;
        // One LF ends an ARC record; blank lines are gone past by the next
        // record's start. A damaged gzip member fails this record.
        self.check_member(at)?;
        let is_http = matches!(&block, Block::Kept(b) if b.starts_with(b"HTTP/"));
        let kind = if h.url.starts_with("filedesc://") {
            "warcinfo"
        } else if is_http {
            "response"
        } else if h.url.starts_with("http:") || h.url.starts_with("https:") {
            // What an http URL's record holds is its HTTP response; anything
            // else there is no capture of it.
            return Err(WarcError::BadHeader {
                at,
                detail: "the ARC record of an http URL holds no HTTP response".into(),
            });
        } else {
            "resource"
        };
        let content_type = match kind {
            "response" => "application/http; msgtype=response".to_owned(),
            _ => h.content_type.clone(),
        };
        let length = match &block {
            Block::Kept(b) => b.len() as u64,
            Block::TooLarge(n) => *n,
        };
        let headers = vec![
            ("WARC-Type".to_owned(), kind.to_owned()),
            ("WARC-Target-URI".to_owned(), h.url),
            ("WARC-Date".to_owned(), h.date),
            ("Content-Type".to_owned(), content_type),
            ("Content-Length".to_owned(), length.to_string()),
        ];
        Ok(Some(Record {
            at,
            version: "ARC".to_owned(),
            headers,
            block,
            block_check: Check::Absent,
            deviations: std::mem::take::<Vec<Deviation>>(&mut self.notes),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warc::read::Options;

    #[test]
    fn header_lines_of_both_versions_and_spaces_in_urls() {
        let v1 = header_line(b"http://a.example/ 1.2.3.4 20140216050221 text/html 68\n").unwrap();
        assert_eq!(v1.url, "http://a.example/");
        assert_eq!(v1.date, "2014-02-16T05:02:21Z");
        assert_eq!(v1.length, 68);
        let v2 = header_line(
            b"http://a.example/x y 1.2.3.4 20140216050221 text/html 200 abc - 0 f.arc 12\n",
        )
        .unwrap();
        assert_eq!(v2.url, "http://a.example/x y");
        assert_eq!(v2.content_type, "text/html");
        assert_eq!(v2.length, 12);
        assert!(header_line(b"WARC/1.0\r\n").is_none());
        assert!(header_line(b"a b c d e\n").is_none());
    }

    #[test]
    fn an_arc_file_reads_as_records() {
        let http = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello";
        let desc =
            b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n";
        let mut f = format!(
            "filedesc://x.arc 0.0.0.0 20140101000000 text/plain {}\n",
            desc.len()
        )
        .into_bytes();
        f.extend_from_slice(desc);
        f.extend_from_slice(b"\n");
        let at = f.len() as u64;
        f.extend_from_slice(
            format!(
                "http://e.example/ 1.2.3.4 20140102030405 text/plain {}\n",
                http.len()
            )
            .as_bytes(),
        );
        f.extend_from_slice(http);
        f.extend_from_slice(b"\n");
        let mut r = Reader::new(&f[..], Options::default()).unwrap();
        let info = r.next_record().unwrap().unwrap();
        assert_eq!(info.kind(), "warcinfo");
        assert!(r.is_arc());
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!(rec.kind(), "response");
        assert_eq!(rec.at.offset, at);
        assert_eq!(rec.target_uri(), Some("http://e.example/"));
        assert_eq!(rec.header("WARC-Date"), Some("2014-01-02T03:04:05Z"));
        assert_eq!(rec.block, Block::Kept(http.to_vec()));
        assert!(r.next_record().unwrap().is_none());
    }
}
