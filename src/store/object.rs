//! On-disk encoding of one object (an entry inside a pack). Two layouts:
//! classic (entry format 1, every store before format 5, still read) and
//! compact (entry format 2, what store format 5 writes). The first byte
//! tells them apart: a classic entry's is its kind (1-5), a compact one's
//! has its high bit set.
//!
//! Classic:
//!
//! ```text
//! offset  size  field (integers little-endian)
//!      0     1  kind          1 = content (the bytes of a capture), 2 = capture record,
//!                             3 = archive log segment (store format 2, see tlog.rs),
//!                             4 = state object (format 3, state.rs),
//!                             5 = check record (format 4, check.rs),
//!                             6 = record set (format 7, recordset.rs; compact
//!                             entries only, with their id, never a delta)
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
//! Compact (store format 5): 11 to 79 header bytes instead of 48 to 80.
//!
//! ```text
//! size     field
//!    1     0x80 | HAS_ID (0x40, the id follows) | codec << 4 | kind
//!                          (codec and kind as above; kind in the low 4 bits)
//!  1-5     size            LEB128 varint, shortest form, <= MAX_OBJECT_SIZE
//!  1-5     csize           LEB128 varint: bytes of frame after the header
//!  32|4    id              with HAS_ID the id; without, its first 4 bytes (so a
//!                          reader that reaches the entry by offset, not knowing
//!                          its id, still checks what it decodes)
//!  0|32|1-5 base           codec 1: its id; codec 2: its offset in this pack (varint)
//!    4     check           first 4 bytes of blake3(all header bytes before this field)
//!  csize   zstd frame      without its 4-byte magic number (the reader puts it back),
//!                          without content size (the header has it: a 1-byte window
//!                          descriptor instead of 1-4 bytes) and without checksum
//! ```
//!
//! The writer leaves the id out when the pack alone decodes the entry: no
//! base, or an in-pack base that is itself decodable from the pack (a chain
//! of offsets ending in a whole object). `pack::scan` then learns the id by
//! decoding and hashing (rebuilding the catalog, `pull`, `verify` without a
//! catalog row); readers that come through the catalog know the id they ask
//! for and check the content against it ([`decode_expecting`]). An entry
//! whose base is in another pack (codec 1) keeps its id: without the other
//! pack it cannot be hashed. On the benchmark corpus, where one batch is one
//! pack, every entry leaves its id out.
//!
//! Why each piece is there: the header check catches a flipped bit in the
//! fields the id does not cover (kind, codec, base, sizes); the final blake3
//! comparison (against the stored id, or the id the reader asked for) catches
//! everything else (with the zstd checksum of frames older vellums wrote).
//! `size` is never trusted: decompression writes into a buffer of exactly
//! that length, capped at [`MAX_OBJECT_SIZE`], and any other length is an
//! error. Varints are read at most 5 bytes long and in their shortest form
//! only, so one header has one encoding.

use crate::id::ObjectId;
use std::cell::RefCell;

use zstd::zstd_safe::{self, CParameter, DParameter, ResetDirective};

/// Largest object vellum stores or reads (256 MiB): larger captures are refused
/// when added, and a header that claims more is damage, not an allocation.
pub const MAX_OBJECT_SIZE: usize = 256 << 20;
/// Version of the classic entry layout (the compact layout has no version
/// field: its first byte's high bit is its mark).
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
    /// A record set (store format 7, `recordset.rs`): the capture records
    /// of one write in one object. Only in compact entries.
    RecordSet = 6,
}

impl Kind {
    pub fn from_u8(b: u8) -> Option<Kind> {
        match b {
            1 => Some(Kind::Content),
            2 => Some(Kind::Record),
            3 => Some(Kind::Log),
            4 => Some(Kind::State),
            5 => Some(Kind::Check),
            6 => Some(Kind::RecordSet),
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
    /// The object's id. A compact entry without a stored id has
    /// [`NO_ID`] here until its content is decoded and hashed
    /// ([`decode`] and `pack::scan` fill it in).
    pub id: ObjectId,
    pub base: Option<BaseRef>,
    pub size: usize,
    pub csize: usize,
    /// Which layout: classic (entry format 1) or compact (entry format 2).
    pub layout: Layout,
    /// Bytes taken by the header itself.
    pub hlen: usize,
    /// The first 4 bytes of the id: stored in a compact entry that leaves
    /// its id out, so that its content is still checked when it is decoded
    /// without knowing its id (a delta base reached by offset, a scan).
    pub id_prefix: [u8; ID_PREFIX],
}

/// Bytes of the id a compact entry without its id keeps.
pub const ID_PREFIX: usize = 4;

fn prefix_of(id: &ObjectId) -> [u8; ID_PREFIX] {
    id.as_bytes()[..ID_PREFIX].try_into().expect("4 bytes")
}

/// The two entry layouts (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Entry format 1: fixed-width fields, the id always stored, zstd frames
    /// with their magic number and content size. Every store before format 5.
    Classic,
    /// Entry format 2 (store format 5): varint fields, the id stored only
    /// when `id` is true, frames without magic number and content size.
    Compact { id: bool },
}

impl Layout {
    /// Whether the header holds the object's id.
    pub fn stores_id(self) -> bool {
        !matches!(self, Layout::Compact { id: false })
    }
}

/// Stands in for the id of a compact entry that does not store it, until
/// its content is hashed. No object hashes to it.
pub const NO_ID: ObjectId = ObjectId::from_bytes([0; 32]);

/// The key a reader gives a compact entry that does not store its id when
/// it reaches it as a delta base by offset (the catalog is keyed by id, not
/// by place): 24 bytes of blake3(pack name, offset), then eight 0xff bytes
/// (at the end: maps of ids hash their first 8 bytes).
/// It names the entry in the decoded cache and in error messages; the
/// object asked for is still checked against its real id.
pub fn location_key(pack: &str, offset: u64) -> ObjectId {
    let mut h = blake3::Hasher::new();
    h.update(pack.as_bytes());
    h.update(&offset.to_le_bytes());
    let mut key = *h.finalize().as_bytes();
    key[24..].fill(0xff);
    ObjectId::from_bytes(key)
}

/// Whether `id` is a [`location_key`] rather than an object's id (a blake3
/// hash ending with 64 set bits: chance 2^-64).
pub fn is_location_key(id: &ObjectId) -> bool {
    id.as_bytes()[24..] == [0xff; 8]
}

impl Header {
    /// Bytes taken by the header itself.
    pub fn header_len(&self) -> usize {
        self.hlen
    }

    /// Bytes taken by header plus frame.
    pub fn entry_len(&self) -> usize {
        self.header_len() + self.csize
    }
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
    #[error("malformed varint in the entry header")]
    Varint,
    #[error("declared size {0} exceeds the {MAX_OBJECT_SIZE}-byte limit")]
    TooLarge(u64),
    #[error("zstd: {0}")]
    Zstd(&'static str),
    #[error("decompressed {got} bytes, header declares {want}")]
    Length { got: usize, want: usize },
    #[error("content hashes to {got}, not to its id")]
    Hash { got: ObjectId },
    #[error("malformed record set")]
    RecordSet,
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
    match buf.first() {
        Some(b) if b & COMPACT != 0 => parse_compact(buf),
        _ => parse_classic(buf),
    }
}

fn parse_classic(buf: &[u8]) -> Result<Header, DecodeError> {
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
        layout: Layout::Classic,
        hlen,
        id_prefix: prefix_of(&id),
    })
}

/// The first byte of a compact entry: this bit set (no kind of a classic
/// entry has it), then whether the id is stored, the codec and the kind.
const COMPACT: u8 = 0x80;
const HAS_ID: u8 = 0x40;
/// Longest varint of a field: sizes, lengths and offsets are u32.
const VARINT_MAX: usize = 5;

/// Reads a LEB128 varint of at most [`VARINT_MAX`] bytes holding a u32, in
/// its shortest form (anything else is damage, so one value has one
/// encoding). Returns the value and the bytes read.
fn read_varint(buf: &[u8]) -> Result<(u32, usize), DecodeError> {
    let mut v: u64 = 0;
    for i in 0..VARINT_MAX {
        let b = *buf.get(i).ok_or(DecodeError::Truncated)?;
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if (b == 0 && i > 0) || v > u64::from(u32::MAX) {
                return Err(DecodeError::Varint);
            }
            return Ok((v as u32, i + 1));
        }
    }
    Err(DecodeError::Varint)
}

fn write_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn parse_compact(buf: &[u8]) -> Result<Header, DecodeError> {
    let first = buf[0];
    let codec = (first >> 4) & 3;
    let has_id = first & HAS_ID != 0;
    let mut at = 1;
    let (size, n) = read_varint(&buf[at..])?;
    at += n;
    let (csize, n) = read_varint(&buf[at..])?;
    at += n;
    let (id, id_prefix) = if has_id {
        let b = buf.get(at..at + 32).ok_or(DecodeError::Truncated)?;
        at += 32;
        let id = ObjectId::from_bytes(b.try_into().expect("32 bytes"));
        (id, prefix_of(&id))
    } else {
        let b = buf.get(at..at + ID_PREFIX).ok_or(DecodeError::Truncated)?;
        at += ID_PREFIX;
        (NO_ID, b.try_into().expect("4 bytes"))
    };
    let base = match codec {
        0 => None,
        1 => {
            let b = buf.get(at..at + 32).ok_or(DecodeError::Truncated)?;
            at += 32;
            Some(BaseRef::Id(ObjectId::from_bytes(
                b.try_into().expect("32 bytes"),
            )))
        }
        2 => {
            let (o, n) = read_varint(&buf[at..])?;
            at += n;
            Some(BaseRef::Offset(o))
        }
        // Checked after the header check, like a classic entry's codec; the
        // check then sits right after the sizes.
        _ => None,
    };
    let hlen = at + CHECK;
    let check = buf.get(at..hlen).ok_or(DecodeError::Truncated)?;
    if blake3::hash(&buf[..at]).as_bytes()[..CHECK] != *check {
        return Err(DecodeError::HeaderChecksum);
    }
    if codec > 2 {
        return Err(DecodeError::Codec(codec));
    }
    let kind = Kind::from_u8(first & 0x0f).ok_or(DecodeError::Kind(first & 0x0f))?;
    if size as usize > MAX_OBJECT_SIZE {
        return Err(DecodeError::TooLarge(u64::from(size)));
    }
    Ok(Header {
        kind,
        id,
        base,
        size: size as usize,
        csize: csize as usize,
        layout: Layout::Compact { id: has_id },
        hlen,
        id_prefix,
    })
}

/// The header bytes of an entry, check included.
fn header_bytes(h: &Header) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAX_HEADER_LEN);
    match h.layout {
        Layout::Classic => {
            out.push(h.kind as u8);
            out.push(codec_of(h.base));
            out.extend_from_slice(&ENTRY_FORMAT.to_le_bytes());
            out.extend_from_slice(&(h.size as u32).to_le_bytes());
            out.extend_from_slice(&(h.csize as u32).to_le_bytes());
            out.extend_from_slice(h.id.as_bytes());
            match h.base {
                Some(BaseRef::Id(id)) => out.extend_from_slice(id.as_bytes()),
                Some(BaseRef::Offset(o)) => out.extend_from_slice(&o.to_le_bytes()),
                None => {}
            }
        }
        Layout::Compact { id } => {
            let flag = if id { HAS_ID } else { 0 };
            out.push(COMPACT | flag | (codec_of(h.base) << 4) | h.kind as u8);
            write_varint(&mut out, h.size as u32);
            write_varint(&mut out, h.csize as u32);
            if id {
                out.extend_from_slice(h.id.as_bytes());
            } else {
                out.extend_from_slice(&h.id_prefix);
            }
            match h.base {
                Some(BaseRef::Id(id)) => out.extend_from_slice(id.as_bytes()),
                Some(BaseRef::Offset(o)) => write_varint(&mut out, o),
                None => {}
            }
        }
    }
    let check = blake3::hash(&out);
    out.extend_from_slice(&check.as_bytes()[..CHECK]);
    out
}

/// The same entry with its in-pack base reference moved to `offset` (used
/// when entries are copied into a new pack; the frame is kept as is).
pub fn rebase(entry: &[u8], offset: u32) -> Result<Vec<u8>, DecodeError> {
    let mut h = parse_header(entry)?;
    if !matches!(h.base, Some(BaseRef::Offset(_))) {
        return Ok(entry.to_vec());
    }
    let frame = entry
        .get(h.hlen..h.entry_len())
        .ok_or(DecodeError::Truncated)?;
    h.base = Some(BaseRef::Offset(offset));
    let mut out = header_bytes(&h);
    out.extend_from_slice(frame);
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
    compact: bool,
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
    cctx.set_parameter(CParameter::ContentSizeFlag(!compact))
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

/// Encodes `data` as one classic entry (entry format 1), against `base`
/// (reference and bytes) when given: what stores before format 5 hold.
pub fn encode(
    codec: Codec,
    kind: Kind,
    data: &[u8],
    base: Option<(BaseRef, &[u8])>,
) -> std::io::Result<(ObjectId, Vec<u8>)> {
    encode_as(codec, Layout::Classic, kind, data, base)
}

/// Encodes `data` as one entry in `layout`, against `base` when given.
pub fn encode_as(
    codec: Codec,
    layout: Layout,
    kind: Kind,
    data: &[u8],
    base: Option<(BaseRef, &[u8])>,
) -> std::io::Result<(ObjectId, Vec<u8>)> {
    assert!(
        data.len() <= MAX_OBJECT_SIZE,
        "callers enforce the object size limit"
    );
    let id = ObjectId::of(data);
    let compact = layout != Layout::Classic;
    let (mut frame, used) = compress(codec, data, base.map(|(_, b)| b), compact)?;
    if compact {
        debug_assert_eq!(frame[..4], ZSTD_MAGIC);
        frame.drain(..4);
    }
    let h = Header {
        kind,
        id,
        base: base.map(|(r, _)| r).filter(|_| used),
        size: data.len(),
        csize: frame.len(),
        layout,
        hlen: 0,
        id_prefix: prefix_of(&id),
    };
    let mut out = header_bytes(&h);
    out.extend_from_slice(&frame);
    Ok((id, out))
}

/// The magic number that starts every zstd frame; compact entries leave it
/// out and the reader puts it back.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

fn window_log(total: usize) -> u32 {
    (usize::BITS - total.max(1).leading_zeros()).clamp(10, 30)
}

fn zstd_err(code: usize) -> &'static str {
    zstd_safe::get_error_name(code)
}

/// Frees this thread's compression context; the next compression on the
/// thread makes another.
pub fn release_compressor() {
    CCTX.with_borrow_mut(|cctx| *cctx = zstd_safe::CCtx::create());
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
/// A compact entry's frame leaves out the content size too (the header has
/// it): 1 to 4 bytes, for a 1-byte window descriptor.
fn compress(
    codec: Codec,
    data: &[u8],
    base: Option<&[u8]>,
    compact: bool,
) -> std::io::Result<(Vec<u8>, bool)> {
    if let Some(base) = base
        && data.len() >= codec.large_at
    {
        return compress_large_delta(codec, data, base, compact);
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
        cctx.set_parameter(CParameter::ContentSizeFlag(!compact))
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
/// The result is checked against the id: what comes back is never rot. An
/// entry that does not store its id cannot be checked here: its content is
/// hashed, checked against the 4 bytes of it the header keeps, and the
/// header returned with that id; callers that know which id they want use
/// [`decode_expecting`].
pub fn decode(
    buf: &[u8],
    base: Option<(ObjectId, &[u8])>,
) -> Result<(Header, Vec<u8>), DecodeError> {
    decode_expecting(buf, None, base)
}

/// [`decode`], the content also checked against `expect` when given (for
/// an entry that stores its id, the two must agree).
pub fn decode_expecting(
    buf: &[u8],
    expect: Option<ObjectId>,
    base: Option<(ObjectId, &[u8])>,
) -> Result<(Header, Vec<u8>), DecodeError> {
    let mut h = parse_header(buf)?;
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
    let out = decompress(&h, frame, prefix)?;
    let got = ObjectId::of(&out);
    if !h.layout.stores_id() {
        if prefix_of(&got) != h.id_prefix {
            return Err(DecodeError::Hash { got });
        }
        h.id = got;
    }
    if got != h.id || expect.is_some_and(|want| want != got) {
        return Err(DecodeError::Hash { got });
    }
    Ok((h, out))
}

thread_local! {
    // A compact entry's frame with its magic number put back.
    static FRAME: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Decompresses an entry's frame into exactly `h.size` bytes.
fn decompress(h: &Header, frame: &[u8], prefix: Option<&[u8]>) -> Result<Vec<u8>, DecodeError> {
    let zstd = |c| DecodeError::Zstd(zstd_err(c));
    let total = h.size + prefix.map_or(0, <[u8]>::len);
    // Exactly the declared size: a frame that expands further fails here
    // instead of allocating (decompression bombs).
    let mut out: Vec<u8> = Vec::with_capacity(h.size);
    let run = |frame: &[u8], out: &mut Vec<u8>| {
        DCTX.with_borrow_mut(|dctx| {
            dctx.reset(ResetDirective::SessionAndParameters)
                .map_err(zstd)?;
            dctx.set_parameter(DParameter::WindowLogMax(window_log(total).max(10)))
                .map_err(zstd)?;
            // The base is referenced for this call only, not copied; it is read
            // as a raw-content dictionary exactly as `compress` loaded it.
            match prefix {
                Some(p) => dctx.decompress_using_dict(out, frame, p).map_err(zstd),
                None => dctx.decompress(out, frame).map_err(zstd),
            }
        })
    };
    let n = if h.layout == Layout::Classic {
        run(frame, &mut out)?
    } else {
        FRAME.with_borrow_mut(|whole| {
            whole.clear();
            whole.extend_from_slice(&ZSTD_MAGIC);
            whole.extend_from_slice(frame);
            let n = run(whole, &mut out);
            if whole.capacity() > 1 << 20 {
                *whole = Vec::new();
            }
            n
        })?
    };
    if n != h.size {
        return Err(DecodeError::Length {
            got: n,
            want: h.size,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
