//! ARC, the Internet Archive's format before WARC (versions 1 and 2), read
//! by the same [`Reader`](super::read::Reader): each ARC record becomes a
//! [`Record`](super::read::Record) with the
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
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = std::str::from_utf8(line).ok()?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
