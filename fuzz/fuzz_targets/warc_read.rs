//! The WARC reader and record interpretation (`warc::read::Reader`,
//! `warc::import::interpret`, `warc::http`) on arbitrary bytes, twice: as
//! given (plain or gzip, as the reader detects), and gzip-compressed, so that
//! mutations reach the WARC and HTTP parsers behind a valid gzip layer.
//! Must never panic; memory is bounded by the small limits set here. After
//! an error in a record the reader goes on, but every call consumes input:
//! never more records and errors than bytes.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use vellum::warc::import::interpret;
use vellum::warc::read::{Options, Reader};

const LIMIT: usize = 1 << 20;

fn read_all(data: &[u8]) {
    let Ok(mut r) = Reader::new(data, Options { max_block: LIMIT as u64 }) else {
        return;
    };
    // Every record consumes at least its header line.
    for _ in 0..=data.len() {
        match r.next_record() {
            Ok(Some(rec)) => {
                let _ = rec.at.to_string();
                if let Ok(item) = interpret(rec, LIMIT) {
                    let _ = format!("{item:?}");
                }
            }
            Ok(None) => return,
            Err(e) => {
                let _ = e.to_string();
                if e.ends_reading() {
                    assert!(r.next_record().unwrap().is_none(), "a reader stops after such an error");
                    return;
                }
            }
        }
    }
    panic!("more records and errors than bytes");
}

fuzz_target!(|data: &[u8]| {
    read_all(data);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    read_all(&gz.finish().unwrap());
    let _ = vellum::warc::http::dechunk(data);
    let _ = vellum::warc::Digest::parse(&String::from_utf8_lossy(data));
});
