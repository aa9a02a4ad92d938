//! `object::parse_header` and `object::decode` on arbitrary bytes, with and
//! without a delta base, plus an encode -> decode round trip.
//!
//! Input: one mode byte, then the payload.
//!   mode % 4 == 0: payload is an entry, decoded as is (no base).
//!   mode % 4 == 1: payload is an entry with its header check fixed up.
//!   mode % 4 == 2: payload = base_len (u16 LE) + base + entry; header check
//!                  fixed up; the base is supplied under the id the header
//!                  asks for (or a wrong id when mode & 4).
//!   mode % 4 == 3: payload = base_len + base + data: encode data (against
//!                  the base when mode & 4; classic, compact with id or
//!                  compact without by (mode >> 4) % 3) and decode it back. Only with
//!                  FUZZ_ROUNDTRIP=1 (else treated as mode 1): zstd's level-19
//!                  compressor (btultra2), built by zstd-sys with gcc and
//!                  -fsanitize=address, trips a false ASan report
//!                  (stack-use-after-scope on the global `getAllMatchesFns`,
//!                  zstd_opt.c:899) under cargo-fuzz's LLVM ASan runtime.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::id::ObjectId;
use vellum::store::object::{self, BaseRef, Codec, Kind, Layout};
use vellum_fuzz::fix_header_check;

fn check_decode(entry: &[u8], base: Option<(ObjectId, &[u8])>) {
    let header = object::parse_header(entry);
    match object::decode(entry, base) {
        Ok((h, out)) => {
            // An entry without its id (compact layout) gets it by hashing.
            let parsed = header.map(|p| object::Header { id: h.id, ..p });
            assert_eq!(parsed, Ok(h), "decode accepted what parse_header refused");
            assert_eq!(out.len(), h.size);
            assert_eq!(ObjectId::of(&out), h.id, "decode returned rot");
            assert!(h.entry_len() <= entry.len());
            match (h.base, base) {
                (None, _) | (Some(BaseRef::Offset(_)), Some(_)) => {}
                (Some(BaseRef::Id(want)), Some((got, _))) => assert_eq!(want, got),
                (Some(_), None) => panic!("delta decoded without a base"),
            }
        }
        Err(e) => {
            if let Err(he) = &header {
                assert_eq!(&e, he, "decode and parse_header disagree");
            }
            // The error must render (it reaches users).
            let _ = e.to_string();
        }
    }
}

/// `payload` = base length (u16 little-endian) + base + rest.
fn split_base(payload: &[u8]) -> (&[u8], &[u8]) {
    let Some((len, rest)) = payload.split_first_chunk::<2>() else {
        return (&[], payload);
    };
    let n = (u16::from_le_bytes(*len) as usize).min(rest.len());
    rest.split_at(n)
}

fn roundtrip_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("FUZZ_ROUNDTRIP").is_some())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, payload)) = data.split_first() else {
        return;
    };
    let mode = if mode % 4 == 3 && !roundtrip_enabled() {
        mode - 2
    } else {
        mode
    };
    match mode % 4 {
        0 => check_decode(payload, None),
        1 => {
            let mut entry = payload.to_vec();
            fix_header_check(&mut entry);
            check_decode(&entry, None);
        }
        2 => {
            let (base, entry) = split_base(payload);
            let mut entry = entry.to_vec();
            fix_header_check(&mut entry);
            let id = match object::parse_header(&entry) {
                Ok(h) if mode & 4 == 0 => match h.base {
                    Some(BaseRef::Id(id)) => id,
                    _ => ObjectId::of(base),
                },
                _ => ObjectId::of(base),
            };
            check_decode(&entry, Some((id, base)));
            check_decode(&entry, None);
        }
        _ => {
            let (base, plain) = split_base(payload);
            let kind = if mode & 8 == 0 {
                Kind::Content
            } else {
                Kind::Record
            };
            let base = (mode & 4 != 0).then(|| (ObjectId::of(base), base));
            let by_id = base.map(|(id, b)| (BaseRef::Id(id), b));
            // Classic, compact with its id, compact without (mode bits 4-5).
            let layout = match (mode >> 4) % 3 {
                0 => Layout::Classic,
                1 => Layout::Compact { id: true },
                _ => Layout::Compact { id: false },
            };
            let (id, enc) =
                object::encode_as(Codec::default(), layout, kind, plain, by_id).expect("encode");
            assert_eq!(id, ObjectId::of(plain));
            let (h, back) = object::decode(&enc, base).expect("fresh entry decodes");
            assert_eq!(back, plain);
            assert_eq!((h.kind, h.id, h.entry_len()), (kind, id, enc.len()));
            // Any truncation is an error, never a wrong answer.
            for cut in [enc.len() - 1, enc.len() / 2, 47] {
                if cut < enc.len() {
                    assert!(object::decode(&enc[..cut], base).is_err(), "cut {cut}");
                }
            }
            // A flipped bit anywhere is an error, never a wrong answer.
            let mut bad = enc.clone();
            let i = (mode as usize * 7 + plain.len()) % bad.len();
            bad[i] ^= 1 << (mode % 8);
            if let Ok((_, out)) = object::decode_expecting(&bad, Some(id), base) {
                assert_eq!(out, plain, "flipped byte {i} decoded to other bytes");
            }
            if base.is_some() {
                assert!(
                    object::decode(&enc, None).is_err(),
                    "delta decoded without its base"
                );
            }
        }
    }
});
