use super::*;
use std::io::Write;

pub(crate) fn record(kind: &str, extra: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\n{extra}Content-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn all(data: &[u8], options: Options) -> (Vec<Record>, Option<WarcError>) {
    let mut r = Reader::new(data, options).unwrap();
    let mut out = Vec::new();
    loop {
        match r.next_record() {
            Ok(Some(rec)) => out.push(rec),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

#[test]
fn plain_gzip_per_record_and_whole_file() {
    let a = record("resource", "WARC-Target-URI: <http://a/>\r\n", b"hello");
    let b = record("metadata", "", b"k: v\r\n");
    let plain = [a.clone(), b.clone()].concat();
    let (recs, err) = all(&plain, Options::default());
    assert!(err.is_none());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].target_uri(), Some("http://a/"));
    assert_eq!(recs[0].block, Block::Kept(b"hello".to_vec()));
    assert_eq!(recs[1].at.offset, a.len() as u64);
    assert_eq!(recs[1].at.member, None);

    let (ga, gb) = (gz(&a), gz(&b));
    let per_record = [ga.clone(), gb].concat();
    let (recs, err) = all(&per_record, Options::default());
    assert!(err.is_none());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].at.member, Some((ga.len() as u64, a.len() as u64)));
    assert_eq!(recs[1].at.file_offset(), ga.len() as u64);

    let whole = gz(&plain);
    let (recs, err) = all(&whole, Options::default());
    assert!(err.is_none());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].at.member, Some((0, 0)));
    assert!(recs[1].at.to_string().contains("decompressed"));
}

#[test]
fn block_digests() {
    let good = Digest::of(super::super::Algorithm::Sha1, b"hello").to_warc();
    let rec = record(
        "resource",
        &format!("WARC-Block-Digest: {good}\r\n"),
        b"hello",
    );
    let (recs, _) = all(&rec, Options::default());
    assert_eq!(recs[0].block_check, Check::Good);
    let bad = record(
        "resource",
        &format!("WARC-Block-Digest: {good}\r\n"),
        b"hellO",
    );
    let (recs, _) = all(&bad, Options::default());
    assert!(recs[0].block_check.is_bad());
    // Too large to keep: hashed while streaming.
    let small = Options { max_block: 2 };
    let (recs, err) = all(&rec, small);
    assert!(err.is_none());
    assert_eq!(recs[0].block, Block::TooLarge(5));
    assert_eq!(recs[0].block_check, Check::Good);
    let (recs, _) = all(&bad, small);
    assert!(recs[0].block_check.is_bad());
}

/// Every record the reader returns, and every error, in order.
fn events(data: &[u8]) -> Vec<Result<Record, WarcError>> {
    let mut r = Reader::new(data, Options::default()).unwrap();
    let mut out = Vec::new();
    for _ in 0..=data.len() {
        match r.next_record() {
            Ok(Some(rec)) => out.push(Ok(rec)),
            Ok(None) => return out,
            Err(e) => out.push(Err(e)),
        }
    }
    panic!("more records than bytes");
}

fn bodies(ev: &[Result<Record, WarcError>]) -> Vec<String> {
    ev.iter()
        .map(|e| match e {
            Ok(r) => match &r.block {
                Block::Kept(b) => String::from_utf8_lossy(b).into_owned(),
                Block::TooLarge(_) => "?".into(),
            },
            Err(e) => format!("error at {}", e.at().file_offset()),
        })
        .collect()
}

#[test]
fn a_record_that_cannot_be_read_is_an_error_and_reading_goes_on() {
    let a = record("resource", "", b"hello");
    let b = record("resource", "", b"world");
    let c = record("resource", "", b"again");
    // Truncated in the last record's block: the error names it, then the end.
    let both = [a.clone(), b.clone()].concat();
    let ev = events(&both[..both.len() - 8]);
    assert_eq!(bodies(&ev), ["hello", &format!("error at {}", a.len())]);
    let e = ev[1].as_ref().unwrap_err();
    assert!(matches!(e, WarcError::Truncated { .. }), "{e}");
    assert!(e.to_string().contains(&format!("byte {}", a.len())), "{e}");
    // Headers that are no WARC headers in the middle: skipped, the next
    // record read.
    let bad = b"WARC/1.0\r\nWARC-Type: resource\r\n\r\nxyz\r\n\r\n".to_vec();
    let ev = events(&[a.clone(), bad.clone(), c.clone()].concat());
    assert_eq!(
        bodies(&ev),
        ["hello", &format!("error at {}", a.len()), "again"]
    );
    assert!(matches!(ev[1], Err(WarcError::BadHeader { .. })));
    // A damaged gzip member: its record is an error, the next member's
    // record is read.
    let (ga, gc) = (gz(&a), gz(&c));
    let mut gb = gz(&b);
    let mid = gb.len() / 2;
    gb[mid] ^= 0xff;
    gb[mid + 1] ^= 0x55;
    let ev = events(&[ga.clone(), gb.clone(), gc.clone()].concat());
    assert_eq!(
        bodies(&ev),
        ["hello", &format!("error at {}", ga.len()), "again"]
    );
    // A truncated gzip member at the end.
    let g2 = gz(&b);
    let ev = events(&[ga.clone(), g2[..g2.len() - 4].to_vec()].concat());
    assert_eq!(bodies(&ev), ["hello", &format!("error at {}", ga.len())]);
    // Not a WARC: one error, nothing more.
    let ev = events(b"hello\r\nWARC/1.0\r\n");
    assert!(matches!(ev[..], [Err(WarcError::NotWarc { .. })]));
    assert!(ev[0].as_ref().unwrap_err().ends_reading());
    // No Content-Length.
    let ev = events(b"WARC/1.0\r\nWARC-Type: resource\r\n\r\n");
    assert!(matches!(ev[..], [Err(WarcError::BadHeader { .. })]));
    // Bytes that start no record at the end.
    let ev = events(&[a.clone(), b"garbage\r\n".to_vec()].concat());
    assert!(matches!(ev[1], Err(WarcError::Garbage { bytes: 9, .. })));
    // Empty input is an empty archive.
    assert!(events(b"").is_empty());
}

#[test]
fn deviations_are_tolerated_and_noted() {
    let a = record("resource", "", b"hello");
    let c = record("resource", "", b"again");
    let notes = |ev: &[Result<Record, WarcError>], i: usize| {
        ev[i].as_ref().map(|r| r.deviations.clone()).unwrap()
    };
    // No line ends after the block, the next record right after it.
    let short = a[..a.len() - 4].to_vec();
    let ev = events(&[short.clone(), c.clone()].concat());
    assert_eq!(bodies(&ev), ["hello", "again"]);
    assert_eq!(notes(&ev, 0), [Deviation::RecordEnd { found: 0 }]);
    assert!(notes(&ev, 1).is_empty());
    // One line end, and at the end of the file none.
    let one = a[..a.len() - 2].to_vec();
    let ev = events(&[one, short].concat());
    assert_eq!(notes(&ev, 0), [Deviation::RecordEnd { found: 1 }]);
    assert_eq!(notes(&ev, 1), [Deviation::RecordEnd { found: 0 }]);
    // A Content-Length one short: the byte left is noted, the next record
    // read.
    let wrong = String::from_utf8(a.clone())
        .unwrap()
        .replace("Content-Length: 5", "Content-Length: 4");
    let ev = events(&[wrong.into_bytes(), c.clone()].concat());
    assert_eq!(bodies(&ev), ["hell", "again"]);
    assert_eq!(notes(&ev, 0), [Deviation::AfterBlock { bytes: 3 }]);
    // Bytes between records that start none.
    let ev = events(&[a.clone(), b"junk\r\nmore\r\n".to_vec(), c.clone()].concat());
    assert_eq!(bodies(&ev), ["hello", "again"]);
    assert_eq!(notes(&ev, 1), [Deviation::BeforeRecord { bytes: 12 }]);
    // Header lines ending in CR CR LF.
    let crcr = String::from_utf8(a.clone())
        .unwrap()
        .replacen("\r\n", "\r\r\n", 3);
    let ev = events(crcr.as_bytes());
    assert_eq!(bodies(&ev), ["hello"]);
    assert_eq!(ev[0].as_ref().unwrap().kind(), "resource");
    // Bytes between gzip members, and zeros padding the end.
    let (ga, gc) = (gz(&a), gz(&c));
    let ev = events(&[ga, b"\0\0xyz".to_vec(), gc, vec![0; 7]].concat());
    assert_eq!(bodies(&ev), ["hello", "again"]);
    assert!(notes(&ev, 0).is_empty());
    assert_eq!(notes(&ev, 1), [Deviation::BetweenMembers { bytes: 5 }]);
}

#[test]
fn an_arc_file_reads_as_records() {
    let http = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello";
    let desc = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n";
    let mut f = format!(
        "filedesc://x.arc 0.0.0.0 20140101000000 text/plain {}\n",
        desc.len()
    )
    .into_bytes();
    f.extend_from_slice(desc);
    f.extend_from_slice(b"\n");
    let at = f.len() as u64;
    f.extend_from_slice(
        format!(
            "http://e.example/ 1.2.3.4 20140102030405 text/plain {}\n",
            http.len()
        )
        .as_bytes(),
    );
    f.extend_from_slice(http);
    f.extend_from_slice(b"\n");
    let mut r = Reader::new(&f[..], Options::default()).unwrap();
    let info = r.next_record().unwrap().unwrap();
    assert_eq!(info.kind(), "warcinfo");
    assert!(r.is_arc());
    let rec = r.next_record().unwrap().unwrap();
    assert_eq!(rec.kind(), "response");
    assert_eq!(rec.at.offset, at);
    assert_eq!(rec.target_uri(), Some("http://e.example/"));
    assert_eq!(rec.header("WARC-Date"), Some("2014-01-02T03:04:05Z"));
    assert_eq!(rec.block, Block::Kept(http.to_vec()));
    assert!(r.next_record().unwrap().is_none());
}
