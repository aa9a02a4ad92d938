//! Addresses: `DOC` (its latest version), `DOC@N` (version N, from 1 in
//! captured-at order), or a capture id / unique hex prefix of 8+ digits.

use std::rc::Rc;
use std::str::FromStr;

use crate::error::{AddressError, StoreError};
use crate::id::hex_val;
use crate::ingest::DocName;

use super::record::CaptureId;
use super::{Archive, Version};

/// A parsed address (not yet resolved against a store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A document's latest version.
    Doc(DocName),
    /// Version N of a document.
    Version(DocName, u64),
    /// A capture id or hex prefix of one.
    Capture(String),
    /// Either a document name or a capture prefix (e.g. `deadbeef`): both are tried.
    DocOrCapture(DocName),
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
    /// All versions of the document (for callers that need neighbours).
    pub versions: Rc<[Version]>,
}

const MIN_PREFIX: usize = 8;

fn is_hex_prefix(s: &str) -> bool {
    s.len() >= MIN_PREFIX && s.len() <= 64 && s.bytes().all(|b| hex_val(b).is_some())
}

impl FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || AddressError::Invalid(s.chars().take(80).collect());
        if let Some((doc, n)) = s.rsplit_once('@') {
            let doc: DocName = doc.parse().map_err(|_| invalid())?;
            let n: u64 = n.parse().map_err(|_| invalid())?;
            if n == 0 {
                return Err(invalid());
            }
            return Ok(Address::Version(doc, n));
        }
        match (s.parse::<DocName>(), is_hex_prefix(s)) {
            (Ok(doc), true) => Ok(Address::DocOrCapture(doc)),
            (Ok(doc), false) => Ok(Address::Doc(doc)),
            (Err(_), true) => Ok(Address::Capture(s.to_ascii_lowercase())),
            (Err(_), false) => Err(invalid()),
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
        Address::Version(doc, n) => {
            let versions = a.versions(doc.as_str())?;
            if versions.is_empty() {
                return Err(unknown(a, doc.as_str()));
            }
            let Some(v) = versions.get(*n as usize - 1) else {
                return Err(AddressError::NoSuchVersion {
                    doc: doc.to_string(),
                    n: *n,
                    count: versions.len() as u64,
                }
                .into());
            };
            Ok(Resolved {
                doc: doc.to_string(),
                version: v.number,
                capture: v.capture,
                label: format!("{doc}@{n}"),
                versions,
            })
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
            let doc = latest(a, name.as_str())?;
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
    }
}

fn latest(a: &Archive, doc: &str) -> Result<Option<Resolved>, StoreError> {
    let versions = a.versions(doc)?;
    let Some(v) = versions.last() else {
        return Ok(None);
    };
    Ok(Some(Resolved {
        doc: doc.to_owned(),
        version: v.number,
        capture: v.capture,
        label: format!("{doc}@{}", v.number),
        versions,
    }))
}

fn by_prefix(a: &Archive, prefix: &str) -> Result<Vec<Resolved>, StoreError> {
    let (lo, hi) = prefix_range(prefix);
    let rows = a.cat(a.catalog.captures_in_range(&lo, &hi, 10))?;
    let mut out = Vec::new();
    for row in rows {
        let versions = a.versions(&row.doc)?;
        let v = versions
            .iter()
            .find(|v| v.key == row.vkey)
            .map_or(0, |v| v.number);
        out.push(Resolved {
            label: format!("{}@{v}", row.doc),
            doc: row.doc,
            version: v,
            capture: row.id,
            versions,
        });
    }
    Ok(out)
}

fn unknown(a: &Archive, addr: &str) -> StoreError {
    let docs = a.cat(a.catalog.doc_names()).unwrap_or_default();
    let close: Vec<&String> = docs
        .iter()
        .filter(|d| d.contains(addr) || addr.contains(d.as_str()))
        .take(5)
        .collect();
    let hint = if !close.is_empty() {
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
        assert_eq!(
            "DEADBEEF00".parse(),
            Ok(Address::Capture("deadbeef00".into()))
        );
        for bad in ["a@0", "a@x", "@1", "../x", "", "a/b", "ZZZZZZZZZZ"] {
            assert!(bad.parse::<Address>().is_err(), "{bad}");
        }
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
