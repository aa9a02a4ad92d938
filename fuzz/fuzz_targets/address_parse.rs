//! `Address` and `DocName` parsing, and `slug`, on arbitrary strings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::ingest::{DocName, slug};
use vellum::store::Address;

fn check(s: &str) {
    let doc = s.parse::<DocName>();
    if let Ok(d) = &doc {
        assert_eq!(d.as_str(), s);
        assert!(!s.is_empty() && s.len() <= DocName::MAX_LEN);
    }
    match s.parse::<Address>() {
        Ok(Address::Version(d, n)) => {
            assert!(n >= 1);
            assert!(s.starts_with(d.as_str()) && s.contains('@'));
        }
        Ok(Address::Back(d, k)) => {
            assert!(k >= 1);
            assert!(s.starts_with(d.as_str()) && s.contains("@-"));
        }
        Ok(Address::At(d, _)) => assert!(s.starts_with(d.as_str()) && s.contains('@')),
        Ok(Address::Doc(d)) => assert_eq!(d.as_str(), s),
        // A URL names the document captured from it (looked up in a store).
        Ok(Address::Url(u)) => assert!(vellum::store::is_url(&u), "{u:?}"),
        Ok(Address::DocOrCapture(d)) => {
            assert_eq!(d.as_str(), s);
            assert!(s.len() >= 8 && s.len() <= 64);
        }
        Ok(Address::Capture(p)) => {
            assert!(p.len() >= 8 && p.len() <= 64, "{p:?}");
            assert!(
                p.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert_eq!(p, s.to_ascii_lowercase());
        }
        Err(e) => {
            assert!(
                doc.is_err() || s.contains('@'),
                "a document name is an address"
            );
            let _ = e.to_string();
        }
    }
    if let Some(d) = slug(s) {
        // A slug is always a valid name.
        assert_eq!(d.as_str().parse::<DocName>().as_ref(), Ok(&d));
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(s) => check(s),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
