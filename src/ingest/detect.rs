//! What a capture is: binary, HTML or text. Decided from the bytes and the
//! hints that came with them, binary first (pure, bounded: only a prefix of
//! the bytes is looked at).

/// The kind of a capture, as far as vellum can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Not text: kept as bytes only.
    Binary,
    /// An HTML page: its article text is extracted.
    Html,
    /// Plain text or Markdown: the decoded text is the text.
    Text,
}

/// A kind forced by the user (`--type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeOverride {
    Html,
    Text,
}

/// What came with the bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// `--type`.
    pub forced: Option<TypeOverride>,
    /// A file name or URL path.
    pub name: Option<&'a str>,
    /// An HTTP Content-Type header value.
    pub content_type: Option<&'a str>,
}

/// How many leading bytes the binary and HTML sniffers look at.
const SNIFF_LEN: usize = 8192;

/// Signatures of common binary formats, at offset 0.
const SIGNATURES: &[&[u8]] = &[
    b"%PDF-",
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff", // JPEG
    b"PK\x03\x04",   // zip, docx, epub, odt
    b"PK\x05\x06",   // empty zip
    b"\x1f\x8b",     // gzip
    b"BZh",          // bzip2 (followed by a digit, checked below)
    b"\xfd7zXZ\x00", // xz
    b"7z\xbc\xaf\x27\x1c",
    b"\x28\xb5\x2f\xfd", // zstd
    b"Rar!\x1a\x07",
    b"\x7fELF",
    b"MZ", // Windows executables (weak: see below)
    b"OggS",
    b"ID3", // mp3
    b"fLaC",
    b"\x00\x00\x01\x00", // ico
    b"II*\x00",          // tiff
    b"MM\x00*",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", // old MS Office
    b"wOFF",
    b"wOF2",
    b"SQLite format 3\x00",
];

/// Whether the bytes are binary: a known signature, a NUL byte (outside
/// UTF-16/32 text with a byte-order mark), or more than 10% control
/// characters other than tab, newlines, form feed and escape.
pub fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    if has_utf16_bom(head) {
        return false;
    }
    let signed = SIGNATURES.iter().any(|s| head.starts_with(s));
    // Two weak signatures need more evidence: "BZh" must be followed by a
    // block size digit; "MZ" alone proves nothing (a text may start "MZ"),
    // real executables are caught by their NUL bytes below.
    let weak = head.starts_with(b"BZh") || head.starts_with(b"MZ");
    if signed && !weak {
        return true;
    }
    if head.starts_with(b"BZh") && head.get(3).is_some_and(|d| (b'1'..=b'9').contains(d)) {
        return true;
    }
    if head.starts_with(b"RIFF") && head.len() >= 12 {
        return true; // wav, webp, avi
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return true; // mp4, mov, heic
    }
    if head.contains(&0) {
        return true;
    }
    !head.is_empty() && controls(head) * 10 > head.len()
}

/// Control characters in `bytes` other than tab, newlines, form feed and
/// escape. Counted branch-free in blocks whose counts fit a byte, so that
/// the compiler vectorizes it: every file `diff` is given is sniffed.
fn controls(bytes: &[u8]) -> usize {
    const ALLOWED: u32 = 1 << b'\t' | 1 << b'\n' | 1 << b'\r' | 1 << 0x0c | 1 << 0x1b;
    bytes
        .chunks(255)
        .map(|block| {
            let in_block = block.iter().fold(0u8, |n, &b| {
                let low = (b < 0x20) & ((ALLOWED >> (b & 31)) & 1 == 0);
                n + u8::from(low | (b == 0x7f))
            });
            usize::from(in_block)
        })
        .sum()
}

fn has_utf16_bom(b: &[u8]) -> bool {
    b.starts_with(b"\xff\xfe") || b.starts_with(b"\xfe\xff")
}

/// The kind of a capture: binary first (whatever the hints say: binary bytes
/// are never decoded), then `--type`, then the HTTP Content-Type, the name's
/// extension, and the start of the document.
pub fn detect(bytes: &[u8], hints: Hints<'_>) -> Kind {
    if is_binary(bytes) {
        return Kind::Binary;
    }
    match hints.forced {
        Some(TypeOverride::Html) => return Kind::Html,
        Some(TypeOverride::Text) => return Kind::Text,
        None => {}
    }
    if let Some(ct) = hints.content_type {
        let mime = mime_of(ct);
        if mime == "text/html" || mime == "application/xhtml+xml" {
            return Kind::Html;
        }
    }
    if let Some(name) = hints.name {
        // A URL's query or fragment is not part of its file name.
        let name = name.split(['?', '#']).next().unwrap_or(name);
        let ext = name
            .rsplit_once('.')
            .filter(|(_, e)| !e.contains('/'))
            .map(|(_, e)| e.to_ascii_lowercase());
        if matches!(ext.as_deref(), Some("html" | "htm" | "xhtml")) {
            return Kind::Html;
        }
    }
    if looks_like_html(bytes) {
        Kind::Html
    } else {
        Kind::Text
    }
}

/// The media type of a Content-Type value, lowercased, without parameters.
pub fn mime_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a document starts, after a byte-order mark, whitespace, comments
/// and an XML declaration, with `<!DOCTYPE html`, `<html`, `<head` or `<body`.
/// A Markdown file with `<u>` inside is not HTML.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    // UTF-16 text: look at its ASCII-range characters.
    let narrowed: Vec<u8>;
    let mut s: &[u8] = if has_utf16_bom(head) {
        let le = head.starts_with(b"\xff\xfe");
        narrowed = head[2..]
            .chunks_exact(2)
            .map(|c| {
                let (lo, hi) = if le { (c[0], c[1]) } else { (c[1], c[0]) };
                if hi == 0 { lo } else { b'?' }
            })
            .collect();
        &narrowed
    } else {
        head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head)
    };
    loop {
        s = s.trim_ascii_start();
        if let Some(rest) = s.strip_prefix(b"<!--") {
            match find(rest, b"-->") {
                Some(i) => s = &rest[i + 3..],
                None => return false,
            }
        } else if let Some(rest) = s.strip_prefix(b"<?") {
            match find(rest, b"?>") {
                Some(i) => s = &rest[i + 2..],
                None => return false,
            }
        } else {
            break;
        }
    }
    let starts = |tag: &[u8]| {
        s.len() > tag.len()
            && s[..tag.len()].eq_ignore_ascii_case(tag)
            && matches!(
                s[tag.len()],
                b' ' | b'\t' | b'\n' | b'\r' | 0x0c | b'>' | b'/'
            )
    };
    starts(b"<!doctype html") || starts(b"<html") || starts(b"<head") || starts(b"<body")
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(bytes: &[u8]) -> Kind {
        detect(bytes, Hints::default())
    }

    proptest::proptest! {
        #[test]
        fn controls_counts_as_the_plain_filter(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000)) {
            let plain = bytes
                .iter()
                .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f)
                .count();
            proptest::prop_assert_eq!(super::controls(&bytes), plain);
        }
    }

    #[test]
    fn controls_of_every_byte_value() {
        let all: Vec<u8> = (0..=255).collect();
        // 0x00-0x1f less the five allowed, and DEL.
        assert_eq!(super::controls(&all), 32 - 5 + 1);
        assert_eq!(super::controls(&[1u8; 1000]), 1000);
    }

    #[test]
    fn binary_signatures_and_controls() {
        for b in [
            &b"%PDF-1.7\n%..."[..],
            b"\x89PNG\r\n\x1a\n\0\0",
            b"\xff\xd8\xff\xe0JFIF",
            b"PK\x03\x04zipzip",
            b"\x1f\x8b\x08\0",
            b"GIF89a....",
            b"RIFF\0\0\0\0WEBPVP8 ",
            b"\0\0\0\x18ftypmp42",
            b"BZh91AY",
            b"plain text with a \0 NUL",
            b"\x01\x02\x03\x04\x05abc",
        ] {
            assert_eq!(kind(b), Kind::Binary, "{b:?}");
        }
        // Binary wins over every hint.
        let h = Hints {
            forced: Some(TypeOverride::Html),
            name: Some("a.html"),
            content_type: Some("text/html"),
        };
        assert_eq!(detect(b"%PDF-1.4", h), Kind::Binary);
    }

    #[test]
    fn text_that_resembles_binary_is_text() {
        for b in [
            &b"MZ is a text file name"[..],
            b"BZh is not bzip2 here",
            b"tab\tand\r\nnewlines\x0cform feed",
            b"\x1b$B ISO-2022-JP escapes \x1b(B",
            "Caf\u{e9} \u{645}\u{631}\u{62d}\u{628}\u{627}".as_bytes(),
            b"\xff\xfeh\0i\0", // UTF-16LE with BOM has NULs
            b"",
        ] {
            assert_eq!(kind(b), Kind::Text, "{b:?}");
        }
    }

    #[test]
    fn html_by_start_of_document() {
        for b in [
            &b"<!DOCTYPE html><p>x"[..],
            b"  \n<!doctype HTML>",
            b"\xef\xbb\xbf<html lang=en>",
            b"<!-- saved from url=(0042)https://x --><html>",
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC>",
            b"<HEAD><title>t</title>",
            b"<body>",
            b"\xff\xfe<\0h\0t\0m\0l\0>\0",
        ] {
            assert_eq!(kind(b), Kind::Html, "{b:?}");
        }
        for b in [
            &b"# Title\n\nSome <u>underlined</u> words.\n<html> later"[..],
            b"<header>not html</header>",
            b"<htmlx>",
            b"<!-- unterminated comment <html>",
            b"<p>a fragment</p>",
        ] {
            assert_eq!(kind(b), Kind::Text, "{b:?}");
        }
    }

    #[test]
    fn html_by_hints() {
        let with = |forced, name, content_type| {
            detect(
                b"<p>fragment</p>",
                Hints {
                    forced,
                    name,
                    content_type,
                },
            )
        };
        assert_eq!(with(None, Some("page.HTM"), None), Kind::Html);
        assert_eq!(
            with(None, Some("https://x.org/a.html?x=1"), None),
            Kind::Html
        );
        assert_eq!(with(None, Some("https://x.org/a.html/b"), None), Kind::Text);
        assert_eq!(with(None, Some("notes.md"), None), Kind::Text);
        assert_eq!(
            with(None, None, Some("text/html; charset=windows-1256")),
            Kind::Html
        );
        assert_eq!(with(None, None, Some("Application/XHTML+XML")), Kind::Html);
        assert_eq!(with(None, None, Some("text/plain")), Kind::Text);
        assert_eq!(with(Some(TypeOverride::Html), None, None), Kind::Html);
        // --type text wins over a .html name.
        assert_eq!(
            with(Some(TypeOverride::Text), Some("a.html"), Some("text/html")),
            Kind::Text
        );
    }
}
