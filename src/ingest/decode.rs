//! Text decoding: bytes in any common encoding -> UTF-8 (pure).
//!
//! Order, first match wins: an explicit override (`--encoding`), a byte-order
//! mark, the HTTP charset, an HTML `<meta charset>` or `http-equiv`
//! declaration (HTML only), valid UTF-8, then statistical detection
//! ([`charset::detect`]: chardetng for the CJK encodings, language
//! statistics for single-byte ones), which says how sure it is. Labels follow
//! the WHATWG Encoding Standard (encoding_rs), so `iso-8859-1` decodes as its
//! superset windows-1252, as browsers do; a few DOS and Mac code pages it
//! lacks (IBM852, ...) are known too ([`Charset`]).

use encoding_rs::Encoding;

use super::charset::{self, Charset};

/// Where the encoding came from, for the record and `extract --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    Override,
    Bom,
    Http,
    Meta,
    /// Valid UTF-8 without any declaration.
    Utf8,
    Detected,
}

impl EncodingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EncodingSource::Override => "override",
            EncodingSource::Bom => "bom",
            EncodingSource::Http => "http",
            EncodingSource::Meta => "meta",
            EncodingSource::Utf8 => "utf-8",
            EncodingSource::Detected => "detected",
        }
    }
}

/// Decoded text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: Charset,
    pub source: EncodingSource,
    /// Some bytes were malformed for the encoding and became U+FFFD.
    pub had_errors: bool,
    /// How sure detection was (0-100), for a detected encoding only.
    pub confidence: Option<u8>,
}

impl Decoded {
    /// The encoding was guessed, and not with much confidence.
    pub fn unsure(&self) -> bool {
        self.confidence.is_some_and(|c| c < charset::LOW_CONFIDENCE)
    }
}

/// An encoding label nobody knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown encoding {0:?}: use a WHATWG label such as utf-8, windows-1256, iso-8859-6, shift_jis, gbk, koi8-r, or ibm852, ibm855, ibm865, ibm862, ibm737, x-mac-ce"
)]
pub struct UnknownEncoding(pub String);

/// Looks up an encoding by label (`--encoding`).
pub fn encoding_for_label(label: &str) -> Result<Charset, UnknownEncoding> {
    Charset::for_label(label).ok_or_else(|| UnknownEncoding(label.to_owned()))
}

/// What to decode with.
#[derive(Debug, Clone, Copy, Default)]
pub struct DecodeHints<'a> {
    /// `--encoding`.
    pub forced: Option<Charset>,
    /// The full HTTP Content-Type value (its `charset` parameter is used).
    pub content_type: Option<&'a str>,
    /// Whether the bytes are HTML (then `<meta>` declarations count).
    pub html: bool,
    /// The top-level domain of the page's host, a hint for detection.
    pub tld: Option<&'a str>,
}

/// How many bytes are scanned for a `<meta>` declaration (browsers use 1024;
/// real pages put long scripts first, so a little more).
const META_SCAN: usize = 4096;
/// Decodes bytes to text. Never fails: malformed sequences become U+FFFD.
pub fn decode(bytes: &[u8], hints: DecodeHints<'_>) -> Decoded {
    let (encoding, source, confidence) = choose(bytes, hints);
    // decode_with_bom_removal only strips a BOM of the same encoding; a BOM
    // always wins over declarations, so the chosen encoding matches it.
    let (text, had_errors) = encoding.decode(bytes);
    Decoded {
        text,
        encoding,
        source,
        had_errors,
        // Malformed bytes in a guessed encoding: the guess is doubtful.
        confidence: confidence.map(|c| if had_errors { c.min(20) } else { c }),
    }
}

/// The encoding [`decode`] would use, where it came from, and for a
/// detected one how sure detection was (0-100).
pub fn choose(bytes: &[u8], hints: DecodeHints<'_>) -> (Charset, EncodingSource, Option<u8>) {
    if let Some(e) = hints.forced {
        return (e, EncodingSource::Override, None);
    }
    if let Some((e, _)) = Encoding::for_bom(bytes) {
        return (e.into(), EncodingSource::Bom, None);
    }
    // A declared UTF-8 that the bytes contradict is a common server
    // misconfiguration: the next source is asked instead.
    let utf8 = std::str::from_utf8(bytes).is_ok();
    let believable = |e: &&'static Encoding| *e != encoding_rs::UTF_8 || utf8;
    if let Some(e) = hints.content_type.and_then(http_charset).filter(believable) {
        return (e.into(), EncodingSource::Http, None);
    }
    if hints.html
        && let Some(e) = meta_charset(&bytes[..bytes.len().min(META_SCAN)]).filter(believable)
    {
        return (e.into(), EncodingSource::Meta, None);
    }
    if let Some(g) = charset::detect_ascii_like(bytes) {
        return (g.charset, EncodingSource::Detected, Some(g.confidence));
    }
    if utf8 {
        return (Charset::UTF_8, EncodingSource::Utf8, None);
    }
    let tld = hints.tld.filter(|t| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    let guess = charset::detect(bytes, tld);
    (
        guess.charset,
        EncodingSource::Detected,
        Some(guess.confidence),
    )
}

/// The encoding named by a Content-Type's `charset` parameter.
pub fn http_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let v = v.trim().trim_matches(['"', '\'']);
        fix_meta(Encoding::for_label(v.as_bytes())?)
    })
}

/// UTF-16 cannot be declared from inside an ASCII-compatible document
/// (WHATWG: it means UTF-8); x-user-defined means windows-1252.
fn fix_meta(e: &'static Encoding) -> Option<&'static Encoding> {
    if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE {
        Some(encoding_rs::UTF_8)
    } else if e == encoding_rs::X_USER_DEFINED {
        Some(encoding_rs::WINDOWS_1252)
    } else if e == encoding_rs::REPLACEMENT {
        None
    } else {
        Some(e)
    }
}

/// A `<meta charset=...>` or `<meta http-equiv=content-type content="...;
/// charset=...">` in the head, found by a simple tag scan (comments skipped).
pub fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    while i < head.len() {
        let rest = &head[i..];
        if rest.starts_with(b"<!--") {
            i += find(&rest[4..], b"-->").map_or(head.len(), |j| j + 7);
            continue;
        }
        if rest.len() > 5 && rest[0] == b'<' && rest[1..5].eq_ignore_ascii_case(b"meta") {
            let end = find(rest, b">").unwrap_or(rest.len());
            let tag = String::from_utf8_lossy(&rest[5..end]).to_ascii_lowercase();
            if let Some(e) = charset_in_tag(&tag) {
                return Some(e);
            }
            i += end.max(1);
            continue;
        }
        i += 1;
    }
    None
}

fn charset_in_tag(tag: &str) -> Option<&'static Encoding> {
    let attrs = parse_attrs(tag);
    let get = |name: &str| {
        attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(cs) = get("charset") {
        return fix_meta(Encoding::for_label(cs.trim().as_bytes())?);
    }
    if get("http-equiv").is_some_and(|v| v.trim() == "content-type") {
        let content = get("content")?;
        let at = content.find("charset")?;
        let v = content[at + 7..]
            .trim_start()
            .strip_prefix('=')?
            .trim_start();
        let v = v.trim_start_matches(['"', '\'']);
        let end = v
            .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
            .unwrap_or(v.len());
        return fix_meta(Encoding::for_label(&v.as_bytes()[..end])?);
    }
    None
}

/// Attributes of a tag's inside (`name=value`, quoted or not), lowercase.
fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let name = &s[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                i += 1;
                let vs = i;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                value = s[vs..i].to_owned();
                i += 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = s[vs..i].to_owned();
            }
        }
        if !name.is_empty() {
            out.push((name.to_owned(), value));
        }
        if i == start {
            i += 1;
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(b: &[u8]) -> Decoded {
        decode(
            b,
            DecodeHints {
                html: true,
                ..Default::default()
            },
        )
    }

    #[test]
    fn order_bom_http_meta_utf8() {
        let meta1256 = b"<html><head><meta charset=\"windows-1256\"></head>\xe3\xd1\xcd\xc8\xc7";
        let d = html(meta1256);
        assert_eq!(d.encoding, encoding_rs::WINDOWS_1256.into());
        assert_eq!(d.source, EncodingSource::Meta);
        assert!(
            d.text.ends_with("\u{645}\u{631}\u{62d}\u{628}\u{627}"),
            "{}",
            d.text
        );
        // The HTTP charset beats the meta declaration...
        let d = decode(
            meta1256,
            DecodeHints {
                html: true,
                content_type: Some("text/html; charset=ISO-8859-6"),
                ..Default::default()
            },
        );
        assert_eq!(
            (d.encoding.whatwg().unwrap(), d.source),
            (encoding_rs::ISO_8859_6, EncodingSource::Http)
        );
        // ...a BOM beats both, and is removed...
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice("<meta charset=koi8-r>\u{e9}".as_bytes());
        let d = decode(
            &bom,
            DecodeHints {
                html: true,
                content_type: Some("text/html; charset=gbk"),
                ..Default::default()
            },
        );
        assert_eq!(
            (d.encoding.whatwg().unwrap(), d.source),
            (encoding_rs::UTF_8, EncodingSource::Bom)
        );
        assert_eq!(d.text, "<meta charset=koi8-r>\u{e9}");
        // ...and the override beats everything.
        let d = decode(
            &bom,
            DecodeHints {
                forced: Some(encoding_rs::WINDOWS_1252.into()),
                ..Default::default()
            },
        );
        assert_eq!(d.source, EncodingSource::Override);
        assert!(d.text.starts_with("\u{ef}\u{bb}\u{bf}"));
    }

    #[test]
    fn a_utf8_declaration_the_bytes_contradict_is_ignored() {
        let page = b"<html><head><meta charset=windows-1252></head><p>caf\xe9</p>";
        let d = decode(
            page,
            DecodeHints {
                html: true,
                content_type: Some("text/html; charset=utf-8"),
                ..Default::default()
            },
        );
        assert_eq!(
            (d.encoding.whatwg().unwrap(), d.source),
            (encoding_rs::WINDOWS_1252, EncodingSource::Meta)
        );
        assert!(d.text.contains("caf\u{e9}"));
        // Another declared encoding is believed, as browsers do.
        let d = decode(
            page,
            DecodeHints {
                html: true,
                content_type: Some("text/html; charset=koi8-r"),
                ..Default::default()
            },
        );
        assert_eq!(
            (d.encoding.whatwg().unwrap(), d.source),
            (encoding_rs::KOI8_R, EncodingSource::Http)
        );
    }

    #[test]
    fn meta_declarations() {
        for (head, want) in [
            (&b"<meta charset=Shift_JIS>"[..], encoding_rs::SHIFT_JIS),
            (b"<META CHARSET='gb2312'/>", encoding_rs::GBK),
            (
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">",
                encoding_rs::WINDOWS_1251,
            ),
            (
                b"<meta content='text/html;charset=koi8-r' http-equiv='content-type'>",
                encoding_rs::KOI8_R,
            ),
            (b"<meta charset=utf-16>", encoding_rs::UTF_8),
            (b"<meta charset=iso-8859-1>", encoding_rs::WINDOWS_1252),
        ] {
            assert_eq!(
                meta_charset(head),
                Some(want),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        for head in [
            &b"<!-- <meta charset=koi8-r> --><p>"[..],
            b"<meta name=charset content=koi8-r>",
            b"<meta charset=klingon>",
            b"<meta charset",
            b"<meta",
            b"<",
        ] {
            assert_eq!(
                meta_charset(head),
                None,
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        // Not HTML: a meta tag means nothing.
        let d = decode(b"<meta charset=koi8-r> plain", DecodeHints::default());
        assert_eq!(d.source, EncodingSource::Utf8);
    }

    #[test]
    fn http_charsets() {
        assert_eq!(
            http_charset("text/html; charset=\"UTF-8\""),
            Some(encoding_rs::UTF_8)
        );
        assert_eq!(
            http_charset("text/html;Charset=latin1"),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(http_charset("text/html"), None);
        assert_eq!(http_charset("text/html; charset=nonsense"), None);
        assert_eq!(
            encoding_for_label(" Shift-JIS ").unwrap(),
            Charset::Whatwg(encoding_rs::SHIFT_JIS)
        );
        assert_eq!(encoding_for_label("cp852").unwrap().name(), "IBM852");
        assert!(encoding_for_label("ebcdic-klingon").is_err());
    }

    #[test]
    fn undeclared_and_hostile() {
        let d = decode(b"\x80\x81 \xff", DecodeHints::default());
        assert_eq!(d.source, EncodingSource::Detected);
        assert!(!d.text.is_empty());
        // A bogus TLD hint is ignored, never a panic.
        let d = decode(
            b"\xe9t\xe9",
            DecodeHints {
                tld: Some("Fr.X"),
                ..Default::default()
            },
        );
        assert_eq!(d.source, EncodingSource::Detected);
        let d = decode(b"", DecodeHints::default());
        assert_eq!((d.text.as_str(), d.source), ("", EncodingSource::Utf8));
    }

    macro_rules! fixture {
        ($name:literal) => {
            (
                $name,
                include_bytes!(concat!("../../tests/fixtures/encodings/", $name, ".txt"))
                    .as_slice(),
                include_bytes!(concat!("../../tests/fixtures/encodings/", $name, ".html"))
                    .as_slice(),
                include_str!(concat!(
                    "../../tests/fixtures/encodings/",
                    $name,
                    ".expected"
                )),
            )
        };
    }

    const FIXTURES: [(&str, &[u8], &[u8], &str); 9] = [
        fixture!("windows-1256"),
        fixture!("iso-8859-6"),
        fixture!("windows-1251"),
        fixture!("koi8-r"),
        fixture!("shift_jis"),
        fixture!("gbk"),
        fixture!("gb2312"),
        fixture!("windows-1252"),
        fixture!("iso-8859-1"),
    ];

    #[test]
    fn real_files_declared_in_html() {
        for (label, _, page, expected) in FIXTURES {
            let d = html(page);
            assert_eq!(d.source, EncodingSource::Meta, "{label}");
            assert_eq!(d.encoding, encoding_for_label(label).unwrap(), "{label}");
            assert!(!d.had_errors, "{label}");
            assert!(d.text.contains(expected.trim_end()), "{label}: {}", d.text);
        }
    }

    #[test]
    fn real_files_by_http_charset_and_override() {
        for (label, txt, _, expected) in FIXTURES {
            let ct = format!("text/plain; charset={label}");
            let d = decode(
                txt,
                DecodeHints {
                    content_type: Some(&ct),
                    ..Default::default()
                },
            );
            assert_eq!(
                (d.text.as_str(), d.source),
                (expected, EncodingSource::Http),
                "{label}"
            );
            let forced = Some(encoding_for_label(label).unwrap());
            let d = decode(
                txt,
                DecodeHints {
                    forced,
                    ..Default::default()
                },
            );
            assert_eq!(d.text, expected, "{label}");
        }
    }

    #[test]
    fn real_files_undeclared_are_detected() {
        for (label, txt, _, expected) in FIXTURES {
            let d = decode(txt, DecodeHints::default());
            assert_eq!(d.source, EncodingSource::Detected, "{label}");
            assert_eq!(
                d.text,
                expected,
                "{label} detected as {}",
                d.encoding.name()
            );
        }
    }
}
