//! Pack files: many objects in one immutable file, so thousands of 1 KB
//! captures cost one file, not thousands of disk blocks and inodes.
//!
//! ```text
//! offset      size  field
//!      0         8  magic "VLMPACK1"
//!      8         n  entries back to back (layout in object.rs)
//!  8 + n         4  entry count (u32 little-endian)
//! 12 + n        32  blake3 of every byte before this field
//! 44 + n         4  magic "VPKE"
//! ```
//!
//! A pack is named after its trailer hash (`packs/<hex>.pack`), so a pack is
//! content-addressed like the objects in it. No separate index file: the
//! catalog records where each object lives and is rebuilt by scanning.

use crate::id::ObjectId;

use super::object::{self, BaseRef, DecodeError, Header};

pub const MAGIC: &[u8; 8] = b"VLMPACK1";
pub const END: &[u8; 4] = b"VPKE";
pub const TRAILER: usize = 4 + 32 + 4;

/// Where an entry sits in its pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub header: Header,
    pub offset: u64,
    /// The delta base's id, with offset references resolved in the pack.
    /// `UNRESOLVED` when an offset names no entry (damage).
    pub base: Option<ObjectId>,
}

/// Stands for the base of an entry whose offset reference leads nowhere; no
/// object has this id, so decoding such an entry reports its base missing.
pub const UNRESOLVED: ObjectId = ObjectId::from_bytes([0; 32]);

/// The base id of an entry, given the ids of the pack's entries by offset.
pub fn resolve(
    header: &Header,
    ids: &std::collections::HashMap<u64, ObjectId>,
) -> Option<ObjectId> {
    match header.base? {
        BaseRef::Id(id) => Some(id),
        BaseRef::Offset(o) => Some(ids.get(&u64::from(o)).copied().unwrap_or(UNRESOLVED)),
    }
}

/// Builds a pack in memory; the caller stores it through the backend.
pub struct PackWriter {
    buf: Vec<u8>,
    entries: Vec<Entry>,
    ids: std::collections::HashMap<u64, ObjectId>,
}

impl Default for PackWriter {
    fn default() -> Self {
        PackWriter {
            buf: MAGIC.to_vec(),
            entries: Vec::new(),
            ids: Default::default(),
        }
    }
}

impl PackWriter {
    /// Appends an encoded entry (from [`object::encode`]).
    pub fn push(&mut self, encoded: &[u8]) -> Entry {
        let header = object::parse_header(encoded).expect("freshly encoded entries parse");
        let offset = self.buf.len() as u64;
        let entry = Entry {
            header,
            offset,
            base: resolve(&header, &self.ids),
        };
        self.ids.insert(offset, header.id);
        self.buf.extend_from_slice(encoded);
        self.entries.push(entry);
        entry
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The id of the entry at `offset`.
    pub fn id_at(&self, offset: u64) -> Option<ObjectId> {
        self.ids.get(&offset).copied()
    }

    /// The offset the next entry will have.
    pub fn next_offset(&self) -> u64 {
        self.buf.len() as u64
    }

    /// Bytes buffered so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// The encoded entry at `offset` (for reading objects not yet flushed).
    pub fn entry_bytes(&self, entry: &Entry) -> &[u8] {
        let start = entry.offset as usize;
        &self.buf[start..start + entry.header.entry_len()]
    }

    /// Seals the pack: returns its name (trailer hash), bytes and entries.
    pub fn finish(mut self) -> (String, Vec<u8>, Vec<Entry>) {
        self.buf
            .extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        let hash = blake3::hash(&self.buf);
        self.buf.extend_from_slice(hash.as_bytes());
        self.buf.extend_from_slice(END);
        (hash.to_hex().to_string(), self.buf, self.entries)
    }
}

/// The result of scanning a pack file.
#[derive(Debug, Default)]
pub struct Scan {
    /// Entries whose headers parsed, in file order.
    pub entries: Vec<Entry>,
    /// Damage found in the pack structure (not in individual objects' contents).
    pub problems: Vec<String>,
    /// The trailer hash matched the content (and the expected name, if given).
    pub intact: bool,
}

/// Reads the structure of `bytes`: magic, trailer, and every entry header.
/// Stops at the first unparseable header (its offsets may be garbage); the
/// catalog's offsets let verify check the entries after it.
pub fn scan(bytes: &[u8], expected_name: Option<&str>) -> Scan {
    let mut scan = Scan::default();
    if bytes.len() < MAGIC.len() + TRAILER {
        scan.problems.push("too short to be a vellum pack".into());
        return scan;
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        // Still scan: the entries carry their own checksums.
        scan.problems.push("bad pack magic".into());
    }
    let body_end = bytes.len() - TRAILER;
    let count = u32::from_le_bytes(bytes[body_end..body_end + 4].try_into().expect("4")) as usize;
    let hash = blake3::hash(&bytes[..body_end + 4]);
    let trailer_ok =
        &bytes[body_end + 4..body_end + 36] == hash.as_bytes() && &bytes[bytes.len() - 4..] == END;
    let name_ok = expected_name.is_none_or(|n| n == hash.to_hex().as_str());
    scan.intact = trailer_ok && name_ok;
    if !trailer_ok {
        scan.problems.push("pack checksum mismatch".into());
    } else if !name_ok {
        scan.problems
            .push("pack content does not match its name".into());
    }
    let mut off = MAGIC.len();
    let mut ids = std::collections::HashMap::new();
    while off < body_end {
        match object::parse_header(&bytes[off..body_end]) {
            Ok(h) if off + h.entry_len() <= body_end => {
                let base = resolve(&h, &ids);
                scan.entries.push(Entry {
                    header: h,
                    offset: off as u64,
                    base,
                });
                ids.insert(off as u64, h.id);
                off += h.entry_len();
            }
            Ok(_) => {
                scan.problems
                    .push(format!("entry at offset {off} runs past the end"));
                break;
            }
            Err(e) => {
                scan.problems.push(format!("entry at offset {off}: {e}"));
                break;
            }
        }
    }
    if scan.intact && scan.entries.len() != count {
        scan.problems.push(format!(
            "pack holds {} entries, its trailer says {count}",
            scan.entries.len()
        ));
    }
    scan
}

/// Decodes one entry at `offset` of `bytes`, given its base's bytes for deltas.
pub fn decode_at(
    bytes: &[u8],
    offset: u64,
    base: Option<(ObjectId, &[u8])>,
) -> Result<(Header, Vec<u8>), DecodeError> {
    let tail = bytes.get(offset as usize..).ok_or(DecodeError::Truncated)?;
    object::decode(tail, base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::object::{BaseRef, Codec, Kind, encode};

    #[test]
    fn write_scan_decode() {
        let mut w = PackWriter::default();
        let (a, ea) = encode(Codec::default(), Kind::Content, b"first version", None).unwrap();
        let ra = w.push(&ea);
        let (b, eb) = encode(
            Codec::default(),
            Kind::Content,
            b"second version",
            Some((BaseRef::Offset(ra.offset as u32), b"first version")),
        )
        .unwrap();
        w.push(&eb);
        let (name, bytes, entries) = w.finish();
        let s = scan(&bytes, Some(&name));
        assert!(s.intact && s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.entries, entries);
        assert_eq!(s.entries[1].header.id, b);
        assert_eq!(s.entries[1].base, Some(a));
        let (_, back) =
            decode_at(&bytes, s.entries[1].offset, Some((a, b"first version"))).unwrap();
        assert_eq!(back, b"second version");
        assert_eq!(
            decode_at(&bytes, ra.offset, None).unwrap().1,
            b"first version"
        );
    }

    #[test]
    fn any_flipped_byte_breaks_the_trailer() {
        let mut w = PackWriter::default();
        w.push(
            &encode(Codec::default(), Kind::Record, b"{}", None)
                .unwrap()
                .1,
        );
        let (name, bytes, _) = w.finish();
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            let s = scan(&bad, Some(&name));
            assert!(!s.intact && !s.problems.is_empty(), "byte {i}");
        }
    }
}
