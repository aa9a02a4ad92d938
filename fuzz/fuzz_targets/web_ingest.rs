//! `ingest::prepare` on arbitrary bytes: binary/HTML detection, charset
//! declarations and detection, article extraction, canonical links and the
//! document names derived from them. Nothing may panic, and every output
//! stays within its documented bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::ingest::extract::MAX_TEXT_LEN;
use vellum::ingest::{PrepareHints, canon, detect::TypeOverride, prepare};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the hints, so one corpus covers every path.
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let content_type = match sel % 4 {
        0 => None,
        1 => Some("text/html"),
        2 => Some("text/html; charset=windows-1256"),
        _ => Some("text/plain; charset=utf-8"),
    };
    let forced_type = match (sel >> 2) % 3 {
        0 => None,
        1 => Some(TypeOverride::Html),
        _ => Some(TypeOverride::Text),
    };
    let p = prepare(
        bytes,
        PrepareHints {
            forced_type,
            content_type,
            page_url: Some("https://example.org/news/a"),
            ..Default::default()
        },
    );
    if let Some(a) = &p.article {
        assert!(a.body.len() <= MAX_TEXT_LEN);
        if let Some(c) = &a.canonical_url
            && let Ok(u) = canon::canonicalize(c)
        {
            let name = canon::doc_name_for_url(&u);
            // Names are bounded in characters (they may be in any script).
            assert!(name.as_str().chars().count() <= vellum::store::DocName::MAX_LEN);
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(u) = canon::canonicalize(text) {
            let _ = canon::doc_name_for_url(&u);
        }
    }
});
