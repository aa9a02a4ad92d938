//! Damage reports: flip every byte of every pack, truncate and delete packs,
//! and check that verify names the damage and every version it makes
//! unreadable, while every other version still reads back byte-exact; that
//! its account per capture (evidence, text, record) is what show, show
//! --raw and export can really do; and that `repair --from` an intact copy
//! brings verify back to clean with every capture byte-identical.

use std::collections::HashMap;
use std::path::Path;

use time::macros::datetime;
use vellum::store::repair::Sources;
use vellum::store::verify::{Part, ProblemKind, Report, verify};
use vellum::store::{Archive, CaptureExtra, CaptureText, NewCapture};

/// Three documents; `a` has four versions across two packs (delta chains
/// that cross packs), `b` shares boilerplate with `a` through its source.
fn build(dir: &Path) -> HashMap<String, Vec<u8>> {
    let (archive, _) = Archive::init(dir).unwrap();
    let para = "The base contained several mass graves of civilians who had been executed. ";
    let texts = [
        ("a", para.repeat(3)),
        (
            "a",
            format!("{}Army troops seized dozens of munitions.", para.repeat(3)),
        ),
        ("b", format!("Another story. {}", para.repeat(2))),
        (
            "a",
            format!("{}Army troop seized dozens of munitions.", para.repeat(3)),
        ),
        (
            "c",
            "Search For Keyword. France brokers evacuation deal.".to_owned(),
        ),
        (
            "a",
            format!(
                "{}Army troops seized dozens of munitions. More.",
                para.repeat(2)
            ),
        ),
    ];
    let mut expected = HashMap::new();
    let mut n: HashMap<&str, u64> = HashMap::new();
    for (batch, chunk) in texts.chunks(3).enumerate() {
        let mut w = archive.writer(&mut || {}).unwrap();
        for (i, (doc, text)) in chunk.iter().enumerate() {
            w.add(NewCapture {
                doc: doc.parse().unwrap(),
                captured_at: datetime!(2019-02-12 12:00 UTC)
                    + time::Duration::hours((batch * 3 + i) as i64),
                bytes: text.as_bytes().to_vec(),
                media_type: "text/plain".into(),
                text: vellum::store::CaptureText::Bytes,
                url: None,
                source: Some("site".into()),
                title: None,
                meta: Default::default(),
            })
            .unwrap();
            let v = n.entry(doc).or_default();
            *v += 1;
            expected.insert(format!("{doc}@{v}"), text.as_bytes().to_vec());
        }
        w.prepare().unwrap();
        w.commit().unwrap();
    }
    // A web page: raw HTML (the evidence) and an extracted text, two
    // objects, each a delta against the version before.
    let mut w = archive.writer(&mut || {}).unwrap();
    for (i, word) in ["first", "second"].iter().enumerate() {
        let text = format!("{} The {word} take.", para.repeat(2));
        let html = format!("<html><body><p>{text}</p></body></html>");
        let capture = NewCapture {
            doc: "h".parse().unwrap(),
            captured_at: datetime!(2019-03-01 12:00 UTC) + time::Duration::hours(i as i64),
            bytes: html.into_bytes(),
            media_type: "text/html".into(),
            text: CaptureText::Extracted(text.clone()),
            url: Some("https://example.org/h".into()),
            source: None,
            title: None,
            meta: Default::default(),
        };
        let extra = CaptureExtra {
            extractor: Some("test 1".into()),
            ..Default::default()
        };
        w.add_with(capture, extra).unwrap();
        expected.insert(format!("h@{}", i + 1), text.into_bytes());
    }
    w.prepare().unwrap();
    w.commit().unwrap();
    expected
}

/// Every capture's raw bytes and text, read back whole (what a repair must
/// give back byte-identical).
/// Per capture: its id, raw bytes and text (`None`: unreadable).
type Contents = Vec<(String, Option<Vec<u8>>, Option<Vec<u8>>)>;

fn everything(dir: &Path) -> Contents {
    let archive = Archive::open(dir).unwrap();
    let mut out: Vec<_> = archive
        .all_captures()
        .unwrap()
        .into_iter()
        .map(|c| {
            let read = |id| archive.read_object(id).ok().map(|b| b.to_vec());
            (c.id.to_string(), read(&c.content), read(&c.vkey))
        })
        .collect();
    out.sort();
    out
}

/// verify's account of each capture is what the reads behind show, show
/// --raw, diff and export can do, and the record part is what reading the
/// record does.
fn assert_account_matches(dir: &Path, report: &Report, what: &str) {
    let archive = Archive::open(dir).unwrap();
    for c in archive.all_captures().unwrap() {
        let account = report.damaged_captures.iter().find(|a| a.capture == c.id);
        let raw = archive.read_object(&c.content).is_ok();
        let text = archive.read_object(&c.vkey).is_ok();
        let record = archive.record(&c.id).is_ok();
        let export = vellum::warc::export::unexportable(&archive, &[c.id]).is_empty();
        let (says_raw, says_text, says_record, says_export) = match account {
            None => (true, true, true, true),
            Some(a) => (
                a.show_raw,
                !matches!(a.text, Part::Lost | Part::Rebuildable),
                a.record == Part::Intact,
                a.export,
            ),
        };
        let id = c.id;
        assert_eq!(raw, says_raw, "{what}: raw bytes of {id}: {account:?}");
        assert_eq!(text, says_text, "{what}: text of {id}: {account:?}");
        assert_eq!(record, says_record, "{what}: record of {id}: {account:?}");
        assert_eq!(export, says_export, "{what}: export of {id}: {account:?}");
        if let Some(a) = account.filter(|a| a.version > 0) {
            assert_eq!(a.show, text, "{what}: show of {id}: {a:?}");
        }
    }
}

/// Repairs a copy of the damaged store at `dir` from `pristine`: verify is
/// clean afterwards and every capture reads back as before.
fn assert_repair_heals(dir: &Path, pristine: &Path, before: &Contents, what: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("w");
    copy_dir(dir, &work);
    let archive = Archive::open(&work).unwrap();
    let report = verify(&archive, &mut |_, _| {});
    let replica = Archive::open(pristine).unwrap();
    let sources = Sources {
        replica: Some(&replica),
        rebuild: None,
        accept_losses: false,
    };
    let done = archive.repair(&report, sources, &mut |_, _| {}).unwrap();
    assert!(done.lost.is_empty(), "{what}: {done:?}");
    drop(archive);
    let after = verify(&Archive::open(&work).unwrap(), &mut |_, _| {});
    assert!(after.ok(), "{what}: after repair: {:?}", after.problems);
    assert_eq!(
        everything(&work),
        *before,
        "{what}: not byte-identical after repair"
    );
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

fn packs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut p: Vec<_> = std::fs::read_dir(dir.join("objects/packs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    p.sort();
    p
}

/// Reads every version with a fresh archive (no cache from before the damage).
fn readable(dir: &Path, expected: &HashMap<String, Vec<u8>>) -> Vec<String> {
    let archive = Archive::open(dir).unwrap();
    let mut ok = Vec::new();
    for (name, bytes) in expected {
        let (doc, _) = name.split_once('@').unwrap();
        let versions = archive.history(doc).unwrap().versions.clone();
        let n: usize = name.split_once('@').unwrap().1.parse().unwrap();
        if let Ok(got) = archive.read_object(&versions[n - 1].key) {
            assert_eq!(
                &*got, bytes,
                "{name} read back wrong bytes instead of an error"
            );
            ok.push(name.clone());
        }
    }
    ok.sort();
    ok
}

#[test]
fn every_flipped_byte_is_reported_with_the_versions_it_affects() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let expected = build(&dir);
    assert!(verify(&Archive::open(&dir).unwrap(), &mut |_, _| {}).ok());
    let pristine = tmp.path().join("pristine");
    copy_dir(&dir, &pristine);
    let before = everything(&dir);
    let mut all: Vec<String> = expected.keys().cloned().collect();
    all.sort();
    let mut flips = 0;
    for pack in packs(&dir) {
        let original = std::fs::read(&pack).unwrap();
        for i in 0..original.len() {
            let mut bad = original.clone();
            bad[i] ^= 0x40;
            std::fs::write(&pack, &bad).unwrap();
            let report = verify(&Archive::open(&dir).unwrap(), &mut |_, _| {});
            assert!(
                !report.ok(),
                "flip at {i} of {} went unnoticed",
                pack.display()
            );
            let named: Vec<&String> = report
                .problems
                .iter()
                .flat_map(|p| p.unreadable.iter().chain(&p.stored).chain(&p.records_lost))
                .collect();
            assert!(
                !named.is_empty(),
                "flip at {i}: no version named: {:?}",
                report.problems
            );
            // Versions reported unreadable really are; all others read back exactly.
            let unreadable: Vec<&String> =
                report.problems.iter().flat_map(|p| &p.unreadable).collect();
            let ok = readable(&dir, &expected);
            for v in &all {
                assert_eq!(
                    ok.contains(v),
                    !unreadable.contains(&v),
                    "flip at {i}: {v} readable={} but reported unreadable={}",
                    ok.contains(v),
                    unreadable.contains(&v)
                );
            }
            assert_account_matches(&dir, &report, &format!("flip at {i}"));
            // A repair per flip would take minutes in a debug build: every
            // 13th byte, which lands in every part of every pack.
            if i % 13 == 0 {
                assert_repair_heals(&dir, &pristine, &before, &format!("flip at {i}"));
            }
            flips += 1;
        }
        std::fs::write(&pack, &original).unwrap();
    }
    assert!(flips > 500, "{flips}");
    assert!(verify(&Archive::open(&dir).unwrap(), &mut |_, _| {}).ok());
}

#[test]
fn truncated_and_deleted_packs_name_every_lost_version() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let expected = build(&dir);
    let pristine = tmp.path().join("pristine");
    copy_dir(&dir, &pristine);
    let before = everything(&dir);
    for pack in packs(&dir) {
        let original = std::fs::read(&pack).unwrap();
        for cut in [original.len() - 1, original.len() / 2, 10, 0] {
            std::fs::write(&pack, &original[..cut]).unwrap();
            let report = verify(&Archive::open(&dir).unwrap(), &mut |_, _| {});
            assert!(!report.ok());
            assert_account_matches(&dir, &report, &format!("cut {cut}"));
            assert_repair_heals(&dir, &pristine, &before, &format!("cut {cut}"));
            let unreadable: Vec<String> = report
                .problems
                .iter()
                .flat_map(|p| p.unreadable.clone())
                .collect();
            let ok = readable(&dir, &expected);
            for v in expected.keys() {
                assert_eq!(ok.contains(v), !unreadable.contains(v), "cut {cut}: {v}");
            }
        }
        std::fs::remove_file(&pack).unwrap();
        let report = verify(&Archive::open(&dir).unwrap(), &mut |_, _| {});
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::MissingObject)
        );
        let unreadable: Vec<String> = report
            .problems
            .iter()
            .flat_map(|p| p.unreadable.clone())
            .collect();
        assert!(!unreadable.is_empty());
        assert_account_matches(&dir, &report, "deleted");
        assert_repair_heals(&dir, &pristine, &before, "deleted");
        let ok = readable(&dir, &expected);
        for v in expected.keys() {
            assert_eq!(ok.contains(v), !unreadable.contains(v), "deleted: {v}");
        }
        std::fs::write(&pack, &original).unwrap();
    }
    assert!(verify(&Archive::open(&dir).unwrap(), &mut |_, _| {}).ok());
}

#[test]
fn catalog_drift_is_reported_apart_and_reindex_repairs_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    build(&dir);
    let conn = rusqlite::Connection::open(dir.join("catalog.sqlite")).unwrap();
    conn.execute(
        "DELETE FROM captures WHERE id = (SELECT id FROM captures LIMIT 1)",
        [],
    )
    .unwrap();
    drop(conn);
    let report = verify(&Archive::open(&dir).unwrap(), &mut |_, _| {});
    assert!(!report.ok());
    assert!(report.reindex_repairs(), "{:?}", report.problems);
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.kind == ProblemKind::CatalogDrift)
    );
    vellum::store::reindex(&dir).unwrap();
    assert!(verify(&Archive::open(&dir).unwrap(), &mut |_, _| {}).ok());
}
