//! `store::recordset::split` (store format 7's record sets) on arbitrary
//! bytes: a content that splits encodes back to exactly its bytes (one
//! encoding per set), holds 2 ..= MAX_RECORDS records, none empty, and
//! `ids` names each of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::store::recordset;

fuzz_target!(|data: &[u8]| {
    let Ok(records) = recordset::split(data) else {
        assert!(recordset::ids(data).is_err());
        return;
    };
    assert!((recordset::MIN_RECORDS..=recordset::MAX_RECORDS).contains(&records.len()));
    assert!(records.iter().all(|r| !r.is_empty()));
    assert_eq!(
        recordset::encode(&records),
        data,
        "split/encode round trip changed the bytes"
    );
    let ids = recordset::ids(data).unwrap();
    assert_eq!(ids.len(), 32 * records.len());
    for (r, id) in records.iter().zip(ids.chunks(32)) {
        assert_eq!(blake3::hash(r).as_bytes(), id);
    }
});
