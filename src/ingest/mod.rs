//! Ingest: bytes as received -> what the store keeps. Pure functions, no I/O.
//!
//! The raw bytes are always kept exactly (they are the evidence). Their kind
//! is decided first ([`detect`]: binary, HTML or text); binary bytes have no
//! text, and `show`/`diff` refuse them with a clear message. UTF-8 text and
//! Markdown are their own text; text in another encoding is decoded
//! ([`decode`]); an HTML page's text is its extracted article ([`extract`]).

pub mod batch;
pub mod canon;
pub mod charset;
pub mod decode;
pub mod detect;
pub mod extract;
pub mod reextract;
pub mod surt;

use crate::store::CaptureText;
pub use crate::store::name::{DocName, InvalidDocName, slug};

/// How to read one capture: what came with its bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrepareHints<'a> {
    /// `--type`.
    pub forced_type: Option<detect::TypeOverride>,
    /// `--encoding`.
    pub forced_encoding: Option<charset::Charset>,
    /// A file name or URL.
    pub name: Option<&'a str>,
    /// An HTTP Content-Type value.
    pub content_type: Option<&'a str>,
    /// The page's absolute URL (resolves canonical links; its TLD helps detection).
    pub page_url: Option<&'a str>,
}

/// A capture read for the store: its kind, media type, text and how the text
/// was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub kind: detect::Kind,
    pub media_type: String,
    /// The text, when the capture has one.
    pub text: Option<String>,
    /// The text is the capture's bytes themselves (UTF-8 text, kept as-is).
    pub text_is_content: bool,
    /// The encoding the text was decoded from (`None`: bytes used as they are).
    pub encoding: Option<charset::Charset>,
    pub encoding_source: Option<decode::EncodingSource>,
    /// How sure detection was (0-100), when the encoding was guessed.
    pub encoding_confidence: Option<u8>,
    /// For HTML: what extraction found.
    pub article: Option<extract::Article>,
}

/// Largest decoded plain text kept; a longer text in a legacy encoding is
/// archived as bytes only.
pub const MAX_DECODED_TEXT: usize = 64 << 20;

/// Reads one capture's bytes: kind, encoding, and text (extracted for HTML).
pub fn prepare(bytes: &[u8], hints: PrepareHints<'_>) -> Prepared {
    let kind = detect::detect(
        bytes,
        detect::Hints {
            forced: hints.forced_type,
            name: hints.name,
            content_type: hints.content_type,
        },
    );
    let tld = hints
        .page_url
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| {
            u.host_str()
                .and_then(|h| h.rsplit('.').next())
                .map(str::to_owned)
        });
    let dh = decode::DecodeHints {
        forced: hints.forced_encoding,
        content_type: hints.content_type,
        html: kind == detect::Kind::Html,
        tld: tld.as_deref(),
    };
    match kind {
        detect::Kind::Binary => Prepared {
            kind,
            media_type: hints
                .content_type
                .map(detect::mime_of)
                .filter(|m| !m.is_empty() && !m.starts_with("text/"))
                .unwrap_or_else(|| "application/octet-stream".into()),
            text: None,
            text_is_content: false,
            encoding: None,
            encoding_source: None,
            encoding_confidence: None,
            article: None,
        },
        detect::Kind::Text => {
            let media_type = media_type(hints.name, b"").to_owned();
            let media_type = if media_type == "text/html" {
                "text/plain".to_owned()
            } else {
                media_type
            };
            // UTF-8 is kept byte for byte (a BOM included), as vellum always
            // has, unless the user forces another encoding.
            if hints.forced_encoding.is_none()
                && let Ok(s) = std::str::from_utf8(bytes)
            {
                return Prepared {
                    kind,
                    media_type,
                    text: Some(s.to_owned()),
                    text_is_content: true,
                    encoding: None,
                    encoding_source: None,
                    encoding_confidence: None,
                    article: None,
                };
            }
            let d = decode::decode(bytes, dh);
            let fits = d.text.len() <= MAX_DECODED_TEXT;
            Prepared {
                kind,
                media_type,
                text_is_content: fits && d.text.as_bytes() == bytes,
                text: fits.then_some(d.text),
                encoding: Some(d.encoding),
                encoding_source: Some(d.source),
                encoding_confidence: d.confidence,
                article: None,
            }
        }
        detect::Kind::Html => {
            // Only the start of a huge page is decoded and looked at.
            let head = &bytes[..bytes.len().min(extract::MAX_HTML_LEN)];
            let d = decode::decode(head, dh);
            let article = extract::extract(&d.text, hints.page_url);
            Prepared {
                kind,
                media_type: "text/html".into(),
                text: Some(article.text()),
                text_is_content: false,
                encoding: Some(d.encoding),
                encoding_source: Some(d.source),
                encoding_confidence: d.confidence,
                article: Some(article),
            }
        }
    }
}

/// What kind of content a capture holds, as far as vellum can tell.
pub fn media_type(path_hint: Option<&str>, bytes: &[u8]) -> &'static str {
    if std::str::from_utf8(bytes).is_err() {
        return "application/octet-stream";
    }
    let ext = path_hint
        .and_then(|p| p.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("md" | "markdown") => "text/markdown",
        Some("html" | "htm") => "text/html",
        _ => "text/plain",
    }
}

/// The text of a capture, when it has one: the bytes themselves if they are UTF-8.
pub fn extract_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// What the store records about `bytes`: their media type (guessed from
/// `name_hint`, a file name or URL) and their text.
pub fn describe(name_hint: Option<&str>, bytes: &[u8]) -> (String, CaptureText) {
    let text = match extract_text(bytes) {
        Some(_) => CaptureText::Bytes,
        None => CaptureText::None,
    };
    (media_type(name_hint, bytes).to_owned(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_kinds() {
        let p = prepare("caf\u{e9}\n".as_bytes(), PrepareHints::default());
        assert_eq!((p.kind, p.text_is_content), (detect::Kind::Text, true));
        assert_eq!(p.text.as_deref(), Some("caf\u{e9}\n"));
        let p = prepare(b"caf\xe9 cr\xe8me br\xfbl\xe9e\n", PrepareHints::default());
        assert_eq!(
            p.text.as_deref(),
            Some("caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e\n")
        );
        assert_eq!(p.encoding, Some(encoding_rs::WINDOWS_1252.into()));
        assert!(!p.text_is_content);
        let p = prepare(b"%PDF-1.4 ...", PrepareHints::default());
        assert_eq!((p.kind, p.text), (detect::Kind::Binary, None));
        assert_eq!(p.media_type, "application/octet-stream");
        let page = include_bytes!("../../tests/fixtures/encodings/windows-1256.html");
        let p = prepare(page, PrepareHints::default());
        assert_eq!(p.kind, detect::Kind::Html);
        assert_eq!(p.encoding, Some(encoding_rs::WINDOWS_1256.into()));
        let text = p.text.unwrap();
        assert!(
            text.contains("\u{623}\u{639}\u{644}\u{646}\u{62a}"),
            "{text}"
        );
        assert!(!text.contains("<p>"), "{text}");
    }

    #[test]
    fn media_types() {
        assert_eq!(media_type(Some("a/b.md"), b"x"), "text/markdown");
        assert_eq!(media_type(Some("b.txt"), b"x"), "text/plain");
        assert_eq!(media_type(None, b"\xff\xfe"), "application/octet-stream");
    }

    #[test]
    fn text_only_for_utf8() {
        assert_eq!(extract_text("caf\u{e9}".as_bytes()), Some("caf\u{e9}"));
        assert_eq!(extract_text(b"\xc3"), None);
        assert_eq!(extract_text(b""), Some(""));
    }
}
