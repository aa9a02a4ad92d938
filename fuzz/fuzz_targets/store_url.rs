//! `s3://BUCKET/PREFIX` store URLs (`--store`, `VELLUM_STORE`) on arbitrary strings.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vellum::store::remote::parse;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let Some(parsed) = parse(Path::new(s.as_ref())) else {
        assert!(!s.starts_with("s3://"));
        return;
    };
    let Ok(spec) = parsed else {
        return;
    };
    assert!((3..=63).contains(&spec.bucket.len()));
    assert!(spec.bucket.bytes().all(|b| b.is_ascii_lowercase()
        || b.is_ascii_digit()
        || b == b'-'
        || b == b'.'));
    // No key can escape the prefix.
    assert!(spec.prefix.is_empty()
        || spec.prefix.split('/').all(|p| !p.is_empty() && p != "." && p != ".."));
    // The URL it prints names the same store.
    let again = parse(Path::new(&spec.url())).unwrap().unwrap();
    assert_eq!(again, spec);
});
