//! `store::tlog::Segment::decode` (archive log segments, merge segments
//! among them) on arbitrary bytes: a segment that decodes encodes back to
//! exactly its bytes, and its entries and positions agree with its length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::store::tlog::Segment;

fuzz_target!(|data: &[u8]| {
    let Ok(seg) = Segment::decode(data) else {
        return;
    };
    assert_eq!(
        seg.encode(),
        data,
        "decode/encode round trip changed the bytes"
    );
    assert_eq!(seg.entries().len() as u64, seg.len());
    assert_eq!(seg.end(), seg.start + seg.len());
    if let Some((at, _)) = seg.capture_positions().last() {
        assert_eq!(at + 1, seg.end());
    }
});
