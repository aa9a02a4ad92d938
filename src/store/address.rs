//! Addresses: `DOC` (its latest version), `DOC@N` (version N, from 1 in
//! captured-at order), `DOC@-K` (K versions before the latest), `DOC@TIME`
//! (the version current at that time), or a capture id / unique hex prefix
//! of 8+ digits.
//!
//! A URL (`http://` or `https://`, any case) stands for its document: the
//! one whose canonical URL it is (after the same canonicalization as `add`:
//! no fragment, no tracking parameters), else the one a capture was fetched
//! from it. `URL@N`, `URL@-K` and `URL@TIME` choose a version as for names.
//! The rule for the `@`, which URLs may contain (`https://x.org/@user`):
//! when the whole text is an archived URL, it is that URL's latest version;
//! otherwise what follows the LAST `@` chooses the version of the URL before
//! it. A URL is never read as a document name or a capture id.

use std::str::FromStr;
use std::sync::Arc;

use time::OffsetDateTime;

use super::error::{AddressError, StoreError};
use super::name::DocName;
use crate::id::hex_val;
use crate::ingest::canon::canonicalize;

use super::archive::Archive;
use super::history::History;
use super::record::CaptureId;

/// A parsed address (not yet resolved against a store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A document's latest version.
    Doc(DocName),
    /// Version N of a document.
    Version(DocName, u64),
    /// The version K before a document's latest (`DOC@-1` is the one before).
    Back(DocName, u64),
    /// The version of a document current at a time.
    At(DocName, OffsetDateTime),
    /// A capture id or hex prefix of one.
    Capture(String),
    /// Either a document name or a capture prefix (e.g. `deadbeef`): both are tried.
    DocOrCapture(DocName),
    /// A URL as typed, with any `@N`, `@-K` or `@TIME` after it: its
    /// document is found in the store (see the module docs for the `@` rule).
    Url(String),
}

/// What follows the `@` of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selector {
    Version(u64),
    Back(u64),
    At(OffsetDateTime),
}

impl Selector {
    fn parse(at: &str) -> Option<Selector> {
        if let Some(k) = at.strip_prefix('-') {
            return match k.parse::<u64>() {
                Ok(k) if k > 0 => Some(Selector::Back(k)),
                _ => None,
            };
        }
        if !at.is_empty() && at.bytes().all(|b| b.is_ascii_digit()) {
            return match at.parse::<u64>() {
                Ok(n) if n > 0 => Some(Selector::Version(n)),
                _ => None,
            };
        }
        crate::when::parse_time_bound(at, true)
            .ok()
            .map(Selector::At)
    }

    fn on(self, doc: DocName) -> Address {
        match self {
            Selector::Version(n) => Address::Version(doc, n),
            Selector::Back(k) => Address::Back(doc, k),
            Selector::At(t) => Address::At(doc, t),
        }
    }
}

/// Whether an argument is a URL (scheme in any case), not a name or a path.
pub fn is_url(s: &str) -> bool {
    let s = s.trim_start().as_bytes();
    let has = |p: &[u8]| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p);
    has(b"http://") || has(b"https://")
}

/// What an address resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub doc: String,
    /// The version number the capture belongs to.
    pub version: u64,
    /// The capture whose text is meant.
    pub capture: CaptureId,
    /// `doc@N`, for display.
    pub label: String,
    /// The document's history (for callers that need neighbours).
    pub history: Arc<History>,
}

const MIN_PREFIX: usize = 8;

fn is_hex_prefix(s: &str) -> bool {
    s.len() >= MIN_PREFIX && s.len() <= 64 && s.bytes().all(|b| hex_val(b).is_some())
}

impl FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || AddressError::Invalid(s.chars().take(80).collect());
        if is_url(s) {
            let s = s.trim();
            let url_ok = |u: &str| canonicalize(u).is_ok();
            let split_ok = s
                .rsplit_once('@')
                .is_some_and(|(u, at)| url_ok(u) && Selector::parse(at).is_some());
            return if url_ok(s) || split_ok {
                Ok(Address::Url(s.to_owned()))
            } else {
                Err(invalid())
            };
        }
        if let Some((doc, at)) = s.split_once('@') {
            let doc = DocName::normalized(doc).map_err(|_| invalid())?;
            return Selector::parse(at)
                .map(|sel| sel.on(doc))
                .ok_or_else(invalid);
        }
        match (DocName::normalized(s), is_hex_prefix(s)) {
            (Ok(doc), true) => Ok(Address::DocOrCapture(doc)),
            (Ok(doc), false) => Ok(Address::Doc(doc)),
            (Err(_), true) => Ok(Address::Capture(s.to_ascii_lowercase())),
            (Err(_), false) => Err(invalid()),
        }
    }
}

/// The document a URL names: the one whose canonical URL it is, else the
/// one a capture was fetched from it (earliest-archived capture first).
fn doc_for_url(a: &Archive, text: &str) -> Result<Option<DocName>, StoreError> {
    let Ok(canonical) = canonicalize(text) else {
        return Ok(None);
    };
    if let Some(doc) = a.doc_for_canonical_url(canonical.as_str())? {
        return Ok(Some(doc));
    }
    let name = a.cat(a.catalog.doc_for_url(text.trim(), canonical.as_str()))?;
    Ok(name.and_then(|n| n.parse().ok()))
}

/// An address by URL, resolved by the `@` rule of the module docs.
fn resolve_url(a: &Archive, text: &str) -> Result<Resolved, StoreError> {
    if let Some(doc) = doc_for_url(a, text)? {
        return resolve(a, &Address::Doc(doc));
    }
    if let Some((url, at)) = text.rsplit_once('@')
        && let Some(sel) = Selector::parse(at)
        && canonicalize(url).is_ok()
    {
        return match doc_for_url(a, url)? {
            Some(doc) => resolve(a, &sel.on(doc)),
            None => Err(unknown_url(url)),
        };
    }
    Err(unknown_url(text))
}

fn unknown_url(url: &str) -> StoreError {
    AddressError::Unknown {
        addr: url.to_owned(),
        hint: format!(
            "; no document has it as its canonical or fetched URL (archive it with `vellum add {url}`)"
        ),
    }
    .into()
}

impl Archive {
    /// Every document name, sorted (what shell completion offers).
    pub fn doc_names(&self) -> Result<Vec<String>, StoreError> {
        self.cat(self.catalog.doc_names())
    }

    /// The document that `text` names as a whole: a document name (NFC and
    /// case folding applied, as typed) or one of its URLs, for commands that
    /// take a document rather than a version (`log DOC`, `reextract DOC`).
    /// An unknown name gets the same "did you mean" as any address.
    pub fn document(&self, text: &str) -> Result<DocName, StoreError> {
        match text.parse::<Address>() {
            Ok(Address::Url(url)) => doc_for_url(self, &url)?.ok_or_else(|| unknown_url(&url)),
            Ok(Address::Doc(doc) | Address::DocOrCapture(doc)) => {
                if self.history(doc.as_str())?.captures.is_empty() {
                    return Err(unknown(self, doc.as_str()));
                }
                Ok(doc)
            }
            Ok(_) => Err(AddressError::Unknown {
                addr: text.to_owned(),
                hint: "; give a document (its name or URL) here, not a version or a capture"
                    .to_owned(),
            }
            .into()),
            Err(e) => Err(e.into()),
        }
    }
}

/// The id range covered by a hex prefix: lowest and highest 32-byte ids.
fn prefix_range(prefix: &str) -> ([u8; 32], [u8; 32]) {
    let mut lo = [0u8; 32];
    let mut hi = [0xffu8; 32];
    for (i, c) in prefix.bytes().enumerate() {
        let v = hex_val(c).expect("checked hex");
        let byte = i / 2;
        if i % 2 == 0 {
            lo[byte] = v << 4;
            hi[byte] = (v << 4) | 0x0f;
        } else {
            lo[byte] |= v;
            hi[byte] = (hi[byte] & 0xf0) | v;
        }
    }
    (lo, hi)
}

pub(super) fn resolve(a: &Archive, addr: &Address) -> Result<Resolved, StoreError> {
    match addr {
        Address::Doc(doc) => latest(a, doc.as_str())?.ok_or_else(|| unknown(a, doc.as_str())),
        Address::Version(doc, n) => version(a, doc, *n),
        Address::Back(doc, k) => {
            let history = a.history(doc.as_str())?;
            let count = history.versions.len() as u64;
            if count > 0 && *k >= count {
                return Err(AddressError::NoSuchVersion {
                    doc: doc.to_string(),
                    n: format!("-{k}"),
                    count,
                }
                .into());
            }
            version(a, doc, count.saturating_sub(*k))
        }
        Address::At(doc, t) => {
            let history = a.history(doc.as_str())?;
            match (history.versions.first(), history.version_at(*t)) {
                (None, _) => Err(no_versions(a, doc.as_str(), &history)),
                (Some(first), None) => Err(AddressError::NotYet {
                    doc: doc.to_string(),
                    at: crate::when::format_time(*t),
                    first: crate::when::format_time(first.captured_at),
                }
                .into()),
                (Some(_), Some(n)) => version(a, doc, n),
            }
        }
        Address::Capture(prefix) => {
            let mut found = by_prefix(a, prefix)?;
            match found.len() {
                0 => Err(unknown(a, prefix)),
                1 => Ok(found.remove(0)),
                _ => Err(ambiguous(prefix, &found)),
            }
        }
        Address::DocOrCapture(name) => {
            // A document with only flagged captures yields to a capture prefix.
            let doc = match latest(a, name.as_str()) {
                Err(StoreError::Address(AddressError::OnlyFlagged { .. })) => None,
                r => r?,
            };
            let mut found = by_prefix(a, name.as_str())?;
            match (doc, found.len()) {
                (Some(d), 0) => Ok(d),
                (None, 1) => Ok(found.remove(0)),
                (None, 0) => Err(unknown(a, name.as_str())),
                (Some(d), _) => {
                    found.insert(0, d);
                    Err(ambiguous(name.as_str(), &found))
                }
                (None, _) => Err(ambiguous(name.as_str(), &found)),
            }
        }
        Address::Url(text) => resolve_url(a, text),
    }
}

/// Version `n` of `doc` (`n` from 1).
fn version(a: &Archive, doc: &DocName, n: u64) -> Result<Resolved, StoreError> {
    let history = a.history(doc.as_str())?;
    if history.versions.is_empty() {
        return Err(no_versions(a, doc.as_str(), &history));
    }
    let Some(v) = n
        .checked_sub(1)
        .and_then(|i| history.versions.get(i as usize))
    else {
        return Err(AddressError::NoSuchVersion {
            doc: doc.to_string(),
            n: n.to_string(),
            count: history.versions.len() as u64,
        }
        .into());
    };
    Ok(Resolved {
        doc: doc.to_string(),
        version: v.number,
        capture: v.capture,
        label: format!("{doc}@{}", v.number),
        history,
    })
}

/// Why a document has no version: it is unknown, or all its captures are
/// flagged.
fn no_versions(a: &Archive, doc: &str, history: &History) -> StoreError {
    if history.captures.is_empty() {
        unknown(a, doc)
    } else {
        AddressError::OnlyFlagged {
            doc: doc.to_owned(),
        }
        .into()
    }
}

fn latest(a: &Archive, doc: &str) -> Result<Option<Resolved>, StoreError> {
    let history = a.history(doc)?;
    let Some(v) = history.versions.last() else {
        if !history.captures.is_empty() {
            return Err(no_versions(a, doc, &history));
        }
        return Ok(None);
    };
    Ok(Some(Resolved {
        doc: doc.to_owned(),
        version: v.number,
        capture: v.capture,
        label: format!("{doc}@{}", v.number),
        history,
    }))
}

fn by_prefix(a: &Archive, prefix: &str) -> Result<Vec<Resolved>, StoreError> {
    let (lo, hi) = prefix_range(prefix);
    let rows = a.cat(a.catalog.captures_in_range(&lo, &hi, 10))?;
    let mut out = Vec::new();
    for row in rows {
        let history = a.history(&row.doc)?;
        let v = history.version_of(&row.id).unwrap_or(0);
        out.push(Resolved {
            label: match v {
                0 if row.superseded => {
                    format!("{} (superseded capture {})", row.doc, row.id.0.short())
                }
                0 => format!("{} (flagged capture {})", row.doc, row.id.0.short()),
                v => format!("{}@{v}", row.doc),
            },
            doc: row.doc,
            version: v,
            capture: row.id,
            history,
        });
    }
    Ok(out)
}

fn unknown(a: &Archive, addr: &str) -> StoreError {
    let docs = a.cat(a.catalog.doc_names()).unwrap_or_default();
    let close = suggestions(addr, &docs);
    let short_hex =
        (4..MIN_PREFIX).contains(&addr.len()) && addr.bytes().all(|b| hex_val(b).is_some());
    let hint = if short_hex {
        format!(
            "; a capture id prefix needs at least {MIN_PREFIX} hex digits (`vellum log DOC` shows them)"
        )
    } else if !close.is_empty() {
        format!(
            "; did you mean {}?",
            close
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else if docs.is_empty() {
        "; the store is empty (archive captures with `vellum add`)".to_owned()
    } else {
        "; `vellum log` lists the documents".to_owned()
    };
    AddressError::Unknown {
        addr: addr.to_owned(),
        hint,
    }
    .into()
}

/// Document names close to a misspelt one: those containing it or
/// contained in it, then those within a small edit distance, closest first.
pub(crate) fn suggestions<'a>(name: &str, docs: &'a [String]) -> Vec<&'a String> {
    let limit = (name.chars().count() / 4).clamp(1, 3);
    let mut scored: Vec<(usize, &String)> = docs
        .iter()
        .filter_map(|d| {
            let part = |a: &str, b: &str| b.len() >= 3 && a.contains(b);
            if part(d, name) || part(name, d) {
                return Some((0, d));
            }
            let dist = strsim::damerau_levenshtein(name, d);
            (dist <= limit).then_some((dist, d))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(5).map(|(_, d)| d).collect()
}

fn ambiguous(addr: &str, found: &[Resolved]) -> StoreError {
    AddressError::Ambiguous {
        addr: addr.to_owned(),
        candidates: found
            .iter()
            .map(|r| format!("  {}  {}", r.capture, r.label))
            .collect(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let doc = |s: &str| s.parse::<DocName>().unwrap();
        assert_eq!("south-front".parse(), Ok(Address::Doc(doc("south-front"))));
        assert_eq!(
            "south-front@2".parse(),
            Ok(Address::Version(doc("south-front"), 2))
        );
        assert_eq!(
            "deadbeef".parse(),
            Ok(Address::DocOrCapture(doc("deadbeef")))
        );
        // Names are case-folded as typed, so upper-case hex may be either.
        assert_eq!(
            "DEADBEEF00".parse(),
            Ok(Address::DocOrCapture(doc("deadbeef00")))
        );
        assert_eq!(
            "deadbeef00-".parse::<Address>().map(|_| ()),
            Ok(()),
            "a name"
        );
        assert_eq!("Новости@2".parse(), Ok(Address::Version(doc("новости"), 2)));
        assert_eq!("a@-2".parse(), Ok(Address::Back(doc("a"), 2)));
        assert_eq!(
            "a@2019-02-12".parse(),
            Ok(Address::At(
                doc("a"),
                time::macros::datetime!(2019-02-12 23:59:59.999999999 UTC)
            ))
        );
        assert_eq!(
            "a@2019-02-12T18:00Z".parse(),
            Ok(Address::At(
                doc("a"),
                time::macros::datetime!(2019-02-12 18:00 UTC)
            ))
        );
        for bad in [
            "a@0",
            "a@x",
            "@1",
            "../x",
            "",
            "a/b",
            "ZZ/ZZZZZZZZ",
            "a@-0",
            "a@-",
            "a@--1",
            "a\u{200b}b",
            "https://",
            "https://x.org:99999/a",
            "ftp://x.org/a",
        ] {
            assert!(bad.parse::<Address>().is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_urls_with_the_last_at_rule() {
        let url = |s: &str| Ok(Address::Url(s.into()));
        for s in [
            "https://x.org/a",
            "HTTP://X.org/a",
            "https://x.org/a@2",
            "https://x.org/a@-1",
            "https://x.org/a@2019-02-12T18:00Z",
            "https://medium.com/@user/post",
            "https://user@x.org/a",
            "https://x.org/новости@3",
        ] {
            assert_eq!(s.parse(), url(s), "{s}");
        }
        assert_eq!(
            Selector::parse("2019-02-12T18:00Z"),
            Some(Selector::At(time::macros::datetime!(2019-02-12 18:00 UTC)))
        );
        assert_eq!(Selector::parse("-3"), Some(Selector::Back(3)));
        assert_eq!(Selector::parse("user/post"), None);
        assert!(is_url(" Https://x") && !is_url("x/https://y") && !is_url("http:/x"));
    }

    #[test]
    fn suggests_close_names() {
        let docs: Vec<String> = ["us-coalition-isis-deal", "south-front", "zaman-al-wasl"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            suggestions("us-coalition-isis-dael", &docs),
            [&docs[0]],
            "a transposition"
        );
        assert_eq!(suggestions("south", &docs), [&docs[1]], "a part");
        assert_eq!(suggestions("sout-frnt", &docs), [&docs[1]], "two letters");
        assert!(suggestions("elsewhere", &docs).is_empty());
    }

    #[test]
    fn prefix_ranges() {
        let (lo, hi) = prefix_range("abc");
        assert_eq!(
            (lo[0], lo[1], hi[0], hi[1], hi[2]),
            (0xab, 0xc0, 0xab, 0xcf, 0xff)
        );
    }
}
