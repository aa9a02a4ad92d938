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
    let expect = ["warcinfo", "warcinfo", "response", "request", "revisit", "request"];
    for name in ["example.warc", "example.warc.gz", "example-bad-non-chunked.warc.gz"] {
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
        ["warcinfo", "request", "response", "metadata", "resource", "resource"]
    );
    assert!(recs.iter().all(|r| !r.1));
}

#[test]
fn bad_block_digests_are_found() {
    // The whole-file gzip sample's revisit has a wrong block digest.
    let (recs, _) = scan("example-bad-non-chunked.warc.gz");
    assert_eq!(
        recs.iter().filter(|r| r.1).map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["revisit"]
    );
    // A record split across gzip members, whose digest does not match.
    let (recs, err) = scan("example-wrong-chunks.warc.gz");
    assert_eq!(err, None);
    assert!(recs[0].1, "{recs:?}");
}

#[test]
fn truncated_sample_names_the_record() {
    let (recs, err) = scan("example-trunc.warc");
    assert_eq!(kinds(&recs), ["warcinfo", "warcinfo"]);
    let err = err.expect("an error");
    assert!(err.contains("record at byte 1197"), "{err}");
    assert!(err.contains("Content-Length"), "{err}");
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
        let vellum::warc::read::Block::Kept(block) = &rec.block else { panic!() };
        let body = &block[block.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
        checks.push(Check::against(declared.as_deref(), &[body]));
        assert!(matches!(interpret(rec, 1 << 20).unwrap(), Item::Skipped { why: Skip::Type(_), .. }));
    }
    assert!(matches!(checks[0], Check::Unchecked(_)), "{checks:?}");
    assert_eq!(checks[1..], [Check::Good, Check::Good, Check::Good]);
    // The same body against a wrong digest fails.
    assert!(Check::against(Some("sha1:2jmj7l5rSw0yVb/vlWAYkK/YBwk="), &[b"x"]).is_bad());
}
