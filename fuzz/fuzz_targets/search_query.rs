//! The search query parser, and the paragraph normalizer and snippet cutter
//! it works with, on arbitrary strings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::search::query::{MAX_TERMS, fts_expression, parse};
use vellum::search::text::{paragraphs, snippet};

fn check(s: &str) {
    match parse(s) {
        Ok(terms) => {
            assert!(!terms.is_empty() && terms.len() <= MAX_TERMS);
            for t in &terms {
                assert!(!t.words.is_empty());
                // Words are letters and digits only: quoting cannot be escaped.
                for w in &t.words {
                    assert!(!w.is_empty() && !w.contains(['"', '*', ' ']), "{w:?}");
                }
            }
            let e = fts_expression(&terms);
            assert_eq!(e.matches('"').count(), 2 * terms.len());
            let t: Vec<(Vec<String>, bool)> =
                terms.iter().map(|t| (t.words.clone(), t.prefix)).collect();
            for (_, p) in paragraphs(s) {
                let parts = snippet(&p, &t);
                assert!(!parts.is_empty());
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(s) => check(s),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
