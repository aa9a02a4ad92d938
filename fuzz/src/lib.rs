//! Helpers shared by the fuzz targets.
//!
//! Entry headers and pack trailers are protected by blake3 checksums, which a
//! fuzzer cannot forge by mutation. The targets therefore run every input twice
//! or pick a mode: once as given (the checksum gate), once with the checksums
//! recomputed (so mutations reach the code behind the gate: header fields,
//! zstd frames, delta bases, entry walking).

/// Bytes of the fixed part of an entry header, before the optional base id.
pub const FIXED: usize = 44;
/// Bytes of the header check field.
pub const CHECK: usize = 4;
/// Pack magic and trailer sizes (see src/store/pack.rs).
pub const MAGIC_LEN: usize = 8;
pub const TRAILER: usize = 4 + 32 + 4;

/// A LEB128 varint at the start of `buf` (at most 5 bytes): value and length.
fn varint(buf: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, b) in buf.iter().take(5).enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// Header length and frame length of the entry at the start of `buf`, as
/// `parse_header` reads them: a classic entry (first byte without its high
/// bit) has fixed fields, codec 1 naming its base by id (32 bytes), codec 2
/// by pack offset (4 bytes); a compact one (store format 5) has varint
/// sizes, an optional id and a varint offset.
pub fn header_layout(buf: &[u8]) -> Option<(usize, usize)> {
    let first = *buf.first()?;
    if first & 0x80 == 0 {
        let extra = match *buf.get(1)? {
            1 => 32,
            2 => 4,
            _ => 0,
        };
        let csize = u32::from_le_bytes(buf.get(8..12)?.try_into().ok()?) as usize;
        return Some((FIXED + extra + CHECK, csize));
    }
    let mut at = 1;
    let (_, n) = varint(&buf[at..])?;
    at += n;
    let (csize, n) = varint(&buf[at..])?;
    at += n;
    // The id, or its first 4 bytes.
    at += if first & 0x40 != 0 { 32 } else { 4 };
    match (first >> 4) & 3 {
        1 => at += 32,
        2 => at += varint(buf.get(at..)?)?.1,
        _ => {}
    }
    Some((at + CHECK, csize as usize))
}

/// Header length of the entry at the start of `buf` (see [`header_layout`]).
pub fn header_len(buf: &[u8]) -> Option<usize> {
    header_layout(buf).map(|(h, _)| h)
}

/// Rewrites the header check of the entry at the start of `buf` so that it
/// matches the header bytes. Returns the header length, if the header fits.
pub fn fix_header_check(buf: &mut [u8]) -> Option<usize> {
    let hlen = header_len(buf)?;
    if buf.len() < hlen {
        return None;
    }
    let h = blake3::hash(&buf[..hlen - CHECK]);
    buf[hlen - CHECK..hlen].copy_from_slice(&h.as_bytes()[..CHECK]);
    Some(hlen)
}

/// Walks the entries of a pack body, fixing each header check, using the
/// `csize` field to find the next entry (as `pack::scan` does).
pub fn fix_pack_headers(bytes: &mut [u8]) {
    if bytes.len() < MAGIC_LEN + TRAILER {
        return;
    }
    let body_end = bytes.len() - TRAILER;
    let mut off = MAGIC_LEN;
    while off < body_end {
        let Some(hlen) = fix_header_check(&mut bytes[off..body_end]) else {
            return;
        };
        let Some((_, csize)) = header_layout(&bytes[off..body_end]) else {
            return;
        };
        off += hlen + csize;
    }
}

/// Rewrites the entry count and trailer hash of a pack so that they match its
/// body (count = `count`). Returns the pack's name (the trailer hash).
pub fn fix_pack_trailer(bytes: &mut [u8], count: u32) -> Option<String> {
    if bytes.len() < MAGIC_LEN + TRAILER {
        return None;
    }
    let body_end = bytes.len() - TRAILER;
    bytes[body_end..body_end + 4].copy_from_slice(&count.to_le_bytes());
    let h = blake3::hash(&bytes[..body_end + 4]);
    bytes[body_end + 4..body_end + 36].copy_from_slice(h.as_bytes());
    let n = bytes.len();
    bytes[n - 4..].copy_from_slice(b"VPKE");
    Some(h.to_hex().to_string())
}
