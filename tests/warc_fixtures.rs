//! The WARC reader on public sample files from warcio's test data (see
//! tests/fixtures/warc/README.md), broken ones included.

use std::path::Path;

use vellum::warc::Check;
use vellum::warc::import::{Item, Skip, interpret};
use vellum::warc::read::{Options, Reader};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/warc");

/// (kind, block check bad?, file offset) per record, and the error if any.
fn scan(name: &str) -> (Vec<(String, bool, u64)>, Option<String>) {
    let f = std::fs::File::open(Path::new(DIR).join(name)).unwrap();
    let mut r = Reader::new(std::io::BufReader::new(f), Options::default()).unwrap();
    let mut out = Vec::new();
    loop {
        match r.next_record() {
            Ok(Some(rec)) => out.push((rec.kind(), rec.block_check.is_bad(), rec.at.file_offset())),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e.to_string())),
        }
    }
}

fn kinds(recs: &[(String, bool, u64)]) -> Vec<&str> {
    recs.iter().map(|r| r.0.as_str()).collect()
}

#[test]
fn good_samples_read_completely() {
    let expect = [
        "warcinfo", "warcinfo", "response", "request", "revisit", "request",
    ];
    for name in [
        "example.warc",
        "example.warc.gz",
        "example-bad-non-chunked.warc.gz",
    ] {
        let (recs, err) = scan(name);
        assert_eq!(err, None, "{name}");
        assert_eq!(kinds(&recs), expect, "{name}");
    }
    // One gzip member per record: offsets are the members' (as in warcio index).
    let (recs, _) = scan("example.warc.gz");
    let offsets: Vec<u64> = recs.iter().map(|r| r.2).collect();
    assert_eq!(offsets, [0, 353, 784, 2012, 2621, 3207]);
    let (recs, err) = scan("example-wget-bad-target-uri.warc.gz");
    assert_eq!(err, None);
    assert_eq!(
        kinds(&recs),
        [
            "warcinfo", "request", "response", "metadata", "resource", "resource"
        ]
    );
    assert!(recs.iter().all(|r| !r.1));
}

#[test]
fn bad_block_digests_are_found() {
    // The whole-file gzip sample's revisit has a wrong block digest.
    let (recs, _) = scan("example-bad-non-chunked.warc.gz");
    assert_eq!(
        recs.iter()
            .filter(|r| r.1)
            .map(|r| r.0.as_str())
            .collect::<Vec<_>>(),
        ["revisit"]
    );
    // A record split across gzip members, whose digest does not match.
    let (recs, err) = scan("example-wrong-chunks.warc.gz");
    assert_eq!(err, None);
    assert!(recs[0].1, "{recs:?}");
}

#[test]
fn truncated_sample_is_read_and_its_cut_body_named() {
    // The response's gzip body was cut short and its Content-Length made
    // two bytes short of what follows: the reader reads every record (noting
    // the bytes after the block), and the response is the one that cannot
    // be used.
    let (recs, err) = scan("example-trunc.warc");
    assert_eq!(err, None);
    assert_eq!(
        kinds(&recs),
        ["warcinfo", "warcinfo", "response", "request"]
    );
    let f = std::fs::File::open(Path::new(DIR).join("example-trunc.warc")).unwrap();
    let mut r = Reader::new(std::io::BufReader::new(f), Options::default()).unwrap();
    let response = std::iter::from_fn(|| r.next_record().unwrap())
        .find(|rec| rec.kind() == "response")
        .unwrap();
    assert_eq!(
        response.deviations,
        [vellum::warc::Deviation::AfterBlock { bytes: 4 }]
    );
    let err = interpret(response, 1 << 20).unwrap_err().to_string();
    assert!(err.contains("record at byte 1197"), "{err}");
    assert!(err.contains("gzip"), "{err}");
}

#[test]
fn chunked_response_and_base64_payload_digests() {
    let f = std::fs::File::open(Path::new(DIR).join("example-iana.org-chunked.warc")).unwrap();
    let mut r = Reader::new(std::io::BufReader::new(f), Options::default()).unwrap();
    let mut found = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        if let Item::Capture(c) = interpret(rec, 1 << 20).unwrap() {
            found.push(c);
        }
    }
    assert_eq!(found.len(), 1);
    let c = &found[0];
    assert_eq!(c.url.as_deref(), Some("http://www.iana.org/"));
    assert_eq!(c.media_type.as_deref(), Some("text/html"));
    assert_eq!(c.charset.as_deref(), Some("utf-8"));
    assert!(c.payload.starts_with(b"<!doctype html>") || c.payload.starts_with(b"<!DOCTYPE html>"));
    assert!(c.bad_digests.is_empty(), "{:?}", c.bad_digests);

    // warcio's digest sample: base32, base64 and URL-safe base64 payload
    // digests; the first is not a digest at all ('1' is not base32).
    let f = std::fs::File::open(Path::new(DIR).join("example-digest.warc")).unwrap();
    let mut r = Reader::new(std::io::BufReader::new(f), Options::default()).unwrap();
    let mut checks = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        let declared = rec.header("WARC-Payload-Digest").map(str::to_owned);
        let vellum::warc::read::Block::Kept(block) = &rec.block else {
            panic!()
        };
        let body = &block[block.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
        checks.push(Check::against(declared.as_deref(), &[body]));
        assert!(matches!(
            interpret(rec, 1 << 20).unwrap(),
            Item::Skipped {
                why: Skip::Type(_),
                ..
            }
        ));
    }
    assert!(matches!(checks[0], Check::Unchecked(_)), "{checks:?}");
    assert_eq!(checks[1..], [Check::Good, Check::Good, Check::Good]);
    // The same body against a wrong digest fails.
    assert!(Check::against(Some("sha1:2jmj7l5rSw0yVb/vlWAYkK/YBwk="), &[b"x"]).is_bad());
}

/// Reads every record and interprets it, as `import` does, going on after
/// errors in records as `import` does; returns how many records were read.
fn read_all(data: &[u8], max_block: u64) -> usize {
    let mut r = Reader::new(data, Options { max_block }).unwrap();
    let (mut n, mut calls) = (0, 0);
    loop {
        calls += 1;
        // Every call consumes input (the samples decompress to < 64 KiB).
        assert!(calls <= 64 << 10, "the reader does not get on");
        match r.next_record() {
            Ok(Some(rec)) => {
                n += 1;
                let _ = rec.at.to_string();
                let _ = interpret(rec, 1 << 20);
            }
            Ok(None) => return n,
            Err(e) => {
                let _ = e.to_string();
                if e.ends_reading() {
                    assert!(r.next_record().unwrap().is_none());
                    return n;
                }
            }
        }
    }
}

#[test]
fn records_are_found_again_by_position() {
    for name in [
        "example.warc",
        "example.warc.gz",
        "example-bad-non-chunked.warc.gz",
        "example-wrong-chunks.warc.gz",
    ] {
        let bytes = std::fs::read(Path::new(DIR).join(name)).unwrap();
        let mut r = Reader::new(&bytes[..], Options::default()).unwrap();
        let mut n = 0;
        while let Some(rec) = r.next_record().unwrap() {
            let again = vellum::warc::read::record_at(
                std::io::Cursor::new(&bytes),
                rec.at,
                Options::default(),
            )
            .unwrap();
            assert_eq!(
                (again.at, &again.headers, &again.block),
                (rec.at, &rec.headers, &rec.block),
                "{name}"
            );
            n += 1;
        }
        assert!(n >= 2, "{name}");
    }
    // A position where no record starts.
    let bytes = std::fs::read(Path::new(DIR).join("example.warc")).unwrap();
    let at = vellum::warc::read::Position {
        offset: 10,
        member: None,
    };
    assert!(
        vellum::warc::read::record_at(std::io::Cursor::new(&bytes), at, Options::default())
            .is_err()
    );
}

#[test]
fn lying_lengths_allocate_nothing_large() {
    let rec = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 999999999999999\r\n\r\nshort";
    let mut r = Reader::new(&rec[..], Options::default()).unwrap();
    let e = r.next_record().unwrap_err().to_string();
    assert!(e.contains("only 5 follow"), "{e}");
    let huge_header = format!("WARC/1.1\r\nX: {}\r\n", "a".repeat(100_000));
    let mut r = Reader::new(huge_header.as_bytes(), Options::default()).unwrap();
    assert!(r.next_record().is_err());
}

mod mutated {
    use super::*;
    use proptest::prelude::*;

    fn fixtures() -> Vec<Vec<u8>> {
        [
            "example.warc",
            "example.warc.gz",
            "example-iana.org-chunked.warc",
            "example-wget-bad-target-uri.warc.gz",
            "example-bad-non-chunked.warc.gz",
            "example.arc",
            "example.arc.gz",
            "example-trunc.warc",
        ]
        .iter()
        .map(|n| std::fs::read(Path::new(DIR).join(n)).unwrap())
        .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Flipped bytes, cuts, insertions and rewritten digits in real WARC
        /// and ARC files: the reader reads on past errors in records, ends,
        /// never panics, and never loops.
        #[test]
        fn mutated_samples_never_panic(
            which in 0usize..8,
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..8),
            small_blocks in any::<bool>(),
        ) {
            let mut data = fixtures().swap_remove(which);
            for (at, op, byte) in edits {
                if data.is_empty() { break; }
                let i = at.index(data.len());
                match op {
                    0 => data[i] ^= byte | 1,
                    1 => data.truncate(i),
                    2 => data.insert(i, byte),
                    _ => if data[i].is_ascii_digit() { data[i] = b'0' + byte % 10 },
                }
            }
            read_all(&data, if small_blocks { 64 } else { 1 << 20 });
        }
    }
}
