//! `pack::scan` and `pack::decode_at` on arbitrary bytes.
//!
//! Input: one mode byte, then the pack bytes.
//!   mode & 1: fix every entry's header check (walking as scan does);
//!   mode & 2: fix the trailer (count and hash), so the pack is "intact";
//!   mode & 4: scan with the expected name (the real hash when mode & 2,
//!             else a wrong one).
//! Every scanned entry is then decoded, resolving delta bases from entries
//! decoded earlier in the pack.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use vellum::id::ObjectId;
use vellum::store::object::{self, BaseRef};
use vellum::store::pack;
use vellum_fuzz::{MAGIC_LEN, fix_pack_headers, fix_pack_trailer};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 != 0 {
        fix_pack_headers(&mut bytes);
    }
    let mut name = None;
    if mode & 2 != 0 {
        let count = pack::scan(&bytes, None).entries.len() as u32;
        name = fix_pack_trailer(&mut bytes, count);
    }
    let expected = match (mode & 4 != 0, &name) {
        (false, _) => None,
        (true, Some(n)) => Some(n.as_str()),
        (true, None) => Some("0000000000000000000000000000000000000000000000000000000000000000"),
    };
    let s = pack::scan(&bytes, expected);
    if !s.intact {
        assert!(!s.problems.is_empty(), "a damaged pack must say why");
    }
    if name.is_some() {
        // The trailer was just made to match (and the name, if one is expected).
        assert!(s.intact, "fixed trailer not intact: {:?}", s.problems);
    }
    let body_end = bytes.len().saturating_sub(pack::TRAILER);
    let mut prev_end = MAGIC_LEN as u64;
    for e in &s.entries {
        // Back to back, unless an entry without its id could not be decoded
        // (it is then reported and left out: without content, no id).
        if s.problems.is_empty() {
            assert_eq!(e.offset, prev_end, "entries are back to back");
        } else {
            assert!(e.offset >= prev_end, "entries are in order");
        }
        prev_end = e.offset + e.header.entry_len() as u64;
        assert!(prev_end as usize <= body_end, "entry runs into the trailer");
        // An entry that leaves its id out is listed with the id its content
        // hashes to (a stored id may be anything, zeros included).
        assert!(
            e.header.layout.stores_id() || e.header.id != object::NO_ID,
            "an entry without its id is listed without one"
        );
    }
    // Bases resolve by id (codec 1) or by offset in this pack (codec 2).
    let mut decoded: HashMap<ObjectId, Vec<u8>> = HashMap::new();
    let mut at: HashMap<u64, ObjectId> = HashMap::new();
    for e in &s.entries {
        let base_id = match e.header.base {
            None => None,
            Some(BaseRef::Id(b)) => Some(b),
            Some(BaseRef::Offset(o)) => at.get(&u64::from(o)).copied(),
        };
        let base = base_id.and_then(|b| decoded.get(&b).map(|bytes| (b, bytes.as_slice())));
        match pack::decode_at(&bytes, e.offset, base) {
            Ok((h, out)) => {
                assert_eq!(h, e.header);
                assert_eq!(ObjectId::of(&out), h.id);
                at.insert(e.offset, h.id);
                decoded.insert(h.id, out);
            }
            Err(err) => {
                let _ = err.to_string();
            }
        }
    }
    // Offsets a damaged catalog could hold.
    let n = bytes.len() as u64;
    for off in [
        0,
        1,
        n.saturating_sub(1),
        n,
        n + 1,
        u64::MAX,
        u64::from(mode) * 3,
    ] {
        let _ = pack::decode_at(&bytes, off, None);
    }
});
