//! WARC (ISO 28500, versions 1.0 and 1.1): the web archivists' container.
//!
//! [`read`] streams records out of `.warc`, `.warc.gz` (one gzip member per
//! record, or one for the whole file) with bounded memory and checks their
//! digests; [`http`] takes the HTTP message of a `response` record apart;
//! [`write`] writes records the way the common tools expect them (one gzip
//! member per record, sha1 digests in base32). Those are pure: no store, no
//! printing. [`importer`] archives WARC files through the store and
//! [`export`] writes captures out as WARC records; neither prints.

pub mod arc;
mod error;
pub mod export;
pub mod exporter;
pub mod http;
pub mod import;
pub mod importer;
pub mod pywb;
pub mod read;
pub mod write;

use std::fmt;

pub use error::{Deviation, HttpError, Position, WarcError};

use sha1::Digest as _;

/// A digest algorithm WARC files use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Md5,
}

impl Algorithm {
    fn parse(name: &str) -> Option<Algorithm> {
        match name.to_ascii_lowercase().as_str() {
            "sha1" | "sha-1" => Some(Algorithm::Sha1),
            "sha256" | "sha-256" => Some(Algorithm::Sha256),
            "md5" => Some(Algorithm::Md5),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match self {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Md5 => 16,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
            Algorithm::Md5 => "md5",
        }
    }
}

/// A digest named in a WARC header (`sha1:BASE32`), decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    pub algorithm: Algorithm,
    pub bytes: Vec<u8>,
}

impl Digest {
    /// Parses `algorithm:value`, the value in base32 (what the tools write),
    /// hex, or base64 (standard or URL-safe). `None` for an unknown
    /// algorithm or a value of the wrong length.
    pub fn parse(s: &str) -> Option<Digest> {
        let (name, value) = s.trim().split_once(':')?;
        let algorithm = Algorithm::parse(name)?;
        let n = algorithm.len();
        let value = value.trim();
        let bytes = decode_any(value, n)?;
        Some(Digest { algorithm, bytes })
    }

    /// The digest of `data` with `algorithm`.
    pub fn of(algorithm: Algorithm, data: &[u8]) -> Digest {
        let mut h = Hasher::new(algorithm);
        h.update(data);
        h.finish()
    }

    /// `sha1:BASE32`, as WARC tools write it.
    pub fn to_warc(&self) -> String {
        format!(
            "{}:{}",
            self.algorithm.name(),
            data_encoding::BASE32.encode(&self.bytes)
        )
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_warc())
    }
}

fn decode_any(value: &str, n: usize) -> Option<Vec<u8>> {
    if value.len() == 2 * n
        && let Ok(b) = data_encoding::HEXLOWER_PERMISSIVE.decode(value.as_bytes())
    {
        return Some(b);
    }
    let b32 = value.trim_end_matches('=').to_ascii_uppercase();
    if let Ok(b) = data_encoding::BASE32_NOPAD.decode(b32.as_bytes())
        && b.len() == n
    {
        return Some(b);
    }
    let b64 = value.trim_end_matches('=');
    for enc in [
        &data_encoding::BASE64_NOPAD,
        &data_encoding::BASE64URL_NOPAD,
    ] {
        if let Ok(b) = enc.decode(b64.as_bytes())
            && b.len() == n
        {
            return Some(b);
        }
    }
    None
}

/// Incremental digest (blocks are hashed as they stream past).
pub enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Md5(md5::Md5),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Hasher {
        match algorithm {
            Algorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Md5 => Hasher::Md5(md5::Md5::new()),
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Md5(h) => h.update(data),
        }
    }

    pub fn finish(self) -> Digest {
        let (algorithm, bytes) = match self {
            Hasher::Sha1(h) => (Algorithm::Sha1, h.finalize().to_vec()),
            Hasher::Sha256(h) => (Algorithm::Sha256, h.finalize().to_vec()),
            Hasher::Md5(h) => (Algorithm::Md5, h.finalize().to_vec()),
        };
        Digest { algorithm, bytes }
    }
}

/// What checking one declared digest found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// No digest declared.
    Absent,
    /// Declared and equal.
    Good,
    /// Declared in a form vellum cannot check (unknown algorithm).
    Unchecked(String),
    /// Declared and different: the bytes are not what the writer hashed.
    Bad { declared: String, actual: String },
}

impl Check {
    /// Checks the declared header value against candidate byte strings (a
    /// payload may have been hashed before or after transfer decoding).
    pub fn against(declared: Option<&str>, candidates: &[&[u8]]) -> Check {
        let Some(declared) = declared else {
            return Check::Absent;
        };
        let Some(d) = Digest::parse(declared) else {
            return Check::Unchecked(declared.chars().take(100).collect());
        };
        let mut first = None;
        for c in candidates {
            let actual = Digest::of(d.algorithm, c);
            if actual == d {
                return Check::Good;
            }
            first.get_or_insert(actual);
        }
        Check::Bad {
            declared: declared.chars().take(100).collect(),
            actual: first.map(|a| a.to_warc()).unwrap_or_default(),
        }
    }

    pub fn is_bad(&self) -> bool {
        matches!(self, Check::Bad { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_in_every_encoding() {
        // sha1("") in base32, hex, base64 and URL-safe base64.
        let forms = [
            "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ",
            "SHA1:3i42h3s6nnfq2msvx7xzkyayscx5qbyj",
            "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "sha1:2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
            "sha1:2jmj7l5rSw0yVb_vlWAYkK_YBwk=",
        ];
        for f in forms {
            assert_eq!(
                Digest::parse(f),
                Some(Digest::of(Algorithm::Sha1, b"")),
                "{f}"
            );
        }
        assert_eq!(
            Digest::of(Algorithm::Sha1, b"").to_warc(),
            "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
        );
        let sha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(
            Digest::parse(sha256),
            Some(Digest::of(Algorithm::Sha256, b""))
        );
        let md5 = "md5:d41d8cd98f00b204e9800998ecf8427e";
        assert_eq!(Digest::parse(md5), Some(Digest::of(Algorithm::Md5, b"")));
        assert_eq!(Digest::parse("sha1:short"), None);
        assert_eq!(Digest::parse("crc32:00000000"), None);
        assert_eq!(Digest::parse("no-colon"), None);
    }

    #[test]
    fn checks() {
        let good = Digest::of(Algorithm::Sha1, b"abc").to_warc();
        assert_eq!(Check::against(Some(&good), &[b"x", b"abc"]), Check::Good);
        assert!(Check::against(Some(&good), &[b"abd"]).is_bad());
        assert_eq!(Check::against(None, &[b"abc"]), Check::Absent);
        assert!(matches!(
            Check::against(Some("xyz:1"), &[b"abc"]),
            Check::Unchecked(_)
        ));
    }
}
