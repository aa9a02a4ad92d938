//! On-disk encoding of one object (an entry inside a pack).
//!
//! ```text
//! offset  size  field (integers little-endian)
//!      0     1  kind          1 = content (the bytes of a capture), 2 = capture record,
//!                             3 = archive log segment (store format 2, see tlog.rs),
//!                             4 = state object (format 3, state.rs),
//!                             5 = check record (format 4, check.rs)
//!      1     1  codec         0 = zstd alone; 1 = zstd with a base object as reference
//!                             prefix, named by id; 2 = the same, the base being the entry
//!                             at an offset of the same pack
//!      2     2  format        ENTRY_FORMAT (1)
//!      4     4  size          uncompressed length (<= MAX_OBJECT_SIZE)
//!      8     4  csize         length of the zstd frame that follows the header
//!     12    32  id            blake3 of the uncompressed bytes
//!     44  32|4  base          codec 1: its id; codec 2: its offset in this pack (u32)
//!      B     4  check         first 4 bytes of blake3(all header bytes before this field)
//!  B + 4 csize  zstd frame    (B = 44, 76 or 48); written without zstd's checksum
//!                             since 2026-12 (the id covers it), read with or without
//! ```
//!
//! Why each piece is there: the id makes a pack self-describing (the catalog
//! can be rebuilt by scanning); the header check catches a flipped bit in the
//! fields the id does not cover (kind, codec, base); the final blake3
//! comparison catches everything else (with the zstd checksum of frames
//! older vellums wrote). `size` is never trusted:
//! decompression writes into a buffer of exactly that length, capped at
//! [`MAX_OBJECT_SIZE`], and any other length is an error.

use crate::id::ObjectId;
use std::cell::RefCell;

use zstd::zstd_safe::{self, CParameter, DParameter, ResetDirective};

/// Largest object vellum stores or reads (256 MiB): larger captures are refused
/// when added, and a header that claims more is damage, not an allocation.
pub const MAX_OBJECT_SIZE: usize = 256 << 20;
/// Version of this entry layout.
pub const ENTRY_FORMAT: u16 = 1;

const FIXED: usize = 44;
const CHECK: usize = 4;
/// The longest header (codec 1); every entry start has at least this many
/// bytes after it in a pack (its frame and the pack trailer).
pub const MAX_HEADER_LEN: usize = FIXED + 32 + CHECK;

/// What an object holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The bytes of a capture (and, for text captures, its text).
    Content = 1,
    /// A capture record (canonical JSON).
    Record = 2,
    /// A segment of the archive log: capture ids in archiving order.
    Log = 3,
    /// A state object (`state.rs`): what a tool such as `vellum watch`
    /// keeps between runs, each naming its predecessor.
    State = 4,
    /// A check record (`check.rs`): one re-check of a document's URL by
    /// the monitor, whatever it found.
    Check = 5,
}

impl Kind {
    pub fn from_u8(b: u8) -> Option<Kind> {
        match b {
            1 => Some(Kind::Content),
            2 => Some(Kind::Record),
            3 => Some(Kind::Log),
            4 => Some(Kind::State),
            5 => Some(Kind::Check),
            _ => None,
        }
    }
}

/// How an entry names its delta base. Inside one pack a 4-byte offset does
/// (bulk imports put a document's versions side by side); across packs, the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseRef {
    Id(ObjectId),
    /// Offset of the base's entry in the same pack (always earlier).
    Offset(u32),
}

/// A parsed entry header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub kind: Kind,
    pub id: ObjectId,
    pub base: Option<BaseRef>,
    pub size: usize,
    pub csize: usize,
}

impl Header {
    /// Bytes taken by the header itself.
    pub fn header_len(&self) -> usize {
        header_len(self.base)
    }

    /// Bytes taken by header plus frame.
    pub fn entry_len(&self) -> usize {
        self.header_len() + self.csize
    }
}

fn header_len(base: Option<BaseRef>) -> usize {
    FIXED + codec_extra(codec_of(base)) + CHECK
}

fn codec_of(base: Option<BaseRef>) -> u8 {
    match base {
        None => 0,
        Some(BaseRef::Id(_)) => 1,
        Some(BaseRef::Offset(_)) => 2,
    }
}

/// Header bytes a codec adds for its base reference (unknown codecs: 0, and
/// the checksum then fails or the codec is refused).
fn codec_extra(codec: u8) -> usize {
    match codec {
        1 => 32,
        2 => 4,
        _ => 0,
    }
}

/// Why an entry could not be decoded. Every variant means damage (or a bug),
/// never a transient condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("entry truncated")]
    Truncated,
    #[error("entry header checksum mismatch")]
    HeaderChecksum,
    #[error("unknown entry format {0} (written by a newer vellum?)")]
    Format(u16),
    #[error("unknown object kind {0}")]
    Kind(u8),
    #[error("unknown codec {0}")]
    Codec(u8),
    #[error("declared size {0} exceeds the {MAX_OBJECT_SIZE}-byte limit")]
    TooLarge(u64),
    #[error("zstd: {0}")]
    Zstd(&'static str),
    #[error("decompressed {got} bytes, header declares {want}")]
    Length { got: usize, want: usize },
    #[error("content hashes to {got}, not to its id")]
    Hash { got: ObjectId },
    #[error("delta base not available")]
    NoBase,
    #[error("delta base is {want} but {got} was supplied")]
    WrongBase { want: ObjectId, got: ObjectId },
}

impl DecodeError {
    /// The kind of this error: always damage (see the type).
    pub fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Damaged
    }
}

/// Parses the header at the start of `buf` (which may hold more than one entry).
pub fn parse_header(buf: &[u8]) -> Result<Header, DecodeError> {
    if buf.len() < FIXED + CHECK {
        return Err(DecodeError::Truncated);
    }
    let codec = buf[1];
    // Unknown codecs are rejected after the checksum, so a flipped codec byte
    // reads as damage rather than as a newer format.
    let hlen = FIXED + codec_extra(codec) + CHECK;
    if buf.len() < hlen {
        return Err(DecodeError::Truncated);
    }
    let check = &buf[hlen - CHECK..hlen];
    if blake3::hash(&buf[..hlen - CHECK]).as_bytes()[..CHECK] != *check {
        return Err(DecodeError::HeaderChecksum);
    }
    if codec > 2 {
        return Err(DecodeError::Codec(codec));
    }
    let kind = Kind::from_u8(buf[0]).ok_or(DecodeError::Kind(buf[0]))?;
    let format = u16::from_le_bytes([buf[2], buf[3]]);
    if format != ENTRY_FORMAT {
        return Err(DecodeError::Format(format));
    }
    let size = u32::from_le_bytes(buf[4..8].try_into().expect("4 bytes")) as usize;
    if size > MAX_OBJECT_SIZE {
        return Err(DecodeError::TooLarge(size as u64));
    }
    let csize = u32::from_le_bytes(buf[8..12].try_into().expect("4 bytes")) as usize;
    let id = ObjectId::from_bytes(buf[12..44].try_into().expect("32 bytes"));
    let base = match codec {
        1 => Some(BaseRef::Id(ObjectId::from_bytes(
            buf[44..76].try_into().expect("32 bytes"),
        ))),
        2 => Some(BaseRef::Offset(u32::from_le_bytes(
            buf[44..48].try_into().expect("4 bytes"),
        ))),
        _ => None,
    };
    Ok(Header {
        kind,
        id,
        base,
        size,
        csize,
    })
}

/// The same entry with its in-pack base reference moved to `offset` (used
/// when entries are copied into a new pack; the frame is kept as is).
pub fn rebase(entry: &[u8], offset: u32) -> Result<Vec<u8>, DecodeError> {
    let h = parse_header(entry)?;
    if !matches!(h.base, Some(BaseRef::Offset(_))) {
        return Ok(entry.to_vec());
    }
    let hlen = h.header_len();
    let mut out = entry.to_vec();
    out[44..48].copy_from_slice(&offset.to_le_bytes());
    let check = blake3::hash(&out[..hlen - CHECK]);
    out[hlen - CHECK..hlen].copy_from_slice(&check.as_bytes()[..CHECK]);
    Ok(out)
}

/// A large object against its base: the fast levels' match finder cannot
/// index a base of many megabytes loaded as a dictionary (a 20 MB text with
/// one word changed was stored whole again), so the base is referenced as a
/// prefix and long-distance matching finds its runs, as `zstd --patch-from
/// --long` does. The frame reads back like every delta: the base as a raw
/// content dictionary.
fn compress_large_delta(
    codec: Codec,
    data: &[u8],
    base: &[u8],
) -> std::io::Result<(Vec<u8>, bool)> {
    let io = |c| std::io::Error::other(zstd_err(c));
    let level = if data.len() >= codec.huge_at {
        codec.huge_level
    } else {
        codec.large_level
    };
    let mut cctx = zstd_safe::CCtx::create();
    cctx.set_parameter(CParameter::CompressionLevel(level))
        .map_err(io)?;
    cctx.set_parameter(CParameter::ChecksumFlag(false))
        .map_err(io)?;
    cctx.set_parameter(CParameter::WindowLog(window_log(data.len() + base.len())))
        .map_err(io)?;
    cctx.set_parameter(CParameter::EnableLongDistanceMatching(true))
        .map_err(io)?;
    cctx.ref_prefix(base).map_err(io)?;
    let mut out = Vec::with_capacity(zstd_safe::compress_bound(data.len()));
    cctx.compress2(&mut out, data).map_err(io)?;
    Ok((out, true))
}

/// Compression levels, chosen on the benchmark corpus (2,085 distinct
/// versions): deltas at level 9 cost 3% more than at 19 and compress 20
/// times faster; the few full frames (a document's first version) get 19.
///
/// Objects of [`Codec::large_at`] bytes or more get [`Codec::large_level`]
/// instead: level 19 compresses 1 MB/s, so a 20 MB capture took 22 s to add;
/// level 5 is about 80 times faster for about 25% more bytes on such
/// captures, which are rare (the benchmark corpus has none). From
/// [`Codec::huge_at`] on, [`Codec::huge_level`]: level 3 compresses twice as
/// fast as 5 for about 7% more bytes, which keeps a 20 MB capture's add
/// over 30 MB/s. The level is not part of the format: every reader decodes
/// every level.
#[derive(Debug, Clone, Copy)]
pub struct Codec {
    pub delta_level: i32,
    pub full_level: i32,
    pub large_at: usize,
    pub large_level: i32,
    pub huge_at: usize,
    pub huge_level: i32,
}

impl Default for Codec {
    fn default() -> Self {
        Codec {
            delta_level: 9,
            full_level: 19,
            large_at: 1 << 20,
            large_level: 5,
            huge_at: 8 << 20,
            huge_level: 3,
        }
    }
}

/// Encodes `data` as one entry, against `base` (reference and bytes) when given.
pub fn encode(
    codec: Codec,
    kind: Kind,
    data: &[u8],
    base: Option<(BaseRef, &[u8])>,
) -> std::io::Result<(ObjectId, Vec<u8>)> {
    assert!(
        data.len() <= MAX_OBJECT_SIZE,
        "callers enforce the object size limit"
    );
    let id = ObjectId::of(data);
    let (frame, used) = compress(codec, data, base.map(|(_, b)| b))?;
    let base_ref = base.map(|(r, _)| r).filter(|_| used);
    let mut out = Vec::with_capacity(header_len(base_ref) + frame.len());
    out.push(kind as u8);
    out.push(codec_of(base_ref));
    out.extend_from_slice(&ENTRY_FORMAT.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    out.extend_from_slice(id.as_bytes());
    match base_ref {
        Some(BaseRef::Id(id)) => out.extend_from_slice(id.as_bytes()),
        Some(BaseRef::Offset(o)) => out.extend_from_slice(&o.to_le_bytes()),
        None => {}
    }
    let check = blake3::hash(&out);
    out.extend_from_slice(&check.as_bytes()[..CHECK]);
    out.extend_from_slice(&frame);
    Ok((id, out))
}

fn window_log(total: usize) -> u32 {
    (usize::BITS - total.max(1).leading_zeros()).clamp(10, 30)
}

fn zstd_err(code: usize) -> &'static str {
    zstd_safe::get_error_name(code)
}

thread_local! {
    // One context of each kind per thread, reused: creating a decompression
    // context costs more than decompressing a small delta (it is large enough
    // to be freshly mapped, and zeroed, on every allocation).
    static CCTX: RefCell<zstd_safe::CCtx<'static>> = RefCell::new(zstd_safe::CCtx::create());
    static DCTX: RefCell<zstd_safe::DCtx<'static>> = RefCell::new(zstd_safe::DCtx::create());
}

/// Compresses `data`, against `base` as a raw-content dictionary when given.
/// Returns the frame and whether the base was used: bytes that happen to
/// start with zstd's dictionary magic and do not load as a dictionary are
/// not usable as a base, and the object is then stored whole.
fn compress(codec: Codec, data: &[u8], base: Option<&[u8]>) -> std::io::Result<(Vec<u8>, bool)> {
    if let Some(base) = base
        && data.len() >= codec.large_at
    {
        return compress_large_delta(codec, data, base);
    }
    let io = |c| std::io::Error::other(zstd_err(c));
    CCTX.with_borrow_mut(|cctx| {
        cctx.reset(ResetDirective::SessionAndParameters)
            .map_err(io)?;
        let used = match base {
            Some(b) => cctx.load_dictionary(b).is_ok(),
            None => false,
        };
        if !used {
            cctx.load_dictionary(&[]).map_err(io)?;
        }
        let level = if data.len() >= codec.huge_at {
            codec.huge_level
        } else if data.len() >= codec.large_at {
            codec.large_level
        } else if used {
            codec.delta_level
        } else {
            codec.full_level
        };
        cctx.set_parameter(CParameter::CompressionLevel(level))
            .map_err(io)?;
        // No zstd checksum: the blake3 id checked on every read covers every
        // byte it would (it cost 4 bytes of every entry). Frames written with
        // one, by older vellums, read the same. The content size stays: it
        // makes the frame single-segment, with no window field, so every
        // flipped bit of a frame changes what it decodes to or fails.
        cctx.set_parameter(CParameter::ChecksumFlag(false))
            .map_err(io)?;
        let total = data.len() + if used { base.map_or(0, <[u8]>::len) } else { 0 };
        cctx.set_parameter(CParameter::WindowLog(window_log(total)))
            .map_err(io)?;
        let mut out = Vec::with_capacity(zstd_safe::compress_bound(data.len()));
        cctx.compress2(&mut out, data).map_err(io)?;
        Ok((out, used))
    })
}

/// Decodes the entry that starts `buf`, given its base's id and bytes for
/// deltas (for an offset reference the caller resolved the id in the pack).
/// The result is checked against the id: what comes back is never rot.
pub fn decode(
    buf: &[u8],
    base: Option<(ObjectId, &[u8])>,
) -> Result<(Header, Vec<u8>), DecodeError> {
    let h = parse_header(buf)?;
    let start = h.header_len();
    let frame = buf
        .get(start..start + h.csize)
        .ok_or(DecodeError::Truncated)?;
    let prefix = match (h.base, base) {
        (None, _) => None,
        (Some(BaseRef::Offset(_)), Some((_, bytes))) => Some(bytes),
        (Some(BaseRef::Id(want)), Some((got, bytes))) => {
            if want != got {
                return Err(DecodeError::WrongBase { want, got });
            }
            Some(bytes)
        }
        (Some(_), None) => return Err(DecodeError::NoBase),
    };
    let zstd = |c| DecodeError::Zstd(zstd_err(c));
    let total = h.size + prefix.map_or(0, <[u8]>::len);
    // Exactly the declared size: a frame that expands further fails here
    // instead of allocating (decompression bombs).
    let mut out: Vec<u8> = Vec::with_capacity(h.size);
    let n = DCTX.with_borrow_mut(|dctx| {
        dctx.reset(ResetDirective::SessionAndParameters)
            .map_err(zstd)?;
        dctx.set_parameter(DParameter::WindowLogMax(window_log(total).max(10)))
            .map_err(zstd)?;
        // The base is referenced for this call only, not copied; it is read
        // as a raw-content dictionary exactly as `compress` loaded it.
        match prefix {
            Some(p) => dctx.decompress_using_dict(&mut out, frame, p).map_err(zstd),
            None => dctx.decompress(&mut out, frame).map_err(zstd),
        }
    })?;
    if n != h.size {
        return Err(DecodeError::Length {
            got: n,
            want: h.size,
        });
    }
    let got = ObjectId::of(&out);
    if got != h.id {
        return Err(DecodeError::Hash { got });
    }
    Ok((h, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OLD: &str = include_str!("../../tests/fixtures/articles/blog-repost-2019-02-12.txt");
    const NEW: &str = include_str!("../../tests/fixtures/articles/globalresearch-2019-02-12.md");

    #[test]
    fn large_objects_use_the_fast_level_and_read_back() {
        let big: String = NEW.repeat((2 << 20) / NEW.len() + 1);
        let codec = Codec::default();
        assert!(big.len() >= codec.large_at);
        let (id, fast) = encode(codec, Kind::Content, big.as_bytes(), None).unwrap();
        let slow = Codec {
            large_at: usize::MAX,
            huge_at: usize::MAX,
            ..codec
        };
        let (_, best) = encode(slow, Kind::Content, big.as_bytes(), None).unwrap();
        assert_ne!(fast, best, "another level, another frame");
        let (h, back) = decode(&fast, None).unwrap();
        assert_eq!((h.id, back.as_slice()), (id, big.as_bytes()));
    }

    /// A large text with a few words changed costs a few bytes against its
    /// base, not a second copy (the fast levels could not find the base's
    /// runs in a dictionary of megabytes).
    #[test]
    fn a_large_delta_stores_only_the_change() {
        let words: Vec<&str> = NEW.split_whitespace().collect();
        let mut x: u64 = 7;
        let mut base = String::new();
        while base.len() < 9 << 20 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            base.push_str(words[(x >> 33) as usize % words.len()]);
            base.push(if x.is_multiple_of(13) { '\n' } else { ' ' });
        }
        let mut data = base.clone();
        data.insert_str(base.len() / 2, " a few words inserted ");
        data.replace_range(100..110, "changed!!!");
        let codec = Codec::default();
        assert!(data.len() >= codec.large_at);
        let (base_id, _) = encode(codec, Kind::Content, base.as_bytes(), None).unwrap();
        let (id, delta) = encode(
            codec,
            Kind::Content,
            data.as_bytes(),
            Some((BaseRef::Id(base_id), base.as_bytes())),
        )
        .unwrap();
        assert!(delta.len() < 4096, "a delta of {} bytes", delta.len());
        let (h, back) = decode(&delta, Some((base_id, base.as_bytes()))).unwrap();
        assert_eq!((h.id, back.as_slice()), (id, data.as_bytes()));
    }

    #[test]
    fn frames_with_a_checksum_and_content_size_still_read() {
        // As vellum wrote frames before 2026-12 (and the kept old store has).
        let data = NEW.as_bytes();
        let mut cctx = zstd_safe::CCtx::create();
        cctx.set_parameter(CParameter::CompressionLevel(19))
            .unwrap();
        cctx.set_parameter(CParameter::ChecksumFlag(true)).unwrap();
        let mut frame = Vec::with_capacity(zstd_safe::compress_bound(data.len()));
        cctx.compress2(&mut frame, data).unwrap();
        let (id, new) = encode(Codec::default(), Kind::Content, data, None).unwrap();
        let mut old = new[..FIXED].to_vec();
        old[8..12].copy_from_slice(&(frame.len() as u32).to_le_bytes());
        let check = blake3::hash(&old);
        old.extend_from_slice(&check.as_bytes()[..CHECK]);
        old.extend_from_slice(&frame);
        assert_eq!(new.len() + 4, old.len(), "no checksum");
        let (h, back) = decode(&old, None).unwrap();
        assert_eq!((h.id, back.as_slice()), (id, data));
        let mut bad = old.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(decode(&bad, None).is_err(), "the old checksum still counts");
    }

    #[test]
    fn delta_round_trip_and_is_small() {
        let base_id = ObjectId::of(NEW.as_bytes());
        let (id, alone) = encode(Codec::default(), Kind::Content, OLD.as_bytes(), None).unwrap();
        let (id2, delta) = encode(
            Codec::default(),
            Kind::Content,
            OLD.as_bytes(),
            Some((BaseRef::Id(base_id), NEW.as_bytes())),
        )
        .unwrap();
        assert_eq!(id, id2);
        assert!(
            delta.len() * 4 < alone.len(),
            "delta {} vs alone {}",
            delta.len(),
            alone.len()
        );
        let (h, back) = decode(&delta, Some((base_id, NEW.as_bytes()))).unwrap();
        let other = ObjectId::of(b"other");
        assert!(matches!(
            decode(&delta, Some((other, NEW.as_bytes()))),
            Err(DecodeError::WrongBase { .. })
        ));
        assert_eq!(back, OLD.as_bytes());
        assert_eq!(h.base, Some(BaseRef::Id(base_id)));
        assert!(matches!(decode(&delta, None), Err(DecodeError::NoBase)));
    }

    #[test]
    fn every_flipped_byte_is_detected() {
        let (_, enc) = encode(Codec::default(), Kind::Record, b"{\"doc\":\"a\"}", None).unwrap();
        for i in 0..enc.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = enc.clone();
                bad[i] ^= bit;
                assert!(
                    decode(&bad, None).is_err(),
                    "byte {i} bit {bit:#x} went unnoticed"
                );
            }
        }
    }

    #[test]
    fn lying_size_is_refused_without_allocating() {
        let (_, mut enc) = encode(Codec::default(), Kind::Content, &[b'a'; 10_000], None).unwrap();
        // Claim 1 GiB, then fix the header check so only the size lies.
        enc[4..8].copy_from_slice(&(1u32 << 30).to_le_bytes());
        let check = blake3::hash(&enc[..FIXED]);
        enc[FIXED..FIXED + CHECK].copy_from_slice(&check.as_bytes()[..CHECK]);
        assert!(matches!(decode(&enc, None), Err(DecodeError::TooLarge(_))));
        // Claim fewer bytes than the frame holds.
        enc[4..8].copy_from_slice(&100u32.to_le_bytes());
        let check = blake3::hash(&enc[..FIXED]);
        enc[FIXED..FIXED + CHECK].copy_from_slice(&check.as_bytes()[..CHECK]);
        assert!(matches!(decode(&enc, None), Err(DecodeError::Zstd(_))));
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..4096),
                      base in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let codec = Codec {
            delta_level: 3,
            full_level: 3,
            ..Codec::default()
        };
            let base_id = ObjectId::of(&base);
            let base_ref = if data.len() % 2 == 0 { BaseRef::Id(base_id) } else { BaseRef::Offset(data.len() as u32) };
            let (id, enc) = encode(codec, Kind::Content, &data, Some((base_ref, &base))).unwrap();
            prop_assert_eq!(id, ObjectId::of(&data));
            let (_, back) = decode(&enc, Some((base_id, &base))).unwrap();
            prop_assert_eq!(back, data);
        }

        #[test]
        fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode(&data, None);
        }
    }
}
