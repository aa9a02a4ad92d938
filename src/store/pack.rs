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
//!
//! The pack layout is the same in every store format; from store format 5
//! on, new packs hold compact entries (object.rs), most of them without
//! their id. [`scan`] then decodes those (and the in-pack bases they need,
//! each kept only until its last use) and hashes them, so a scan still
//! lists every entry with its id; on the benchmark corpus that costs one
//! decompression and one blake3 per object, as `verify` spends anyway.
//! Packs are never rewritten: a store that becomes format 5 keeps its
//! classic packs and reads both.

use std::collections::HashMap;

use crate::id::ObjectId;

use super::object::{self, BaseRef, DecodeError, Header, Kind};
use super::recordset;

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
    /// A capture record inside the record set at `offset` (store format 7):
    /// not an entry of its own. Its header is the set's, with the record's
    /// kind, id and size; reading it reads the set (`chain.rs`).
    pub in_set: bool,
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
    /// Offsets of the entries that decode from this pack alone (no base,
    /// or an in-pack base that does): a compact entry on top of one of
    /// them may leave its id out, since `scan` can hash it.
    contained: std::collections::HashSet<u64>,
}

impl Default for PackWriter {
    fn default() -> Self {
        PackWriter {
            buf: MAGIC.to_vec(),
            entries: Vec::new(),
            ids: Default::default(),
            contained: Default::default(),
        }
    }
}

impl PackWriter {
    /// Appends an encoded entry (from [`object::encode`] or
    /// [`object::encode_as`]) of the object `id` (the caller knows it: an
    /// entry may not store it).
    pub fn push(&mut self, encoded: &[u8], id: ObjectId) -> Entry {
        let mut header = object::parse_header(encoded).expect("freshly encoded entries parse");
        debug_assert!(!header.layout.stores_id() || header.id == id);
        header.id = id;
        let offset = self.buf.len() as u64;
        let entry = Entry {
            header,
            offset,
            base: resolve(&header, &self.ids),
            in_set: false,
        };
        let contained = match header.base {
            None => true,
            Some(BaseRef::Offset(o)) => self.contained.contains(&u64::from(o)),
            Some(BaseRef::Id(_)) => false,
        };
        if contained {
            self.contained.insert(offset);
        }
        self.ids.insert(offset, header.id);
        self.buf.extend_from_slice(encoded);
        self.entries.push(entry);
        entry
    }

    /// [`PackWriter::push`] of what [`object::encode`] returns.
    pub fn push_new(&mut self, (id, encoded): (ObjectId, Vec<u8>)) -> Entry {
        self.push(&encoded, id)
    }

    /// Whether the entry at `offset` decodes from this pack alone.
    pub fn contained(&self, offset: u64) -> bool {
        self.contained.contains(&offset)
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
    scan_known(bytes, expected_name, &Default::default())
}

/// [`scan`], taking the ids of entries that leave theirs out from `known`
/// (offset -> id: the catalog's, for `verify`, which then decodes every
/// object against its id anyway) instead of decoding them here.
pub fn scan_known(
    bytes: &[u8],
    expected_name: Option<&str>,
    known: &std::collections::HashMap<u64, ObjectId>,
) -> Scan {
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
    let headers = walk(bytes, body_end, &mut scan.problems);
    let mut ids = std::collections::HashMap::new();
    let mut real = 0;
    for (off, h) in hash_unstored(bytes, headers, known, &mut scan.problems) {
        let base = resolve(&h, &ids);
        scan.entries.push(Entry {
            header: h,
            offset: off as u64,
            base,
            in_set: false,
        });
        real += 1;
        ids.insert(off as u64, h.id);
        if h.kind == Kind::RecordSet {
            set_records(bytes, off, h, &mut scan);
        }
    }
    if scan.intact && real != count {
        scan.problems.push(format!(
            "pack holds {real} entries, its trailer says {count}"
        ));
    }
    scan
}

/// Lists the records of the record set at `off` as entries of their own
/// (see [`Entry::in_set`]), learning their ids by decoding the set. A set
/// that does not decode is reported; its records are then unknown (verify
/// reports the set as damaged).
fn set_records(bytes: &[u8], off: usize, set: Header, scan: &mut Scan) {
    let content = match set.base {
        Some(_) => Err(DecodeError::RecordSet),
        None => object::decode(&bytes[off..], None).map(|(_, c)| c),
    };
    let records = content.and_then(|c| {
        Ok(recordset::split(&c)?
            .into_iter()
            .map(|r| (ObjectId::of(r), r.len()))
            .collect::<Vec<_>>())
    });
    match records {
        Ok(records) => {
            for (id, size) in records {
                scan.entries.push(Entry {
                    header: Header {
                        kind: Kind::Record,
                        id,
                        size,
                        ..set
                    },
                    offset: off as u64,
                    base: None,
                    in_set: true,
                });
            }
        }
        Err(e) => scan
            .problems
            .push(format!("record set at offset {off}: {e}")),
    }
}

/// The entry headers of a pack body, in file order, up to the first that
/// does not parse (its offsets may be garbage).
fn walk(bytes: &[u8], body_end: usize, problems: &mut Vec<String>) -> Vec<(usize, Header)> {
    let mut headers = Vec::new();
    let mut off = MAGIC.len();
    while off < body_end {
        match object::parse_header(&bytes[off..body_end]) {
            Ok(h) if off + h.entry_len() <= body_end => {
                headers.push((off, h));
                off += h.entry_len();
            }
            Ok(_) => {
                problems.push(format!("entry at offset {off} runs past the end"));
                break;
            }
            Err(e) => {
                problems.push(format!("entry at offset {off}: {e}"));
                break;
            }
        }
    }
    headers
}

/// Fills in the ids of the compact entries that do not store theirs by
/// decoding them (and the in-pack bases they need) and hashing. Decoded
/// bases are kept only until their last use. An entry that cannot be
/// decoded is left out and reported: without its content it has no id.
fn hash_unstored(
    bytes: &[u8],
    mut headers: Vec<(usize, Header)>,
    known: &HashMap<u64, ObjectId>,
    problems: &mut Vec<String>,
) -> Vec<(usize, Header)> {
    for (off, h) in &mut headers {
        if let Some(id) = known
            .get(&(*off as u64))
            .filter(|id| !h.layout.stores_id() && id.as_bytes()[..4] == h.id_prefix)
        {
            h.id = *id;
        }
    }
    if headers
        .iter()
        .all(|(_, h)| h.layout.stores_id() || h.id != object::NO_ID)
    {
        return headers;
    }
    let at: HashMap<usize, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, (o, _))| (*o, i))
        .collect();
    let base_of = |h: &Header| match h.base {
        Some(BaseRef::Offset(o)) => at.get(&(o as usize)).copied(),
        _ => None,
    };
    // Which entries must be decoded, and the last entry that needs each.
    let mut needed = vec![false; headers.len()];
    let mut last_use = vec![0usize; headers.len()];
    for i in (0..headers.len()).rev() {
        if !headers[i].1.layout.stores_id() && headers[i].1.id == object::NO_ID {
            needed[i] = true;
        }
        if needed[i]
            && let Some(b) = base_of(&headers[i].1).filter(|b| *b < i)
        {
            needed[b] = true;
            last_use[b] = last_use[b].max(i);
        }
    }
    let mut decoded: HashMap<usize, (ObjectId, Vec<u8>)> = HashMap::new();
    let mut lost = vec![false; headers.len()];
    for i in 0..headers.len() {
        if !needed[i] {
            continue;
        }
        let (off, h) = headers[i];
        let result = match h.base {
            None => object::decode(&bytes[off..], None),
            Some(BaseRef::Offset(_)) => match base_of(&h).and_then(|b| decoded.get(&b)) {
                Some((id, b)) => object::decode(&bytes[off..], Some((*id, b))),
                None => Err(DecodeError::NoBase),
            },
            Some(BaseRef::Id(_)) => Err(DecodeError::NoBase),
        };
        match result {
            Ok((got, content)) => {
                headers[i].1.id = got.id;
                if last_use[i] > i {
                    decoded.insert(i, (got.id, content));
                }
            }
            Err(e) => {
                lost[i] = !h.layout.stores_id();
                problems.push(format!("entry at offset {off}: {e}"));
            }
        }
        if let Some(b) = base_of(&h)
            && last_use[b] <= i
        {
            decoded.remove(&b);
        }
    }
    headers
        .into_iter()
        .zip(lost)
        .filter(|(_, l)| !l)
        .map(|(e, _)| e)
        .collect()
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
        let ra = w.push(&ea, a);
        let (b, eb) = encode(
            Codec::default(),
            Kind::Content,
            b"second version",
            Some((BaseRef::Offset(ra.offset as u32), b"first version")),
        )
        .unwrap();
        w.push(&eb, b);
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

    /// A record set (store format 7) is one entry; a scan lists it and
    /// then each record in it at its offset, with the record's own id, and
    /// the trailer's count is of real entries. A set that does not split
    /// is reported and its records are not listed.
    #[test]
    fn scan_lists_the_records_of_a_set() {
        use crate::store::object::{Layout, encode_as};
        use crate::store::recordset;
        let records: [&[u8]; 3] = [b"{\"a\":1}", b"{\"b\":2}", b"{\"c\":3}"];
        let layout = Layout::Compact { id: true };
        let c = Codec::default();
        for (content, good) in [
            (recordset::encode(&records), true),
            (b"vrs1\x02\x01".to_vec(), false),
        ] {
            let mut w = PackWriter::default();
            let (t, et) = encode(c, Kind::Content, b"a text", None).unwrap();
            w.push(&et, t);
            let (set, es) = encode_as(c, layout, Kind::RecordSet, &content, None).unwrap();
            let at = w.push(&es, set).offset;
            let (name, bytes, _) = w.finish();
            let s = scan(&bytes, Some(&name));
            assert!(s.intact);
            let listed: Vec<(Kind, ObjectId, u64, bool)> = s
                .entries
                .iter()
                .map(|e| (e.header.kind, e.header.id, e.offset, e.in_set))
                .collect();
            let mut want = vec![(Kind::RecordSet, set, at, false)];
            if good {
                assert!(s.problems.is_empty(), "{:?}", s.problems);
                want.extend(
                    records
                        .iter()
                        .map(|r| (Kind::Record, ObjectId::of(r), at, true)),
                );
            } else {
                assert_eq!(s.problems.len(), 1, "{:?}", s.problems);
            }
            assert_eq!(listed[1..], want[..]);
        }
    }

    /// Entries that leave their id out get it from `scan` by decoding (the
    /// chain of in-pack bases first); one whose base is in another pack
    /// keeps its id, since the pack alone cannot decode it.
    #[test]
    fn scan_hashes_the_entries_without_ids() {
        use crate::store::object::{Layout, encode_as};
        let c = Codec::default();
        let texts: [&[u8]; 3] = [b"first version", b"second version", b"third version!"];
        let mut w = PackWriter::default();
        let mut prev: Option<(Entry, &[u8])> = None;
        for t in texts {
            let base = prev.map(|(e, b)| (BaseRef::Offset(e.offset as u32), b));
            let id = match base {
                Some((BaseRef::Offset(o), _)) => !w.contained(u64::from(o)),
                _ => false,
            };
            let enc = encode_as(c, Layout::Compact { id }, Kind::Content, t, base).unwrap();
            prev = Some((w.push_new(enc), t));
        }
        let other = ObjectId::of(b"elsewhere");
        let far = encode_as(
            c,
            Layout::Compact { id: true },
            Kind::Record,
            b"a record",
            Some((BaseRef::Id(other), b"elsewhere")),
        )
        .unwrap();
        w.push_new(far);
        let (name, bytes, entries) = w.finish();
        let s = scan(&bytes, Some(&name));
        assert!(s.intact && s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.entries, entries);
        let ids: Vec<ObjectId> = s.entries.iter().map(|e| e.header.id).collect();
        assert_eq!(&ids[..3], texts.map(ObjectId::of).as_slice());
        assert_eq!(s.entries[2].base, Some(ids[1]));
        assert!(!s.entries[2].header.layout.stores_id());
        assert!(s.entries[3].header.layout.stores_id());
        // A damaged frame in the middle of the chain: that entry and the
        // one built on it have no id; both are reported, not listed.
        let mut bad = bytes.clone();
        let e = &s.entries[1];
        bad[e.offset as usize + e.header.hlen + 3] ^= 0x20;
        let d = scan(&bad, None);
        assert_eq!(d.entries.len(), 2, "{:?}", d.problems);
        assert_eq!(d.entries[0].header.id, ids[0]);
        assert_eq!(d.entries[1].header.id, ids[3]);
        assert!(d.problems.len() >= 2, "{:?}", d.problems);
    }

    #[test]
    fn any_flipped_byte_breaks_the_trailer() {
        let mut w = PackWriter::default();
        let (id, e) = encode(Codec::default(), Kind::Record, b"{}", None).unwrap();
        w.push(&e, id);
        let (name, bytes, _) = w.finish();
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            let s = scan(&bad, Some(&name));
            assert!(!s.intact && !s.problems.is_empty(), "byte {i}");
        }
    }
}
