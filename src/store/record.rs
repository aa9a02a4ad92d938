//! Capture records: one small canonical JSON object per capture, stored as a
//! content-addressed object like the bytes it describes. The catalog is built
//! from these alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::name::DocName;
use crate::id::ObjectId;

/// Current record format.
pub const RECORD_FORMAT: u32 = 1;

/// Everything known about one capture. Field order is the canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureRecord {
    pub vellum: u32,
    pub doc: DocName,
    #[serde(with = "time::serde::rfc3339")]
    pub captured_at: OffsetDateTime,
    /// The bytes exactly as received.
    pub content: ObjectId,
    pub size: u64,
    /// The extracted text (equal to `content` for UTF-8 plain text and
    /// Markdown); absent when the bytes are not text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<ObjectId>,
    pub media_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Free-form string metadata from the importer (a crawler's job id, an
    /// archive URL). Absent when empty, so records without it keep the
    /// bytes, and therefore the capture ids, they always had.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
    // Web captures. Every field below is optional and absent from records
    // that do not use it, so older records keep their canonical bytes (and
    // so their capture ids).
    /// The extractor that made `text` from HTML ("name version").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extractor: Option<String>,
    /// The encoding `text` was decoded from, when the bytes are not UTF-8
    /// used as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// How sure detection was of `encoding` (0-100), when it was guessed
    /// (no declaration); below 50 the text may be mojibake. Absent from
    /// records of declared encodings and from records written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding_confidence: Option<u8>,
    /// The "By ..." line the extractor took out of the article's text
    /// (extractor revision 3 on), so an author added between versions
    /// shows. Absent when the page has none and from records written
    /// before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// The canonical URL of the page (tracking parameters removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    /// How the bytes were fetched, for captures of a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpRecord>,
    /// Why this capture is suspect (a thin extraction such as a consent
    /// wall, an error page, a non-2xx answer kept with `--keep-errors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// The capture this record replaces: the same bytes and captured-at
    /// time, its text made again by a newer extractor (`vellum reextract`).
    /// The replaced record stays archived; versions use this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<CaptureId>,
}

/// The HTTP exchange behind a fetched capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRecord {
    /// The URL that answered, after redirects.
    pub final_url: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
    /// Each URL that redirected, in order, with its status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<RedirectHop>,
    /// The status line and response headers: as received, or rebuilt by
    /// the HTTP client (`head_reconstructed` says which).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub head: String,
    /// `true`: `head` was rebuilt from what the HTTP client kept (it
    /// normalizes the version, reason phrase and header-name case), so it
    /// is not evidence of what the server sent. Absent in records written
    /// before this field (their heads were rebuilt too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_reconstructed: Option<bool>,
}

/// One redirect of a fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedirectHop {
    pub url: String,
    pub status: u16,
}

impl CaptureRecord {
    /// Canonical bytes: compact JSON in field order, time in UTC.
    /// Callers check the time with [`canonical_time`] first.
    pub fn to_canonical(&self) -> Vec<u8> {
        let mut r = self.clone();
        r.captured_at = canonical_time(r.captured_at).expect("capture time checked by the writer");
        serde_json::to_vec(&r).expect("records always serialize")
    }

    /// Parses a record; one whose time cannot be written in UTC is invalid.
    pub fn parse(bytes: &[u8]) -> Result<CaptureRecord, serde_json::Error> {
        let rec: CaptureRecord = serde_json::from_slice(bytes)?;
        if canonical_time(rec.captured_at).is_none() {
            return Err(serde::de::Error::custom(
                "captured_at out of range (years 0000-9999 UTC)",
            ));
        }
        Ok(rec)
    }

    /// What identifies the version this capture belongs to: its text, or its
    /// bytes when it has no text.
    pub fn version_key(&self) -> ObjectId {
        self.text.unwrap_or(self.content)
    }
}

/// A capture time in UTC, if RFC 3339 can write it there (years 0000-9999).
pub fn canonical_time(t: OffsetDateTime) -> Option<OffsetDateTime> {
    t.checked_to_offset(time::UtcOffset::UTC)
        .filter(|u| (0..=9999).contains(&u.year()))
}

/// A capture id: the id of its record object. The stable, citable address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[derive(schemars::JsonSchema)]
pub struct CaptureId(pub ObjectId);

impl std::fmt::Display for CaptureId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_round_trip() {
        let r = CaptureRecord {
            vellum: RECORD_FORMAT,
            doc: "a".parse().unwrap(),
            captured_at: time::macros::datetime!(2019-02-12 12:56 +01:00),
            content: ObjectId::of(b"x"),
            size: 1,
            text: Some(ObjectId::of(b"x")),
            media_type: "text/plain".into(),
            url: None,
            source: Some("blog".into()),
            title: None,
            meta: BTreeMap::new(),
            extractor: None,
            encoding: None,
            encoding_confidence: None,
            byline: None,
            canonical_url: None,
            http: None,
            flag: None,
            supersedes: None,
        };
        let bytes = r.to_canonical();
        let s = std::str::from_utf8(&bytes).unwrap();
        assert!(
            s.starts_with(r#"{"vellum":1,"doc":"a","captured_at":"2019-02-12T11:56:00Z""#),
            "{s}"
        );
        let back = CaptureRecord::parse(&bytes).unwrap();
        assert_eq!(back.captured_at, r.captured_at);
        assert_eq!(back.to_canonical(), bytes);
        assert!(CaptureRecord::parse(br#"{"vellum":1,"doc":"../x"}"#).is_err());
        assert!(
            CaptureRecord::parse(include_bytes!(
                "../../fuzz/regressions/record_parse/year-0-positive-offset.json"
            ))
            .is_err()
        );
        let edge = time::macros::datetime!(0000-01-01 00:00 +01:00);
        assert_eq!(canonical_time(edge), None);
        assert_eq!(
            canonical_time(time::macros::datetime!(9999-12-31 23:59:59 -01:00)),
            None
        );
        assert!(canonical_time(time::macros::datetime!(9999-12-31 22:00 -01:00)).is_some());
    }

    /// Capture ids are hashes of these bytes: a record without meta must
    /// serialize exactly as records did before meta existed, or every
    /// capture id in every existing store would stop matching.
    #[test]
    fn records_without_meta_keep_their_bytes() {
        let before_meta = br#"{"vellum":1,"doc":"a","captured_at":"2019-02-12T11:56:00Z","content":"COUNTENT","size":1,"text":"COUNTENT","media_type":"text/plain","source":"blog"}"#;
        let id = ObjectId::of(b"x").to_string();
        let old = String::from_utf8(before_meta.to_vec())
            .unwrap()
            .replace("COUNTENT", &id);
        let rec = CaptureRecord::parse(old.as_bytes()).unwrap();
        assert!(rec.meta.is_empty());
        assert_eq!(String::from_utf8(rec.to_canonical()).unwrap(), old);

        let mut with = rec.clone();
        with.meta.insert("job".into(), "42".into());
        with.meta
            .insert("archive".into(), "https://web.archive.org/x".into());
        let bytes = with.to_canonical();
        let s = std::str::from_utf8(&bytes).unwrap();
        assert!(
            s.ends_with(r#","meta":{"archive":"https://web.archive.org/x","job":"42"}}"#),
            "{s}"
        );
        assert_eq!(CaptureRecord::parse(&bytes).unwrap(), with);
    }

    /// Records written before the web fields existed keep their exact bytes,
    /// so their capture ids still verify.
    #[test]
    fn old_records_are_byte_identical() {
        let old = br#"{"vellum":1,"doc":"south-front","captured_at":"2019-02-12T11:56:00Z","content":"0000000000000000000000000000000000000000000000000000000000000000","size":5,"text":"0000000000000000000000000000000000000000000000000000000000000000","media_type":"text/markdown","url":"https://example.org/a","source":"blog","title":"T"}"#;
        let r = CaptureRecord::parse(old).unwrap();
        assert_eq!(r.to_canonical(), old.to_vec());
        let mut web = r.clone();
        web.extractor = Some("x 1".into());
        web.http = Some(HttpRecord {
            final_url: "https://example.org/a".into(),
            status: 200,
            content_type: Some("text/html".into()),
            etag: None,
            last_modified: None,
            fetched_at: time::macros::datetime!(2019-02-12 11:56 UTC),
            redirects: vec![RedirectHop {
                url: "http://example.org/a".into(),
                status: 301,
            }],
            head: String::new(),
            head_reconstructed: None,
        });
        web.flag = Some("thin extraction (3 words)".into());
        let bytes = web.to_canonical();
        let s = std::str::from_utf8(&bytes).unwrap();
        assert!(
            s.contains(r#""title":"T","extractor":"x 1","http":{"final_url""#),
            "{s}"
        );
        assert!(!s.contains("etag") && !s.contains("\"head\""), "{s}");
        assert_eq!(CaptureRecord::parse(&bytes).unwrap(), web);
    }

    /// `byline` (issue #28) is optional like the other web fields: a record
    /// without it keeps its bytes, one with it puts it in canonical order.
    #[test]
    fn a_byline_is_kept_in_canonical_order() {
        let old = br#"{"vellum":1,"doc":"d","captured_at":"2024-05-01T10:00:00Z","content":"0000000000000000000000000000000000000000000000000000000000000000","size":5,"media_type":"text/html","extractor":"vellum-article 3","encoding":"UTF-8","canonical_url":"https://example.org/a"}"#;
        let r = CaptureRecord::parse(old).unwrap();
        assert_eq!(r.byline, None);
        assert_eq!(r.to_canonical(), old.to_vec());
        let mut with = r.clone();
        with.byline = Some("By A and B".into());
        let bytes = with.to_canonical();
        let s = std::str::from_utf8(&bytes).unwrap();
        assert!(
            s.contains(r#""encoding":"UTF-8","byline":"By A and B","canonical_url""#),
            "{s}"
        );
        assert_ne!(ObjectId::of(&bytes), ObjectId::of(old));
        assert_eq!(CaptureRecord::parse(&bytes).unwrap(), with);
    }
}
