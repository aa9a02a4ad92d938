//! `ingest::batch::parse_line` (and the time parsing behind it) on arbitrary
//! text, one line at a time as `add --batch` reads them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::ingest::batch::{parse_line, parse_time};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines().take(64) {
        match parse_line(line) {
            Ok(None) => assert!(line.trim().is_empty()),
            Ok(Some(b)) => {
                assert!(!b.doc.as_str().is_empty());
                let _ = b.time(time::OffsetDateTime::UNIX_EPOCH);
            }
            Err(problems) => {
                assert!(!problems.is_empty());
                for p in problems {
                    let _ = p.to_string();
                }
            }
        }
        let _ = parse_time(line);
    }
});
