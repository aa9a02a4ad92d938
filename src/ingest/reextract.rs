//! Re-extraction: an archived HTML capture read again by the current
//! extractor (`vellum reextract`). Pure: the caller reads the bytes and
//! archives the result as a new record that supersedes the old one (the old
//! record stays; see `store/history.rs`).

use crate::id::ObjectId;
use crate::store::{CaptureExtra, CaptureId, CaptureRecord, CaptureText, NewCapture};

use super::decode::encoding_for_label;
use super::detect::{Kind, TypeOverride};
use super::extract::extractor_id;
use super::{PrepareHints, prepare};

/// What the current extractor makes of a capture's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reextraction {
    /// "name version" of the extractor that made `text`.
    pub extractor: String,
    pub text: String,
    /// The flag the new record carries (see [`carried_flag`]).
    pub flag: Option<String>,
    /// The byline taken out of the text.
    pub byline: Option<String>,
}

impl Reextraction {
    /// The id the text gets in the store.
    pub fn text_id(&self) -> ObjectId {
        ObjectId::of(self.text.as_bytes())
    }
}

/// Whether a record's text was extracted from HTML (only those are read
/// again; plain text is its own text).
pub fn is_extracted_html(rec: &CaptureRecord) -> bool {
    rec.media_type == "text/html" && rec.extractor.is_some() && rec.text.is_some()
}

/// Whether a record was made by the current extractor: reading its bytes
/// again would give the same text (extraction is deterministic).
pub fn is_current(rec: &CaptureRecord) -> bool {
    rec.extractor.as_deref() == Some(extractor_id().as_str())
}

/// Extracts a capture's bytes again, decoded as they were the first time
/// (the record names the encoding), with the same URL and Content-Type
/// hints. `None` when the record is not an HTML extraction.
pub fn reextract(rec: &CaptureRecord, bytes: &[u8]) -> Option<Reextraction> {
    if !is_extracted_html(rec) {
        return None;
    }
    let content_type = rec.http.as_ref().and_then(|h| h.content_type.as_deref());
    let page_url = rec
        .http
        .as_ref()
        .map(|h| h.final_url.as_str())
        .or(rec.url.as_deref());
    let p = prepare(
        bytes,
        PrepareHints {
            forced_type: Some(TypeOverride::Html),
            forced_encoding: rec
                .encoding
                .as_deref()
                .and_then(|e| encoding_for_label(e).ok()),
            name: None,
            content_type,
            page_url,
        },
    );
    debug_assert_eq!(p.kind, Kind::Html);
    let (flag, byline) = p.article.map_or((None, None), |a| (a.flag, a.byline));
    Some(Reextraction {
        extractor: extractor_id(),
        text: p.text.unwrap_or_default(),
        flag: carried_flag(rec).or(flag),
        byline,
    })
}

/// The flag a capture keeps whatever its text: one its extraction did not
/// make (a non-2xx answer kept with `--keep-errors`, a WARC digest that did
/// not match). An extraction's own flag (a thin page) is decided again.
pub fn carried_flag(rec: &CaptureRecord) -> Option<String> {
    let flag = rec.flag.as_ref()?;
    let http_error = rec
        .http
        .as_ref()
        .is_some_and(|h| !(200..300).contains(&h.status));
    (http_error || flag.starts_with("WARC ")).then(|| flag.clone())
}

/// Whether the re-extraction differs from what the record holds, so a new
/// record is due.
pub fn differs(rec: &CaptureRecord, r: &Reextraction) -> bool {
    rec.text != Some(r.text_id()) || rec.flag != r.flag || rec.byline != r.byline
}

/// The capture that supersedes `old` (whose record is `rec`): the same
/// bytes, captured-at time and metadata, the new text.
pub fn superseding(
    rec: &CaptureRecord,
    old: CaptureId,
    bytes: Vec<u8>,
    r: Reextraction,
) -> (NewCapture, CaptureExtra) {
    let rec = rec.clone();
    (
        NewCapture {
            doc: rec.doc,
            captured_at: rec.captured_at,
            bytes,
            media_type: rec.media_type,
            text: CaptureText::Extracted(r.text),
            url: rec.url,
            source: rec.source,
            title: rec.title,
            meta: rec.meta,
        },
        CaptureExtra {
            extractor: Some(r.extractor),
            encoding: rec.encoding,
            encoding_confidence: rec.encoding_confidence,
            byline: r.byline,
            canonical_url: rec.canonical_url,
            http: rec.http,
            flag: r.flag,
            supersedes: Some(old),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::record::RECORD_FORMAT;

    fn record(html: &[u8], text: &str, extractor: &str, flag: Option<&str>) -> CaptureRecord {
        CaptureRecord {
            vellum: RECORD_FORMAT,
            doc: "d".parse().unwrap(),
            captured_at: time::macros::datetime!(2024-05-01 10:00 UTC),
            content: ObjectId::of(html),
            size: html.len() as u64,
            text: Some(ObjectId::of(text.as_bytes())),
            media_type: "text/html".into(),
            url: Some("https://example.org/a".into()),
            source: None,
            title: None,
            meta: Default::default(),
            extractor: Some(extractor.into()),
            encoding: Some("UTF-8".into()),
            encoding_confidence: None,
            byline: None,
            canonical_url: None,
            http: None,
            flag: flag.map(str::to_owned),
            supersedes: None,
        }
    }

    fn page() -> Vec<u8> {
        let words: Vec<String> = (0..80).map(|i| format!("word{i}")).collect();
        format!(
            "<html><head><title>T</title></head><body><nav>Home</nav>\
             <article><p>{}.</p></article></body></html>",
            words.join(" ")
        )
        .into_bytes()
    }

    #[test]
    fn an_old_extraction_is_read_again() {
        let html = page();
        let old = record(&html, "Home T word0", "old 1", None);
        assert!(!is_current(&old));
        let r = reextract(&old, &html).unwrap();
        assert_eq!(r.extractor, extractor_id());
        assert!(r.text.starts_with("T\n\nword0 word1"), "{}", r.text);
        assert!(differs(&old, &r));
        // A record holding what the current extractor makes needs nothing.
        let same = record(&html, &r.text, &extractor_id(), None);
        assert!(is_current(&same));
        assert!(!differs(&same, &reextract(&same, &html).unwrap()));
        let (c, extra) = superseding(&old, CaptureId(ObjectId::of(b"r")), html.clone(), r);
        assert_eq!((c.captured_at, c.doc), (old.captured_at, old.doc.clone()));
        assert_eq!(extra.supersedes, Some(CaptureId(ObjectId::of(b"r"))));
    }

    /// A record of an older extractor, written before bylines were kept,
    /// whose text the current one makes again: the byline it lacks is a
    /// difference, so the re-extraction is due and the new record has it.
    #[test]
    fn a_byline_the_record_lacks_makes_a_reextraction_due() {
        let html = String::from_utf8(page())
            .unwrap()
            .replace(
                "<article>",
                "<article><p>By Jane Reporter and John Editor</p>",
            )
            .into_bytes();
        let probe = record(&html, "", "old 1", None);
        let r = reextract(&probe, &html).unwrap();
        assert_eq!(
            r.byline.as_deref(),
            Some("By Jane Reporter and John Editor")
        );
        assert!(!r.text.contains("Reporter"), "{}", r.text);
        let lacking = record(&html, &r.text, "old 1", None);
        assert!(differs(&lacking, &r));
        let (_, extra) = superseding(
            &lacking,
            CaptureId(ObjectId::of(b"r")),
            html.clone(),
            r.clone(),
        );
        assert_eq!(extra.byline, r.byline);
        let mut kept = lacking.clone();
        kept.byline = r.byline.clone();
        assert!(!differs(&kept, &r));
    }

    #[test]
    fn flags_not_made_by_extraction_are_kept() {
        let html = page();
        let thin = record(&html, "", "old 1", Some("thin extraction (0 words)"));
        let r = reextract(&thin, &html).unwrap();
        assert_eq!(r.flag, None, "the page is an article now");
        let warc = record(&html, "", "old 1", Some("WARC digest mismatch: x"));
        assert!(reextract(&warc, &html).unwrap().flag.is_some());
        let mut text = record(&html, "x", "old 1", None);
        text.media_type = "text/plain".into();
        assert_eq!(reextract(&text, &html), None);
    }
}
