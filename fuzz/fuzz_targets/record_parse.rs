//! `CaptureRecord::parse` on arbitrary bytes; a record that parses must
//! survive the canonical round trip (canonical bytes parse back to an equal
//! record whose canonical bytes are the same). fuzz/regressions/record_parse/
//! holds the times out of UTC range that once made `to_canonical` panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::store::CaptureRecord;

fuzz_target!(|data: &[u8]| {
    let Ok(rec) = CaptureRecord::parse(data) else {
        return;
    };
    let _ = rec.version_key();
    let canonical = rec.to_canonical();
    let back = CaptureRecord::parse(&canonical).expect("canonical bytes parse");
    assert_eq!(back, rec, "canonical round trip changed the record");
    assert_eq!(
        back.to_canonical(),
        canonical,
        "canonical form is not stable"
    );
});
