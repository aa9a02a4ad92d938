//! Ingest: bytes as received -> what the store keeps. Pure functions, no I/O.
//!
//! The raw bytes are always kept exactly (they are the evidence). Plain text
//! and Markdown are their own extracted text; bytes that are not UTF-8 have no
//! text, and `show`/`diff` refuse them with a clear message.

pub mod batch;
use crate::store::CaptureText;
pub use crate::store::name::{DocName, InvalidDocName, slug};

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
