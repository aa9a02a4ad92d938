//! Record sets (store format 7): the capture records of one write, stored
//! as one object compressed as one zstd frame instead of one entry each.
//!
//! A record alone is a few hundred bytes of JSON, most of it shared with
//! the records beside it (field names, document names, dates) plus the hex
//! ids of its content and text. As one entry each (a delta against the
//! document's previous record) a record took 96 bytes in the benchmark
//! corpus's pack (15 of header, 81 of frame: a small frame cannot amortize
//! zstd's literal tables over 64 hex digits); a set of 128 of them takes
//! about 40 bytes a record (see docs/performance.md, "Store format 7").
//!
//! A set is an object like any other (kind 6, its own id, checked on
//! every read); the records in it keep their own ids (blake3 of their
//! bytes, the capture ids), which a scan of the pack learns by decoding the
//! set (`pack::scan` lists each record as an entry at the set's place). A
//! reader that wants one record decodes its set (kept decoded in the cache)
//! and hashes only the records of that record's length when it knows it
//! (the catalog's `rsize`); a reader going through a set has it hashed and
//! cached whole (`chain::in_set`).
//!
//! Layout of a set's content (varints are LEB128, shortest form, u32):
//!
//! ```text
//! size   field
//!    4   magic   "vrs1"
//!  1-5   count   records in the set (2 ..= MAX_RECORDS)
//!  1-5   len     each record's length, `count` times (each >= 1)
//!    *   bytes   the records back to back, in archiving order; nothing
//!                after them
//! ```

use super::object::DecodeError;

const MAGIC: &[u8; 4] = b"vrs1";
/// Most records in one set: reading one record decodes its whole set
/// (128 records of the benchmark corpus are 25 KB, about 20 us).
pub const MAX_RECORDS: usize = 128;
/// A set of fewer records than this is not written: one record is stored
/// as before (a delta against its document's previous record).
pub const MIN_RECORDS: usize = 2;

/// The content of a set holding `records` (2 ..= [`MAX_RECORDS`] of them,
/// none empty).
pub fn encode(records: &[&[u8]]) -> Vec<u8> {
    assert!(
        (MIN_RECORDS..=MAX_RECORDS).contains(&records.len()),
        "callers group records by MAX_RECORDS"
    );
    let total: usize = records.iter().map(|r| r.len()).sum();
    let mut out = Vec::with_capacity(4 + 5 * (records.len() + 1) + total);
    out.extend_from_slice(MAGIC);
    write_varint(&mut out, records.len() as u32);
    for r in records {
        assert!(!r.is_empty(), "records are never empty");
        write_varint(&mut out, r.len() as u32);
    }
    for r in records {
        out.extend_from_slice(r);
    }
    out
}

/// The records of a set's content, in order. Anything but exactly the
/// layout above (a wrong magic, a count out of range, an empty record,
/// lengths that do not add up to what follows) is damage.
pub fn split(bytes: &[u8]) -> Result<Vec<&[u8]>, DecodeError> {
    let bad = || DecodeError::RecordSet;
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(bad)?;
    let (count, n) = read_varint(rest)?;
    let count = count as usize;
    if !(MIN_RECORDS..=MAX_RECORDS).contains(&count) {
        return Err(bad());
    }
    let mut at = n;
    let mut lens = Vec::with_capacity(count);
    for _ in 0..count {
        let (len, n) = read_varint(&rest[at..])?;
        if len == 0 {
            return Err(bad());
        }
        lens.push(len as usize);
        at += n;
    }
    let mut body = &rest[at..];
    let mut out = Vec::with_capacity(count);
    for len in lens {
        if body.len() < len {
            return Err(bad());
        }
        let (r, tail) = body.split_at(len);
        out.push(r);
        body = tail;
    }
    if !body.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

/// The ids of a set's records (blake3 of each), 32 bytes each, in order:
/// what a log segment written with the set is compressed against (store
/// format 7: the segment lists the same captures, so it costs a few bytes
/// instead of 32 a capture).
pub fn ids(bytes: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let records = split(bytes)?;
    let mut out = Vec::with_capacity(32 * records.len());
    for r in records {
        out.extend_from_slice(blake3::hash(r).as_bytes());
    }
    Ok(out)
}

fn write_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A LEB128 varint of at most 5 bytes holding a u32, shortest form only.
fn read_varint(buf: &[u8]) -> Result<(u32, usize), DecodeError> {
    let mut v: u64 = 0;
    for i in 0..5 {
        let b = *buf.get(i).ok_or(DecodeError::RecordSet)?;
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if (b == 0 && i > 0) || v > u64::from(u32::MAX) {
                return Err(DecodeError::RecordSet);
            }
            return Ok((v as u32, i + 1));
        }
    }
    Err(DecodeError::RecordSet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_in_order() {
        let recs: Vec<Vec<u8>> = (0..MAX_RECORDS)
            .map(|i| format!("{{\"n\":{i}}}").repeat(i % 7 + 1).into_bytes())
            .collect();
        let refs: Vec<&[u8]> = recs.iter().map(Vec::as_slice).collect();
        for n in [MIN_RECORDS, 3, MAX_RECORDS] {
            let set = encode(&refs[..n]);
            assert_eq!(split(&set).unwrap(), refs[..n].to_vec());
        }
    }

    #[test]
    fn anything_else_is_damage() {
        let set = encode(&[b"{\"a\":1}", b"{\"b\":2}"]);
        assert!(split(&set).is_ok());
        // Every shorter or longer content, and every flipped byte of the
        // header, fails; a flipped byte of a record changes that record.
        for cut in 0..set.len() {
            assert!(split(&set[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = set.clone();
        longer.push(b'x');
        assert!(split(&longer).is_err());
        for i in 0..7 {
            let mut bad = set.clone();
            bad[i] ^= 0x01;
            assert!(split(&bad).is_err(), "flip at {i}");
        }
        // One record, or an empty one, is not a set.
        let mut one = MAGIC.to_vec();
        one.extend_from_slice(&[1, 2, b'{', b'}']);
        assert!(split(&one).is_err());
        let mut empty = MAGIC.to_vec();
        empty.extend_from_slice(&[2, 0, 2, b'{', b'}']);
        assert!(split(&empty).is_err());
        // A count past the limit is refused before anything is allocated.
        let mut many = MAGIC.to_vec();
        many.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(split(&many).is_err());
    }
}
