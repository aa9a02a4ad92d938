//! What `vellum serve` makes of hostile input: a diff page's query string
//! (`Params::parse`, whose own URL must parse back to the same request),
//! and the escaping every archived string goes through (no tag, attribute
//! or bidi override survives `esc`; only http(s) URLs become links).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::web::diff_page::Params;
use vellum::web::page::{esc, href};

fn check(s: &str) {
    if let Ok(p) = Params::parse(s) {
        let url = p.url();
        let again = Params::parse(url.strip_prefix("/diff?").expect("a diff URL"))
            .expect("our own URL parses");
        assert_eq!(again, p);
    }
    let e = esc(s);
    assert!(!e.contains(['<', '>', '"', '\'', '\u{202e}', '\u{2066}']), "{e:?}");
    let h = href(s);
    if h.starts_with("<a ") {
        assert!(h.starts_with("<a href=\"http://") || h.starts_with("<a href=\"https://"), "{h:?}");
    } else {
        assert!(!h.contains('<'), "{h:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(s) => check(s),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }
});
