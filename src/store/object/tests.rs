//! Tests of `object.rs` (kept apart: the module is near the length limit).
use super::*;
use proptest::prelude::*;

const OLD: &str = include_str!("../../../tests/fixtures/articles/blog-repost-2019-02-12.txt");
const NEW: &str = include_str!("../../../tests/fixtures/articles/globalresearch-2019-02-12.md");

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

const NO_ID_LAYOUT: Layout = Layout::Compact { id: false };
const ID_LAYOUT: Layout = Layout::Compact { id: true };

/// A compact entry: 32 bytes of id fewer when it leaves the id out,
/// and its varint fields and bare frame smaller than a classic one's.
#[test]
fn compact_entries_read_back_and_are_smaller() {
    let c = Codec::default();
    let data = NEW.as_bytes();
    let (id, classic) = encode(c, Kind::Content, data, None).unwrap();
    let (_, with_id) = encode_as(c, ID_LAYOUT, Kind::Content, data, None).unwrap();
    let (_, bare) = encode_as(c, NO_ID_LAYOUT, Kind::Content, data, None).unwrap();
    assert_eq!(with_id.len(), bare.len() + 28, "the id, not 4 bytes of it");
    // Classic: 48-byte header and a frame with magic and content size;
    // compact: 1 + 2 + 2 + 4 + 4 and a frame with neither.
    assert!(
        classic.len() >= bare.len() + 38,
        "{} {}",
        classic.len(),
        bare.len()
    );
    let h = parse_header(&bare).unwrap();
    assert_eq!((h.id, h.layout, h.size), (NO_ID, NO_ID_LAYOUT, data.len()));
    assert_eq!(h.entry_len(), bare.len());
    for entry in [&classic, &with_id, &bare] {
        let (h, back) = decode(entry, None).unwrap();
        assert_eq!((h.id, back.as_slice()), (id, data));
        decode_expecting(entry, Some(id), None).unwrap();
        let other = ObjectId::of(b"other");
        assert!(matches!(
            decode_expecting(entry, Some(other), None),
            Err(DecodeError::Hash { .. })
        ));
    }
}

#[test]
fn a_compact_delta_rebases_and_reads_back() {
    let c = Codec::default();
    let base_id = ObjectId::of(NEW.as_bytes());
    let with = Some((BaseRef::Offset(300_000), NEW.as_bytes()));
    let (id, e) = encode_as(c, NO_ID_LAYOUT, Kind::Content, OLD.as_bytes(), with).unwrap();
    assert_eq!(
        parse_header(&e).unwrap().base,
        Some(BaseRef::Offset(300_000))
    );
    let moved = rebase(&e, 8).unwrap();
    assert_eq!(moved.len() + 2, e.len(), "a 3-byte offset became 1 byte");
    let h = parse_header(&moved).unwrap();
    assert_eq!(h.base, Some(BaseRef::Offset(8)));
    let (h, back) = decode(&moved, Some((base_id, NEW.as_bytes()))).unwrap();
    assert_eq!((h.id, back.as_slice()), (id, OLD.as_bytes()));
    assert!(matches!(decode(&moved, None), Err(DecodeError::NoBase)));
    // Against a base by id: that id is in the header, checked on decode.
    let with = Some((BaseRef::Id(base_id), NEW.as_bytes()));
    let (_, e) = encode_as(c, ID_LAYOUT, Kind::Record, OLD.as_bytes(), with).unwrap();
    let other = ObjectId::of(b"other");
    assert!(matches!(
        decode(&e, Some((other, NEW.as_bytes()))),
        Err(DecodeError::WrongBase { .. })
    ));
    assert_eq!(
        decode(&e, Some((base_id, NEW.as_bytes()))).unwrap().0.id,
        id
    );
}

/// A flipped bit in a compact header fails its check; one in the frame
/// fails decoding or changes the content's hash (a frame without magic,
/// content size and checksum has a window descriptor, whose bits may
/// change nothing that is decoded: then the content is still the same).
#[test]
fn every_flipped_byte_of_a_compact_entry_is_detected() {
    let data = b"{\"doc\":\"a\",\"n\":1}";
    for layout in [ID_LAYOUT, NO_ID_LAYOUT] {
        let (id, enc) = encode_as(Codec::default(), layout, Kind::Record, data, None).unwrap();
        let hlen = parse_header(&enc).unwrap().hlen;
        let mut unchanged = 0;
        for i in 0..enc.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = enc.clone();
                bad[i] ^= bit;
                match decode(&bad, None) {
                    Err(_) => {}
                    Ok((h, back)) => {
                        assert!(i >= hlen, "{layout:?} header byte {i} bit {bit:#x}");
                        assert_eq!(h.id == id, back == data, "{layout:?} byte {i}");
                        assert!(decode_expecting(&bad, Some(id), None).is_ok() == (back == data));
                        unchanged += usize::from(back == data);
                    }
                }
            }
        }
        assert!(
            unchanged <= 2,
            "{layout:?}: {unchanged} flips changed nothing"
        );
    }
}

#[test]
fn varints_are_bounded_and_shortest() {
    assert_eq!(read_varint(&[0x05]), Ok((5, 1)));
    assert_eq!(read_varint(&[0x80, 0x01]), Ok((128, 2)));
    assert_eq!(
        read_varint(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
        Ok((u32::MAX, 5))
    );
    for bad in [
        &[0x80, 0x00][..],                     // not the shortest form
        &[0xff, 0xff, 0xff, 0xff, 0x1f],       // over u32
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // six bytes
    ] {
        assert_eq!(read_varint(bad), Err(DecodeError::Varint), "{bad:?}");
    }
    assert_eq!(read_varint(&[0x80]), Err(DecodeError::Truncated));
    let mut out = Vec::new();
    for v in [0, 127, 128, 300_000, u32::MAX] {
        out.clear();
        write_varint(&mut out, v);
        assert_eq!(read_varint(&out), Ok((v, out.len())));
    }
}

/// A compact header that claims more than the limit is refused before
/// anything is allocated; one that claims less than its frame holds
/// fails decoding.
#[test]
fn a_lying_compact_size_is_refused() {
    let data = [b'a'; 10_000];
    let (_, enc) = encode_as(Codec::default(), NO_ID_LAYOUT, Kind::Content, &data, None).unwrap();
    let h = parse_header(&enc).unwrap();
    let frame = &enc[h.hlen..];
    for (size, ok) in [(1u32 << 30, false), (100, false), (10_000, true)] {
        let lie = Header {
            size: size as usize,
            ..h
        };
        let mut e = header_bytes(&lie);
        e.extend_from_slice(frame);
        match decode(&e, None) {
            Ok((_, back)) => assert!(ok && back == data),
            Err(DecodeError::TooLarge(_)) => assert_eq!(size, 1 << 30),
            Err(err) => assert!(!ok, "{err}"),
        }
    }
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
        for layout in [Layout::Classic, ID_LAYOUT, NO_ID_LAYOUT] {
            let (id, enc) = encode_as(codec, layout, Kind::Content, &data, Some((base_ref, &base))).unwrap();
            prop_assert_eq!(id, ObjectId::of(&data));
            let (h, back) = decode(&enc, Some((base_id, &base))).unwrap();
            prop_assert_eq!(h.id, id);
            prop_assert_eq!(&back, &data);
        }
    }

    #[test]
    fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode(&data, None);
    }
}
