//! Store format 5 (compact pack entries) against the kept older stores: each
//! reads, verifies and takes new packs in the new layout beside its old
//! ones, which stay byte for byte as they were; a store marked with a format
//! newer than this vellum's is refused with that said.

mod common;

use std::path::Path;

use common::formats::{copy_of, marker, new_packs, ok, packs};
use common::*;
use predicates::prelude::*;

const FORMAT1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format1");
const FORMAT4: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format4");
const PAGE_DOC: &str = "127-0-0-1-a-html-a6e578270b";

/// Whether the pack's first entry is compact (store format 5).
fn compact(pack: &[u8]) -> bool {
    pack[8] & 0x80 != 0
}

/// The format-4 store's versions, shown byte-exact.
fn shows_format4_texts(store: &Path) {
    for (addr, file) in [
        ("coalition-deal@1", "blog-repost-2019-02-12.txt"),
        ("coalition-deal@2", "globalresearch-2019-02-12.md"),
        ("france-deal", "zamanalwasl-france-deal.txt"),
    ] {
        let out = vellum(store).args(["show", addr]).output().unwrap();
        assert!(out.status.success(), "{addr}");
        assert_eq!(out.stdout, std::fs::read(fixture(file)).unwrap(), "{addr}");
    }
    let page = ok(vellum(store).args(["show", PAGE_DOC]));
    assert!(page.contains("ceasefire79"), "{page}");
}

#[test]
fn a_format4_store_reads_verifies_and_takes_format5_packs_beside_its_old_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let store = copy_of(FORMAT4, tmp.path());
    let old = packs(&store);
    assert!(marker(&store).contains("format 4"));
    assert!(old.values().all(|p| !compact(p)));
    shows_format4_texts(&store);
    let checks = ok(vellum(&store).args(["log", PAGE_DOC, "--checks", "--json"]));
    assert_eq!(checks.lines().count(), 1, "{checks}");
    ok(vellum(&store).arg("verify"));
    assert_eq!(packs(&store), old, "readers changed a pack");
    assert!(
        marker(&store).contains("format 4"),
        "readers raised the marker"
    );

    // A new version and a new document: format-5 packs beside the old ones.
    add(
        &store,
        &fixture("globalresearch-2017-10-12.md"),
        "coalition-deal",
        "2019-03-01T00:00:00Z",
    );
    add(
        &store,
        &fixture("globalresearch-2018-11-24.md"),
        "deir-ezzor",
        "2019-03-02T00:00:00Z",
    );
    assert!(marker(&store).contains("format 5"), "{}", marker(&store));
    let new = new_packs(&store, &old);
    assert_eq!(new.len(), 2);
    assert!(new.iter().all(|p| compact(p)));
    ok(vellum(&store).arg("verify"));
    shows_format4_texts(&store);
    let out = vellum(&store)
        .args(["show", "coalition-deal@3"])
        .output()
        .unwrap();
    assert_eq!(
        out.stdout,
        std::fs::read(fixture("globalresearch-2017-10-12.md")).unwrap()
    );
    // The catalog rebuilt from both kinds of pack (ids hashed where the
    // entries leave them out) says the same.
    let log = ok(vellum(&store).args(["log", "coalition-deal", "--json"]));
    ok(vellum(&store).arg("reindex"));
    assert_eq!(
        ok(vellum(&store).args(["log", "coalition-deal", "--json"])),
        log
    );
    ok(vellum(&store).arg("verify"));
    shows_format4_texts(&store);
}

#[test]
fn the_format1_store_and_the_bundled_store_take_format5_packs() {
    for (src, doc, file) in [
        (FORMAT1, PAIR_DOC, "globalresearch-2019-02-12.md"),
        (SAMPLE_STORE, PAIR_DOC, "globalresearch-2019-02-12.md"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let store = copy_of(src, tmp.path());
        let old = packs(&store);
        add(
            &store,
            &fixture("zamanalwasl-france-deal.txt"),
            doc,
            "2020-06-01T00:00:00Z",
        );
        assert!(marker(&store).contains("format 5"), "{src}");
        let now = packs(&store);
        assert!(old.iter().all(|(n, b)| now.get(n) == Some(b)), "{src}");
        assert!(now.len() > old.len());
        for _ in 0..2 {
            ok(vellum(&store).arg("verify"));
            let out = vellum(&store)
                .args(["show", &format!("{doc}@2")])
                .output()
                .unwrap();
            assert_eq!(out.stdout, std::fs::read(fixture(file)).unwrap(), "{src}");
            let out = vellum(&store)
                .args(["show", &format!("{doc}@3")])
                .output()
                .unwrap();
            assert_eq!(
                out.stdout,
                std::fs::read(fixture("zamanalwasl-france-deal.txt")).unwrap()
            );
            ok(vellum(&store).arg("reindex"));
        }
    }
}

/// A format-4 store pulling format-5 packs becomes format 5 before it
/// holds them (an older vellum then says it cannot read the store instead
/// of meeting entries it cannot parse).
#[test]
fn pulling_format5_packs_raises_the_destination() {
    let tmp = tempfile::tempdir().unwrap();
    let src = copy_of(FORMAT4, &tmp.path().join("a"));
    let dst = copy_of(FORMAT4, &tmp.path().join("b"));
    add(
        &src,
        &fixture("globalresearch-2017-10-12.md"),
        "france-deal",
        "2019-04-01T00:00:00Z",
    );
    ok(vellum(&dst).arg("pull").arg(&src));
    assert!(marker(&dst).contains("format 5"), "{}", marker(&dst));
    ok(vellum(&dst).arg("verify"));
    let out = vellum(&dst)
        .args(["show", "france-deal@2"])
        .output()
        .unwrap();
    assert_eq!(
        out.stdout,
        std::fs::read(fixture("globalresearch-2017-10-12.md")).unwrap()
    );
}

#[test]
fn a_store_of_a_newer_format_is_refused_as_made_by_a_newer_vellum() {
    let tmp = tempfile::tempdir().unwrap();
    let store = copy_of(FORMAT4, tmp.path());
    let newer = format!(
        "vellum store\nformat {}\n",
        vellum::store::NEWEST_FORMAT + 1
    );
    std::fs::write(store.join("VELLUM"), &newer).unwrap();
    let before = listing(&store);
    for args in [vec!["log"], vec!["show", "france-deal"], vec!["verify"]] {
        vellum(&store)
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains("made by a newer vellum"));
    }
    let f = tmp.path().join("n.txt");
    std::fs::write(&f, "New.\n").unwrap();
    vellum(&store)
        .args(["add", "--doc", "n"])
        .arg(&f)
        .assert()
        .failure()
        .stderr(predicate::str::contains("made by a newer vellum"));
    let after = listing(&store);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (k, (size, hash, _)) in &before {
        assert_eq!((&after[k].0, &after[k].1), (size, hash), "{k:?}");
    }
}
