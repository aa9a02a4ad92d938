//! Pack index objects: what indexing a pack needs, without the pack.
//!
//! A machine catching up on a store on object storage would otherwise GET
//! every pack it does not know whole, only to read its entry headers and its
//! few capture records, log segments and state objects. Beside each pack the
//! writer stores `index/<name>.idx` (after the pack, never overwritten):
//!
//! ```text
//! offset  size  field (integers little-endian)
//!      0     4  magic "VPIX"
//!      4     1  version (1; 2 when an entry leaves its id out)
//!      5    32  the pack's name (its trailer hash)
//!     37     8  the pack's size in bytes
//!     45     4  entry count n
//!     49        n entries: offset (u64), then the entry's header bytes
//!               exactly as in the pack (self-delimiting, with its check);
//!               version 2: then, for a compact entry that does not store
//!               its id (store format 5), the id (32 bytes), which a
//!               machine catching up cannot compute without the pack
//!      …     4  raw count m
//!      …        m raw entries: entry number (u32, increasing), a form byte,
//!               then an entry (header and frame): form 0, the entry's bytes
//!               exactly as in the pack; form 1, the same object encoded
//!               without a delta base (same id, kind and size)
//!      …    32  blake3 of every byte before this field
//! ```
//!
//! Raw entries are the records, log segments and state objects, with the
//! in-pack delta bases they need. One whose delta base is in another pack
//! (a record is a delta against the document's previous record) is stored
//! in form 1, so that a machine catching up never reads older packs. An index is a cache, never an authority:
//! it must parse, tile the pack it names exactly, agree with the listed pack
//! size, and every object read from it is checked against its id; any
//! disagreement and the reader scans the pack instead. Deleting an index
//! object is always safe. The pack format is unchanged. Index objects live
//! only on object storage, so the ids version 2 repeats are not counted
//! twice in a local store.

use std::collections::HashMap;

use crate::id::ObjectId;

use super::object::{self, BaseRef, Codec, Kind, MAX_HEADER_LEN, MAX_OBJECT_SIZE};
use super::pack::{self, Entry};

pub const MAGIC: &[u8; 4] = b"VPIX";
pub const VERSION: u8 = 1;
/// Version 2: ids of compact entries that leave theirs out.
pub const VERSION_IDS: u8 = 2;
const HASH: usize = 32;
/// Magic, version, name, size, entry count, raw count and trailer.
const FIXED: usize = 4 + 1 + HASH + 8 + 4 + 4 + HASH;
/// The smallest entry header (a compact one without id or base).
const MIN_HEADER: usize = 7;
/// Objects re-encoded without their base (small records): full compression.
const LEVEL: Codec = Codec {
    delta_level: 19,
    full_level: 19,
    large_at: usize::MAX,
    large_level: 19,
    huge_at: usize::MAX,
    huge_level: 19,
};

/// The key of a pack's index object.
pub fn key(pack: &str) -> String {
    format!("index/{pack}.idx")
}

/// The pack an index key names.
pub fn pack_of(key: &str) -> Option<&str> {
    key.strip_prefix("index/")?.strip_suffix(".idx")
}

/// The largest index object a pack of `pack_size` bytes can have (each entry
/// at most its offset, its header and a copy of itself); anything larger is
/// not fetched.
pub fn max_len(pack_size: u64) -> u64 {
    // An entry can be 12 bytes and its index line 8 + 7 + 32.
    pack_size.saturating_mul(8).saturating_add(FIXED as u64)
}

/// A parsed index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackIndex {
    pub name: String,
    pub size: u64,
    /// Every entry, in pack order, bases resolved as `pack::scan` does.
    pub entries: Vec<Entry>,
    /// The raw entries: entry number and bytes.
    pub raw: Vec<(usize, Vec<u8>)>,
}

impl PackIndex {
    /// The raw entries by id, with their resolved bases (none for one
    /// stored without its base).
    pub fn raw_by_id(&self) -> HashMap<ObjectId, (Vec<u8>, Option<ObjectId>)> {
        self.raw
            .iter()
            .map(|(i, bytes)| {
                let e = &self.entries[*i];
                let alone = object::parse_header(bytes).is_ok_and(|h| h.base.is_none());
                (
                    e.header.id,
                    (bytes.clone(), if alone { None } else { e.base }),
                )
            })
            .collect()
    }
}

/// Why an index object was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("truncated")]
    Truncated,
    #[error("not a pack index (bad magic)")]
    Magic,
    #[error("unknown pack index version {0}")]
    Version(u8),
    #[error("checksum mismatch")]
    Checksum,
    #[error("{0}")]
    Invalid(String),
}

impl IndexError {
    /// The kind of this error: a damaged index object (safe to delete; the
    /// pack it indexes is the data).
    pub fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Damaged
    }
}

fn invalid(s: impl Into<String>) -> IndexError {
    IndexError::Invalid(s.into())
}

/// Whether an entry's bytes go into the index: what indexing reads.
pub fn wanted(kind: Kind) -> bool {
    matches!(kind, Kind::Record | Kind::Log | Kind::State | Kind::Check)
}

/// Builds the index of a sealed pack from its bytes and entries.
/// `standalone` gives the bytes of an object whose delta base is in another
/// pack (`None`: it is stored as in the pack, and readers fetch its base).
pub fn encode(
    name: &str,
    pack: &[u8],
    entries: &[Entry],
    standalone: &mut dyn FnMut(&ObjectId) -> Option<Vec<u8>>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(FIXED + entries.len() * 60);
    out.extend_from_slice(MAGIC);
    let ids = entries.iter().any(|e| !e.header.layout.stores_id());
    out.push(if ids { VERSION_IDS } else { VERSION });
    let mut raw_name = [0u8; HASH];
    if let Ok(h) = blake3::Hash::from_hex(name) {
        raw_name = *h.as_bytes();
    }
    out.extend_from_slice(&raw_name);
    out.extend_from_slice(&(pack.len() as u64).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for e in entries {
        let start = e.offset as usize;
        out.extend_from_slice(&e.offset.to_le_bytes());
        out.extend_from_slice(&pack[start..start + e.header.header_len()]);
        if !e.header.layout.stores_id() {
            out.extend_from_slice(e.header.id.as_bytes());
        }
    }
    // Records, log segments and state objects, and the in-pack bases their
    // chains need (a record is often a delta against an earlier one).
    let pos: HashMap<ObjectId, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.header.id, i))
        .collect();
    let mut keep = vec![false; entries.len()];
    for (i, e) in entries.iter().enumerate() {
        if !wanted(e.header.kind) {
            continue;
        }
        let mut at = Some(i);
        while let Some(j) = at.filter(|j| !keep[*j]) {
            keep[j] = true;
            at = entries[j].base.and_then(|b| pos.get(&b).copied());
        }
    }
    let kept: Vec<usize> = (0..entries.len()).filter(|i| keep[*i]).collect();
    out.extend_from_slice(&(kept.len() as u32).to_le_bytes());
    for i in kept {
        let e = &entries[i];
        let start = e.offset as usize;
        out.extend_from_slice(&(i as u32).to_le_bytes());
        let alone = match e.header.base {
            Some(BaseRef::Id(_)) => standalone(&e.header.id)
                .filter(|plain| plain.len() == e.header.size)
                .and_then(|plain| object::encode(LEVEL, e.header.kind, &plain, None).ok())
                .filter(|(id, _)| *id == e.header.id),
            _ => None,
        };
        match alone {
            Some((_, entry)) => {
                out.push(1);
                out.extend_from_slice(&entry);
            }
            None => {
                out.push(0);
                out.extend_from_slice(&pack[start..start + e.header.entry_len()]);
            }
        }
    }
    let hash = blake3::hash(&out);
    out.extend_from_slice(hash.as_bytes());
    out
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        let end = self.at.checked_add(n).ok_or(IndexError::Truncated)?;
        let s = self.buf.get(self.at..end).ok_or(IndexError::Truncated)?;
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, IndexError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn u64(&mut self) -> Result<u64, IndexError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }
    fn left(&self) -> usize {
        self.buf.len() - self.at
    }
}

/// Parses an index object (untrusted: every count and length is bounded by
/// the bytes actually present, and the entries must tile the pack exactly).
pub fn parse(bytes: &[u8]) -> Result<PackIndex, IndexError> {
    if bytes.len() < FIXED {
        return Err(IndexError::Truncated);
    }
    if &bytes[..4] != MAGIC {
        return Err(IndexError::Magic);
    }
    if bytes[4] != VERSION && bytes[4] != VERSION_IDS {
        return Err(IndexError::Version(bytes[4]));
    }
    let body = &bytes[..bytes.len() - HASH];
    if blake3::hash(body).as_bytes() != &bytes[body.len()..] {
        return Err(IndexError::Checksum);
    }
    let mut r = Reader { buf: body, at: 5 };
    let name = blake3::Hash::from_bytes(r.take(HASH)?.try_into().expect("32"))
        .to_hex()
        .to_string();
    let size = r.u64()?;
    let count = r.u32()? as usize;
    if count > r.left() / (8 + MIN_HEADER) {
        return Err(invalid(format!("{count} entries cannot fit")));
    }
    let mut entries = Vec::with_capacity(count);
    let mut ids: HashMap<u64, ObjectId> = HashMap::with_capacity(count);
    let mut next = pack::MAGIC.len() as u64;
    for _ in 0..count {
        let offset = r.u64()?;
        if offset != next {
            return Err(invalid(format!("entry at {offset}, expected {next}")));
        }
        let rest = &r.buf[r.at..];
        let mut header = object::parse_header(&rest[..rest.len().min(MAX_HEADER_LEN)])
            .map_err(|e| invalid(format!("entry header at {offset}: {e}")))?;
        r.take(header.header_len())?;
        if !header.layout.stores_id() {
            if bytes[4] != VERSION_IDS {
                return Err(invalid(format!("entry at {offset} has no id")));
            }
            header.id = ObjectId::from_bytes(r.take(HASH)?.try_into().expect("32"));
            if header.id.as_bytes()[..4] != header.id_prefix {
                return Err(invalid(format!("entry at {offset}: id of another object")));
            }
        }
        next = offset
            .checked_add(header.entry_len() as u64)
            .ok_or_else(|| invalid("offsets overflow"))?;
        if next.saturating_add(pack::TRAILER as u64) > size {
            return Err(invalid(format!("entry at {offset} runs past the pack")));
        }
        let base = pack::resolve(&header, &ids);
        ids.insert(offset, header.id);
        entries.push(Entry {
            header,
            offset,
            base,
            in_set: false,
        });
    }
    if next + pack::TRAILER as u64 != size {
        return Err(invalid("entries do not cover the pack"));
    }
    let raw_count = r.u32()? as usize;
    if raw_count > count || raw_count > r.left() / (5 + MIN_HEADER) {
        return Err(invalid(format!("{raw_count} raw entries cannot fit")));
    }
    let mut raw = Vec::with_capacity(raw_count);
    let mut last: Option<usize> = None;
    for _ in 0..raw_count {
        let i = r.u32()? as usize;
        if i >= count || last.is_some_and(|l| i <= l) {
            return Err(invalid(format!("raw entry number {i} out of order")));
        }
        last = Some(i);
        let e = &entries[i];
        let form = r.take(1)?[0];
        let rest = &r.buf[r.at..];
        let h = object::parse_header(&rest[..rest.len().min(MAX_HEADER_LEN)])
            .map_err(|err| invalid(format!("raw entry {i}: {err}")))?;
        let same = match form {
            0 if !h.layout.stores_id() => {
                object::Header {
                    id: e.header.id,
                    ..h
                } == e.header
            }
            0 => h == e.header,
            // The same object without a base: what its id covers agrees.
            1 => {
                h.base.is_none()
                    && (h.id, h.kind, h.size) == (e.header.id, e.header.kind, e.header.size)
            }
            _ => return Err(invalid(format!("raw entry {i}: unknown form {form}"))),
        };
        if !same {
            return Err(invalid(format!("raw entry {i} is not the entry it names")));
        }
        let len = h.entry_len();
        if h.size > MAX_OBJECT_SIZE || len > r.left() {
            return Err(IndexError::Truncated);
        }
        raw.push((i, r.take(len)?.to_vec()));
    }
    if r.left() != 0 {
        return Err(invalid("trailing bytes"));
    }
    Ok(PackIndex {
        name,
        size,
        entries,
        raw,
    })
}

/// Checks an index object against the pack it names (for `verify`, which
/// reads the pack anyway): `Err` says how they disagree.
pub fn check(index: &[u8], name: &str, pack_bytes: &[u8]) -> Result<(), String> {
    let ix = parse(index).map_err(|e| e.to_string())?;
    if ix.name != name {
        return Err(format!("it names pack {}", ix.name));
    }
    if ix.size != pack_bytes.len() as u64 {
        return Err(format!(
            "it gives the pack {} bytes, the pack has {}",
            ix.size,
            pack_bytes.len()
        ));
    }
    let scan = pack::scan(pack_bytes, Some(name));
    if scan.entries != ix.entries {
        return Err("its entries are not the pack's".into());
    }
    // The same raw entries as an index made now; those stored without
    // their base (re-encoded, so not byte-comparable) must decode to their id.
    let fresh = parse(&encode(name, pack_bytes, &scan.entries, &mut |_| None))
        .map_err(|e| format!("the pack's own index does not parse: {e}"))?;
    let numbers = |x: &PackIndex| x.raw.iter().map(|(i, _)| *i).collect::<Vec<_>>();
    if numbers(&fresh) != numbers(&ix) {
        return Err("it holds other raw entries than the pack's".into());
    }
    for ((i, got), (_, want)) in ix.raw.iter().zip(&fresh.raw) {
        let id = ix.entries[*i].header.id;
        let ok = got == want
            || object::parse_header(got).is_ok_and(|h| h.base.is_none())
                && object::decode_expecting(got, Some(id), None).is_ok();
        if !ok {
            return Err(format!("raw entry {i} is not the pack's"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::object::{BaseRef, Codec, encode as encode_entry};
    use crate::store::pack::PackWriter;

    fn sample() -> (String, Vec<u8>, Vec<Entry>) {
        let mut w = PackWriter::default();
        let c = Codec::default();
        w.push_new(encode_entry(c, Kind::Content, b"some article text", None).unwrap());
        let r1 =
            w.push_new(encode_entry(c, Kind::Record, b"{\"doc\":\"a\",\"n\":1}", None).unwrap());
        let delta = encode_entry(
            c,
            Kind::Record,
            b"{\"doc\":\"a\",\"n\":2}",
            Some((
                BaseRef::Offset(r1.offset as u32),
                b"{\"doc\":\"a\",\"n\":1}",
            )),
        )
        .unwrap();
        w.push_new(delta);
        w.push_new(encode_entry(c, Kind::Content, b"more article text", None).unwrap());
        w.push_new(encode_entry(c, Kind::Log, b"log segment", None).unwrap());
        w.finish()
    }

    /// The `pack_index` fuzz target's sample: content, a record delta'd on
    /// another in the pack, a log segment and a record delta'd on one in
    /// another pack; with its name and index.
    fn fuzz_sample() -> (String, Vec<u8>, Vec<u8>) {
        let c = Codec::default();
        let mut w = PackWriter::default();
        w.push_new(encode_entry(c, Kind::Content, b"article text", None).unwrap());
        let r1 = b"{\"doc\":\"a\",\"n\":1}";
        let e1 = w.push_new(encode_entry(c, Kind::Record, r1, None).unwrap());
        let base = Some((BaseRef::Offset(e1.offset as u32), &r1[..]));
        w.push_new(encode_entry(c, Kind::Record, b"{\"doc\":\"a\",\"n\":2}", base).unwrap());
        w.push_new(encode_entry(c, Kind::Log, b"segment", None).unwrap());
        // A record whose base is in another pack: the index holds it without.
        let r3 = b"{\"doc\":\"a\",\"n\":3}";
        let other = Some((BaseRef::Id(ObjectId::of(r1)), &r1[..]));
        w.push_new(encode_entry(c, Kind::Record, r3, other).unwrap());
        let (name, bytes, entries) = w.finish();
        let index = encode(&name, &bytes, &entries, &mut |_| Some(r3.to_vec()));
        (name, bytes, index)
    }

    /// The `pack_index` fuzz target reads its sample pack and index from
    /// `fuzz/fixtures/` instead of building them: compressing inside the
    /// ASan-instrumented binary trips a false report (gcc-built zstd). This
    /// keeps the committed pair a true pack and its own index, holding the
    /// objects `fuzz_sample` builds (`VELLUM_WRITE_FUZZ_FIXTURES=1`
    /// rewrites them, e.g. after a format change).
    #[test]
    fn the_fuzz_fixture_is_a_pack_and_its_own_index() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fixtures");
        let (name, bytes, index) = fuzz_sample();
        if std::env::var_os("VELLUM_WRITE_FUZZ_FIXTURES").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("pack_index.pack"), &bytes).unwrap();
            std::fs::write(dir.join("pack_index.idx"), &index).unwrap();
        }
        let pack = std::fs::read(dir.join("pack_index.pack")).unwrap();
        let idx = std::fs::read(dir.join("pack_index.idx")).unwrap();
        let trailer = &pack[pack.len() - 36..pack.len() - 4];
        let pack_name = blake3::Hash::from_bytes(trailer.try_into().unwrap()).to_hex();
        assert_eq!(check(&idx, &pack_name, &pack), Ok(()));
        let ids = |b: &[u8], n: &str| -> Vec<(ObjectId, Kind, Option<ObjectId>)> {
            let scan = pack::scan(b, Some(n));
            assert!(scan.intact && scan.problems.is_empty());
            let e = scan.entries.iter();
            e.map(|e| (e.header.id, e.header.kind, e.base)).collect()
        };
        assert_eq!(ids(&pack, &pack_name), ids(&bytes, &name));
        let (ours, fresh) = (parse(&idx).unwrap(), parse(&index).unwrap());
        assert_eq!(ours.raw.len(), fresh.raw.len());
        assert_eq!(ours.raw.len(), 4, "the three records and the log segment");
    }

    #[test]
    fn round_trip_keeps_headers_and_only_what_indexing_reads() {
        let (name, bytes, entries) = sample();
        let ix = encode(&name, &bytes, &entries, &mut |_| None);
        let p = parse(&ix).unwrap();
        assert_eq!(p.name, name);
        assert_eq!(p.size, bytes.len() as u64);
        assert_eq!(p.entries, entries);
        assert_eq!(p.entries, pack::scan(&bytes, Some(&name)).entries);
        let kept: Vec<usize> = p.raw.iter().map(|(i, _)| *i).collect();
        assert_eq!(kept, vec![1, 2, 4], "records, the log, not content");
        for (i, raw) in &p.raw {
            let e = &entries[*i];
            let start = e.offset as usize;
            assert_eq!(raw, &bytes[start..start + e.header.entry_len()]);
        }
        assert!(ix.len() < bytes.len() + 200);
        assert_eq!(check(&ix, &name, &bytes), Ok(()));
        assert_eq!(pack_of(&key(&name)), Some(name.as_str()));
    }

    #[test]
    fn any_flipped_byte_is_refused() {
        let (name, bytes, entries) = sample();
        let ix = encode(&name, &bytes, &entries, &mut |_| None);
        for i in 0..ix.len() {
            let mut bad = ix.clone();
            bad[i] ^= 0x04;
            assert!(parse(&bad).is_err(), "byte {i}");
            assert!(check(&bad, &name, &bytes).is_err(), "byte {i}");
        }
        for cut in 0..ix.len() {
            assert!(parse(&ix[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn an_entry_whose_base_is_in_another_pack_is_stored_without_it() {
        let c = Codec::default();
        let old = b"{\"doc\":\"a\",\"n\":1}".to_vec();
        let new = b"{\"doc\":\"a\",\"n\":2}".to_vec();
        let old_id = ObjectId::of(&old);
        let mut w = PackWriter::default();
        w.push_new(encode_entry(c, Kind::Content, b"text", None).unwrap());
        let delta = encode_entry(c, Kind::Record, &new, Some((BaseRef::Id(old_id), &old)));
        w.push_new(delta.unwrap());
        let (name, bytes, entries) = w.finish();
        let mut asked = Vec::new();
        let ix = encode(&name, &bytes, &entries, &mut |id| {
            asked.push(*id);
            Some(new.clone())
        });
        assert_eq!(asked, vec![ObjectId::of(&new)]);
        let p = parse(&ix).unwrap();
        let raw = p.raw_by_id();
        let (alone, base) = &raw[&ObjectId::of(&new)];
        assert_eq!(*base, None, "read without its base");
        assert_eq!(object::decode(alone, None).unwrap().1, new);
        assert_eq!(p.entries, entries, "the pack's own headers are kept");
        assert_eq!(check(&ix, &name, &bytes), Ok(()));
        // Without the plain bytes it is kept as in the pack, base and all.
        let plain = encode(&name, &bytes, &entries, &mut |_| None);
        assert_eq!(
            parse(&plain).unwrap().raw_by_id()[&ObjectId::of(&new)].1,
            Some(old_id)
        );
        // Other bytes (a wrong size, or not hashing to the id) are refused.
        let wrong = encode(&name, &bytes, &entries, &mut |_| Some(old.clone()));
        assert_eq!(wrong, plain);
        let mut lie = ix.clone();
        let n = lie.len();
        lie[n - HASH - 2] ^= 1;
        let lie = reseal(lie);
        if parse(&lie).is_ok() {
            assert!(check(&lie, &name, &bytes).is_err());
        }
    }

    #[test]
    fn resealed_mutations_never_panic_and_never_pass_check_with_other_entries() {
        let (name, bytes, entries) = sample();
        let ix = encode(&name, &bytes, &entries, &mut |_| None);
        for i in 0..ix.len() - HASH {
            for bit in [0x01, 0x80] {
                let mut bad = ix.clone();
                bad[i] ^= bit;
                let bad = reseal(bad);
                if let Ok(p) = parse(&bad) {
                    let end = p
                        .entries
                        .last()
                        .map_or(8, |e| e.offset + e.header.entry_len() as u64);
                    assert_eq!(end + pack::TRAILER as u64, p.size, "byte {i}");
                }
                if check(&bad, &name, &bytes).is_ok() {
                    assert_eq!(parse(&bad).unwrap().entries, entries, "byte {i}");
                }
            }
        }
        // Counts claiming more than the bytes hold are refused before any
        // allocation.
        let mut huge = ix.clone();
        huge[45..49].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse(&reseal(huge)).is_err());
    }

    fn reseal(mut body: Vec<u8>) -> Vec<u8> {
        body.truncate(body.len() - HASH);
        let h = blake3::hash(&body);
        body.extend_from_slice(h.as_bytes());
        body
    }

    #[test]
    fn a_resealed_lie_is_refused_or_caught_by_check() {
        let (name, bytes, entries) = sample();
        let ix = encode(&name, &bytes, &entries, &mut |_| None);
        // A different pack size: entries no longer cover it.
        let mut lie = ix.clone();
        lie[37] ^= 1;
        assert!(parse(&reseal(lie)).is_err());
        // A byte of a raw record's frame: parses (the header is intact) but
        // check against the pack says so.
        let mut lie = ix.clone();
        let at = ix.len() - HASH - 3;
        lie[at] ^= 1;
        let lie = reseal(lie);
        assert!(parse(&lie).is_ok());
        assert!(check(&lie, &name, &bytes).is_err());
        // Another pack's name.
        let other = "00".repeat(32);
        assert!(check(&ix, &other, &bytes).is_err());
    }
}
