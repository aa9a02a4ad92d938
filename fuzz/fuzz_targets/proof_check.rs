//! `custody::proof::ProofFile` parsing and checking on arbitrary JSON: a
//! proof either holds or fails with a reason, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::custody::proof::ProofFile;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = serde_json::from_slice::<ProofFile>(data) {
        let _ = p.check(&[], None);
        let _ = p.check(&[(Some(1), vellum::id::ObjectId::of(b""))], Some(vellum::id::ObjectId::of(b"")));
    }
});
