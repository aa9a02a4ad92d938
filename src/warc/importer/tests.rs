//! The importer without the CLI: a pipeline that takes text as it is.

use super::*;
use crate::store::CaptureText;

struct Plain;

impl Pipeline for Plain {
    fn ingest(&self, _bytes: &[u8], _hints: PrepareHints<'_>) -> Ingested {
        Ingested {
            media_type: "text/plain".into(),
            text: CaptureText::Bytes,
            extra: CaptureExtra::default(),
            title: None,
        }
    }

    fn commit(&mut self, mut writer: Writer<'_>) -> Result<Vec<Added>, StoreError> {
        let added = writer.prepare()?;
        writer.commit()?;
        Ok(added)
    }
}

fn record(kind: &str, date: &str, extra: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: {date}\r\n{extra}Content-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

const URL: &str = "http://a.example/notes/x";

/// A response, a request and a revisit of the response's payload.
fn crawl() -> Vec<u8> {
    let http = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nalpha text";
    let target = format!("WARC-Target-URI: {URL}\r\n");
    [
        record(
            "response",
            "2020-01-01T00:00:00Z",
            &format!(
                "{target}WARC-Record-ID: <urn:uuid:1>\r\nContent-Type: application/http; msgtype=response\r\n"
            ),
            http,
        ),
        record("request", "2020-01-01T00:00:00Z", &target, b"GET / HTTP/1.1\r\n\r\n"),
        record(
            "revisit",
            "2020-01-02T00:00:00Z",
            &format!("{target}WARC-Refers-To: <urn:uuid:1>\r\n"),
            b"",
        ),
    ]
    .concat()
}

#[test]
fn imports_a_file_and_reports_through_the_callback() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("crawl.warc");
    std::fs::write(&file, crawl()).unwrap();
    let (archive, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut pipeline = Plain;
    let mut imp = Importer::new(&mut pipeline, Options::default());
    let mut archived = Vec::new();
    imp.import_file(Some(&archive), &file, &mut |e| {
        if let Event::Archived { added, .. } = e {
            archived.extend(added.iter().map(|a| (a.doc.to_string(), a.status)));
        }
    })
    .unwrap();
    let report = imp.finish();
    let doc = canon::doc_name_for_url(&canon::canonicalize(URL).unwrap()).to_string();
    assert_eq!(
        archived,
        [(doc.clone(), Status::New), (doc, Status::Unchanged)]
    );
    let s = &report.summary;
    assert_eq!((s.records, s.new, s.unchanged, s.files), (3, 1, 1, 1));
    assert_eq!(s.skipped.get("request"), Some(&1));
    assert!(s.failed.is_empty() && report.warnings.is_empty());
}

#[test]
fn strict_a_broken_file_archives_nothing_of_itself_and_the_others_all() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.warc");
    std::fs::write(&good, crawl()).unwrap();
    let broken = tmp.path().join("broken.warc");
    let mut bytes = crawl();
    bytes.truncate(bytes.len() - 10);
    std::fs::write(&broken, bytes).unwrap();
    let (archive, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut pipeline = Plain;
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    let mut imp = Importer::new(&mut pipeline, strict);
    let files = [broken.clone(), good];
    imp.import_files(Some(&archive), &files, &mut |_| {})
        .unwrap();
    let s = imp.finish().summary;
    assert_eq!((s.new, s.unchanged, s.files), (1, 1, 2), "{s:?}");
    assert_eq!(s.failed.len(), 1);
    assert_eq!(s.failed[0].file, broken);
    assert!(matches!(s.failed[0].error, FileError::Broken(_)));
    assert_eq!(
        (s.failed[0].captures_before, s.failed[0].archived),
        (1, false)
    );
}

#[test]
fn a_record_that_cannot_be_read_is_listed_and_the_rest_archived() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("broken.warc");
    let good = crawl();
    // The revisit's headers are cut short: the response before it stays.
    let mut bytes = good.clone();
    bytes.truncate(bytes.len() - 10);
    std::fs::write(&broken, &bytes).unwrap();
    let (archive, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut pipeline = Plain;
    let mut imp = Importer::new(&mut pipeline, Options::default());
    imp.import_file(Some(&archive), &broken, &mut |_| {})
        .unwrap();
    let report = imp.finish();
    let s = &report.summary;
    assert_eq!((s.new, s.unchanged, s.files), (1, 0, 1), "{s:?}");
    assert!(s.failed.is_empty());
    assert_eq!(s.unreadable.len(), 1);
    let revisit_at = good.len()
        - record(
            "revisit",
            "2020-01-02T00:00:00Z",
            &format!("WARC-Target-URI: {URL}\r\nWARC-Refers-To: <urn:uuid:1>\r\n"),
            b"",
        )
        .len();
    assert_eq!(s.unreadable[0].offset, revisit_at as u64);
    assert!(report.incomplete());
}

/// The crawl with every record's two closing line ends gone.
fn deviant_crawl() -> Vec<u8> {
    let text = String::from_utf8(crawl()).unwrap();
    text.replace("\r\n\r\nWARC/1.0", "WARC/1.0").into_bytes()
}

#[test]
fn what_was_tolerated_is_kept_beside_the_capture_whose_id_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ids = Vec::new();
    for (name, bytes) in [("good", crawl()), ("deviant", deviant_crawl())] {
        let file = tmp.path().join(format!("{name}.warc"));
        std::fs::write(&file, bytes).unwrap();
        let (archive, _) = Archive::init(&tmp.path().join(name)).unwrap();
        let mut pipeline = Plain;
        let mut imp = Importer::new(&mut pipeline, Options::default());
        let mut added = Vec::new();
        imp.import_file(Some(&archive), &file, &mut |e| {
            if let Event::Archived { added: a, .. } = e {
                added.extend(a.iter().map(|a| a.capture));
            }
        })
        .unwrap();
        let s = imp.finish().summary;
        assert!(s.unreadable.is_empty(), "{s:?}");
        let notes: Vec<_> = added
            .iter()
            .map(|c| capture_notes(&archive, c).unwrap())
            .collect();
        ids.push((added, notes, s.tolerated));
    }
    let (good, deviant) = (&ids[0], &ids[1]);
    assert_eq!(good.0.len(), 2);
    assert_eq!(good.0, deviant.0, "the same captures, the same ids");
    assert!(good.1.iter().all(Option::is_none));
    assert_eq!(good.2, 0);
    let first = deviant.1[0].as_ref().expect("notes on the response");
    assert_eq!(first.deviations, [Deviation::RecordEnd { found: 0 }]);
    assert_eq!((first.file.as_str(), first.offset), ("deviant.warc", 0));
    assert!(deviant.1[1].is_none(), "the revisit ends as it should");
    assert_eq!(deviant.2, 1);
}

#[test]
fn a_dry_run_says_whether_anything_would_be_archived() {
    let tmp = tempfile::tempdir().unwrap();
    let requests = tmp.path().join("requests.warc");
    std::fs::write(
        &requests,
        record(
            "request",
            "2020-01-01T00:00:00Z",
            "",
            b"GET / HTTP/1.1\r\n\r\n",
        ),
    )
    .unwrap();
    let good = tmp.path().join("good.warc");
    std::fs::write(&good, crawl()).unwrap();
    let mut pipeline = Plain;
    let none = nothing_to_archive(
        &mut pipeline,
        Options::default(),
        std::slice::from_ref(&requests),
        &mut |_| {},
    )
    .unwrap()
    .expect("nothing to archive");
    assert_eq!(none.summary.skipped.get("request"), Some(&1));
    let some = nothing_to_archive(
        &mut pipeline,
        Options::default(),
        &[requests, good],
        &mut |_| {},
    )
    .unwrap();
    assert!(some.is_none());
}

/// A crawl split across files in any order: a revisit whose payload is in a
/// later file of the same import resolves once every file is read.
#[test]
fn a_revisit_resolves_to_a_later_file_of_the_same_import() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = crawl();
    // The revisit alone first, the response it refers to after.
    let split = whole.windows(9).rposition(|w| w == b"WARC/1.0\r").unwrap();
    let (responses, revisit) = (tmp.path().join("b.warc"), tmp.path().join("a.warc"));
    std::fs::write(&responses, &whole[..split]).unwrap();
    std::fs::write(&revisit, &whole[split..]).unwrap();
    let (archive, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut pipeline = Plain;
    let mut imp = Importer::new(&mut pipeline, Options::default());
    imp.import_files(Some(&archive), &[revisit, responses], &mut |_| {})
        .unwrap();
    let report = imp.finish();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let s = report.summary;
    assert_eq!((s.new, s.unchanged), (1, 1), "{s:?}");
}
