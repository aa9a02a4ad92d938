//! `packindex::parse` and `packindex::check` on arbitrary bytes (an index
//! object is untrusted: anyone with write access to the bucket may put one).
//!
//! Input: one mode byte, then data.
//!   mode & 4: the index is a sample pack's true index with the data applied
//!             as edits (triples: position u16, XOR byte), else the data itself;
//!   mode & 1: reseal the trailer (blake3 of the rest), so parsing gets past
//!             the checksum to the counts, offsets and entries;
//!   mode & 2: also check the index against the sample pack.
//! A parsed index must tile the pack size it claims, and its raw entries
//! must be the entries they name; an index that passes `check` must hold
//! the sample pack's entries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::store::object;
use vellum::store::pack;
use vellum::store::packindex;

/// A pack with content, a record delta'd on another in the pack, a log
/// segment and a record delta'd on one in another pack, and its index. They
/// are committed files, written by the test that checks them
/// (`store::packindex::tests::the_fuzz_fixture_is_a_pack_and_its_own_index`):
/// building them here would compress inside the ASan-instrumented binary,
/// which trips a false report in gcc-built zstd.
const PACK: &[u8] = include_bytes!("../fixtures/pack_index.pack");
const INDEX: &[u8] = include_bytes!("../fixtures/pack_index.idx");

/// The pack's name: its trailer hash.
fn name() -> String {
    let trailer: [u8; 32] = PACK[PACK.len() - 36..PACK.len() - 4].try_into().unwrap();
    blake3::Hash::from_bytes(trailer).to_hex().to_string()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (name, pack_bytes, true_index) = (&name(), PACK, INDEX);
    let mut bytes = if mode & 4 != 0 {
        let mut b = true_index.to_vec();
        for edit in rest.chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % b.len();
            b[at] ^= edit[2];
        }
        b
    } else {
        rest.to_vec()
    };
    if mode & 1 != 0 && bytes.len() >= 32 {
        let body = bytes.len() - 32;
        let hash = blake3::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(hash.as_bytes());
    }
    if let Ok(ix) = packindex::parse(&bytes) {
        let mut next = pack::MAGIC.len() as u64;
        for e in &ix.entries {
            assert_eq!(e.offset, next, "entries are back to back");
            next = e.offset + e.header.entry_len() as u64;
        }
        assert_eq!(
            next + pack::TRAILER as u64,
            ix.size,
            "entries cover the pack"
        );
        let mut last = None;
        for (i, raw) in &ix.raw {
            assert!(last.is_none_or(|l| l < *i), "raw entries in order");
            last = Some(*i);
            let e = &ix.entries[*i];
            let h = object::parse_header(raw).expect("raw entries parse");
            assert_eq!(raw.len(), h.entry_len());
            // As in the pack, or the same object without a base.
            assert!(
                h == e.header
                    || (h.base.is_none()
                        && (h.id, h.kind, h.size) == (e.header.id, e.header.kind, e.header.size))
            );
        }
        let _ = ix.raw_by_id();
    }
    if mode & 2 != 0 && packindex::check(&bytes, name, pack_bytes).is_ok() {
        // Agreeing with the pack: its entries are the pack's, and every raw
        // entry decodes (those re-encoded without a base may differ in bytes).
        let ours = packindex::parse(&bytes).expect("a checked index parses");
        let truth = packindex::parse(true_index).expect("the true index parses");
        assert_eq!(ours.entries, truth.entries);
        for (id, (raw, base)) in ours.raw_by_id() {
            if base.is_none() {
                assert_eq!(object::decode(&raw, None).expect("decodes").0.id, id);
            }
        }
    }
});
