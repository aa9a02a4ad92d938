//! Store format 7 (record sets) against the kept format-6 store: it reads
//! (show, log, verify) as main's vellum left it, without a byte of it
//! changing; a batch then writes its records as one record set in a new
//! pack beside the old ones (which stay byte for byte as they were), the
//! marker is raised to 7, and reads, `verify` and a rebuilt catalog agree.

mod common;

use std::path::Path;

use common::formats::{copy_of, marker, new_packs, ok, packs};
use common::*;

const FORMAT6: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format6");

/// Kinds of a pack's compact entries, in order (`None` past an entry this
/// test does not parse: a classic one).
fn compact_kinds(pack: &[u8]) -> Vec<Option<u8>> {
    let mut kinds = Vec::new();
    let mut at = 8;
    let end = pack.len() - 40;
    let varint = |at: &mut usize| {
        let (mut v, mut shift) = (0usize, 0);
        loop {
            let b = pack[*at];
            *at += 1;
            v |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return v;
            }
        }
    };
    while at < end {
        let first = pack[at];
        if first & 0x80 == 0 {
            kinds.push(None);
            break;
        }
        kinds.push(Some(first & 0x0f));
        at += 1;
        varint(&mut at);
        let csize = varint(&mut at);
        at += if first & 0x40 != 0 { 32 } else { 4 };
        match (first >> 4) & 3 {
            1 => at += 32,
            2 => {
                varint(&mut at);
            }
            _ => {}
        }
        at += 4 + csize;
    }
    kinds
}

/// The fixture's versions, shown byte-exact, and its merge in the log.
fn reads_format6(store: &Path) {
    for (addr, file) in [
        ("coalition-deal@1", "blog-repost-2019-02-12.txt"),
        ("coalition-deal@2", "globalresearch-2019-02-12.md"),
        ("france-deal@1", "zamanalwasl-france-deal.txt"),
        ("france-deal@2", "globalresearch-2017-10-12.md"),
        ("other-doc@1", "globalresearch-2018-11-24.md"),
    ] {
        let out = vellum(store).args(["show", addr]).output().unwrap();
        assert!(out.status.success(), "{addr}");
        assert_eq!(out.stdout, std::fs::read(fixture(file)).unwrap(), "{addr}");
    }
    let meta = ok(vellum(store).args(["show", "--meta", "coalition-deal@2"]));
    assert!(
        meta.contains("\"captured_at\": \"2019-02-12T18:00:00Z\""),
        "{meta}"
    );
    let log = ok(vellum(store).arg("log"));
    for doc in ["coalition-deal", "france-deal", "other-doc"] {
        assert!(log.contains(doc), "{log}");
    }
}

#[test]
fn a_format6_store_reads_unchanged_and_takes_record_sets_beside_its_packs() {
    let tmp = tempfile::tempdir().unwrap();
    let store = copy_of(FORMAT6, tmp.path());
    let before = listing(&store);
    let old = packs(&store);
    assert!(marker(&store).contains("format 6"));
    reads_format6(&store);
    let verified = ok(vellum(&store).arg("verify"));
    assert!(verified.contains("5 capture(s)"), "{verified}");
    // The archive log as main's vellum left it: five captures and the
    // merge entry of the diverged copy pulled in (root printed by main
    // caa8f89 when the fixture was made).
    let root = "6:54d53e458d363f0a757ebc5a47465d9f763efba0cbdd69e31c524d06efc4418b";
    assert_eq!(ok(vellum(&store).arg("root")).trim(), root);
    // Readers changed no byte of the store (the derived indexes they build
    // are files of their own).
    let after = listing(&store);
    for (k, (size, hash, _)) in &before {
        assert_eq!((&after[k].0, &after[k].1), (size, hash), "{k:?}");
    }
    assert!(marker(&store).contains("format 6"), "a reader raised it");

    // A batch of three captures: one record set, in a new pack.
    let batch = tmp.path().join("batch.jsonl");
    let line = |file: &str, doc: &str, at: &str| {
        format!(
            "{{\"path\": {:?}, \"doc\": \"{doc}\", \"captured_at\": \"{at}\"}}\n",
            fixture(file)
        )
    };
    std::fs::write(
        &batch,
        line(
            "blog-repost-2019-02-12.txt",
            "other-doc",
            "2019-04-01T00:00:00Z",
        ) + &line(
            "zamanalwasl-france-deal.txt",
            "new-doc",
            "2019-04-02T00:00:00Z",
        ) + &line(
            "globalresearch-2019-02-12.md",
            "coalition-deal",
            "2019-04-03T00:00:00Z",
        ),
    )
    .unwrap();
    ok(vellum(&store).args(["add", "--batch"]).arg(&batch));
    assert!(marker(&store).contains("format 7"), "{}", marker(&store));
    let new = new_packs(&store, &old);
    assert_eq!(new.len(), 1);
    let kinds = compact_kinds(&new[0]);
    assert_eq!(
        kinds.iter().filter(|k| **k == Some(6)).count(),
        1,
        "{kinds:?}"
    );
    assert!(
        !kinds.contains(&Some(2)),
        "a record outside the set: {kinds:?}"
    );

    reads_format6(&store);
    let out = vellum(&store).args(["show", "new-doc"]).output().unwrap();
    assert_eq!(
        out.stdout,
        std::fs::read(fixture("zamanalwasl-france-deal.txt")).unwrap()
    );
    let meta = ok(vellum(&store).args(["show", "--meta", "other-doc@2"]));
    assert!(meta.contains("2019-04-01T00:00:00Z"), "{meta}");
    let verified = ok(vellum(&store).arg("verify"));
    assert!(verified.contains("8 capture(s)"), "{verified}");

    // The catalog rebuilt from the packs (the set's records hashed) says
    // the same.
    let log = ok(vellum(&store).args(["log", "--json"]));
    let doc_log = ok(vellum(&store).args(["log", "other-doc", "--json"]));
    ok(vellum(&store).arg("reindex"));
    assert_eq!(ok(vellum(&store).args(["log", "--json"])), log);
    assert_eq!(
        ok(vellum(&store).args(["log", "other-doc", "--json"])),
        doc_log
    );
    ok(vellum(&store).arg("verify"));
    reads_format6(&store);
}

#[test]
fn a_single_capture_keeps_its_record_entry_and_the_format() {
    let tmp = tempfile::tempdir().unwrap();
    let store = copy_of(FORMAT6, tmp.path());
    add(
        &store,
        &fixture("zamanalwasl-france-deal.txt"),
        "other-doc",
        "2019-05-01T00:00:00Z",
    );
    // One record is not a set: the store stays format 6, readable by the
    // vellum that made it.
    assert!(marker(&store).contains("format 6"), "{}", marker(&store));
    ok(vellum(&store).arg("verify"));
    reads_format6(&store);
}

#[test]
fn pulling_record_sets_raises_the_destination() {
    let tmp = tempfile::tempdir().unwrap();
    let store = copy_of(FORMAT6, tmp.path());
    let src = tmp.path().join("src");
    copy_dir(&store, &src);
    let batch = tmp.path().join("batch.jsonl");
    std::fs::write(
        &batch,
        format!(
            "{{\"path\": {:?}, \"doc\": \"a\", \"captured_at\": \"2019-06-01T00:00:00Z\"}}\n\
             {{\"path\": {:?}, \"doc\": \"b\", \"captured_at\": \"2019-06-02T00:00:00Z\"}}\n",
            fixture("blog-repost-2019-02-12.txt"),
            fixture("zamanalwasl-france-deal.txt"),
        ),
    )
    .unwrap();
    ok(vellum(&src).args(["add", "--batch"]).arg(&batch));
    assert!(marker(&src).contains("format 7"));
    ok(vellum(&store).arg("pull").arg(&src));
    assert!(marker(&store).contains("format 7"), "{}", marker(&store));
    let out = vellum(&store).args(["show", "b"]).output().unwrap();
    assert_eq!(
        out.stdout,
        std::fs::read(fixture("zamanalwasl-france-deal.txt")).unwrap()
    );
    let verified = ok(vellum(&store).arg("verify"));
    assert!(verified.contains("7 capture(s)"), "{verified}");
}

/// 33 writes of two captures each: 33 small packs, each with a record set
/// and a log segment against it, merged into one once 32 exist. The
/// segments' in-pack base offsets move (and may take another byte): the
/// catalog follows, `verify` finds no drift, and a rebuilt catalog agrees.
#[test]
fn small_packs_with_record_sets_repack_and_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    ok(vellum(&store).arg("init"));
    let batch = tmp.path().join("b.jsonl");
    for i in 0..33 {
        std::fs::write(
            &batch,
            format!(
                "{{\"path\": {:?}, \"doc\": \"d{i}\", \"captured_at\": \"2019-06-01T00:00:{i:02}Z\"}}\n\
                 {{\"path\": {:?}, \"doc\": \"e{i}\", \"captured_at\": \"2019-06-02T00:00:{i:02}Z\"}}\n",
                fixture("zamanalwasl-france-deal.txt"),
                fixture("blog-repost-2019-02-12.txt"),
            ),
        )
        .unwrap();
        ok(vellum(&store).args(["add", "--batch"]).arg(&batch));
    }
    assert!(packs(&store).len() < 33, "no repack happened");
    let verified = ok(vellum(&store).arg("verify"));
    assert!(verified.contains("66 capture(s)"), "{verified}");
    let root = ok(vellum(&store).arg("root"));
    let meta = ok(vellum(&store).args(["show", "--meta", "e32"]));
    assert!(meta.contains("2019-06-02T00:00:32Z"), "{meta}");
    ok(vellum(&store).arg("reindex"));
    ok(vellum(&store).arg("verify"));
    assert_eq!(ok(vellum(&store).arg("root")), root);
}
