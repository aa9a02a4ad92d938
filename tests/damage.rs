//! Damage reports: flip every byte of every pack, truncate and delete packs,
//! and check that verify names the damage and every version it makes
//! unreadable, while every other version still reads back byte-exact.

use std::collections::HashMap;
use std::path::Path;

use time::macros::datetime;
use vellum::store::verify::{ProblemKind, verify};
use vellum::store::{Archive, NewCapture};

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
    expected
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
    for pack in packs(&dir) {
        let original = std::fs::read(&pack).unwrap();
        for cut in [original.len() - 1, original.len() / 2, 10, 0] {
            std::fs::write(&pack, &original[..cut]).unwrap();
            let report = verify(&Archive::open(&dir).unwrap(), &mut |_, _| {});
            assert!(!report.ok());
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
