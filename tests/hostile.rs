//! Hostile input: crafted objects, absurd names and sizes, symlinks. Each gets
//! a clear error (exit 2 from the CLI), and nothing archived is lost.

mod common;

use common::*;
use predicates::prelude::*;
use vellum::id::ObjectId;
use vellum::store::object::{BaseRef, Codec, Kind, encode};
use vellum::store::pack::PackWriter;

/// Writes a pack made of `entries` into the store's packs directory.
fn plant_pack(store: &std::path::Path, entries: &[Vec<u8>]) {
    let mut w = PackWriter::default();
    for e in entries {
        // Classic entries: each names its id.
        w.push(e, vellum::store::object::parse_header(e).unwrap().id);
    }
    let (name, bytes, _) = w.finish();
    std::fs::write(store.join(format!("objects/packs/{name}.pack")), bytes).unwrap();
}

#[test]
fn delta_cycles_are_damage_not_a_hang() {
    let (_tmp, store) = sample_copy();
    // Two objects, each claiming the other as its delta base.
    let (a_bytes, b_bytes) = (b"first text".to_vec(), b"second text".to_vec());
    let (a, b) = (ObjectId::of(&a_bytes), ObjectId::of(&b_bytes));
    let ea = encode(
        Codec::default(),
        Kind::Content,
        &a_bytes,
        Some((BaseRef::Id(b), &b_bytes)),
    )
    .unwrap()
    .1;
    let eb = encode(
        Codec::default(),
        Kind::Content,
        &b_bytes,
        Some((BaseRef::Id(a), &a_bytes)),
    )
    .unwrap()
    .1;
    plant_pack(&store, &[ea, eb]);
    vellum(&store).arg("reindex").assert().success();
    vellum(&store).arg("verify").assert().code(1).stdout(
        predicate::str::contains("delta chain longer than")
            .or(predicate::str::contains("delta base")),
    );
    // The real archive is untouched by the planted pack.
    let out = vellum(&store).args(["show", PAIR_DOC]).output().unwrap();
    assert_eq!(
        out.stdout,
        std::fs::read(fixture("globalresearch-2019-02-12.md")).unwrap()
    );
}

#[test]
fn a_record_pointing_nowhere_is_reported() {
    let (_tmp, store) = sample_copy();
    let record = br#"{"vellum":1,"doc":"ghost","captured_at":"2020-01-01T00:00:00Z","content":"1111111111111111111111111111111111111111111111111111111111111111","size":3,"media_type":"text/plain"}"#;
    plant_pack(
        &store,
        &[encode(Codec::default(), Kind::Record, record, None)
            .unwrap()
            .1],
    );
    vellum(&store).arg("reindex").assert().success();
    vellum(&store).arg("verify").assert().code(1).stdout(
        predicate::str::contains("missing-object").and(predicate::str::contains("ghost@1")),
    );
    vellum(&store)
        .args(["show", "ghost"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing"));
}

#[test]
fn absurd_document_names_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("zamanalwasl-france-deal.txt");
    // Upper case is folded now (issue 24: CAPS names caps), so the refused
    // names are path tricks, invisible and bidirectional characters.
    for name in [
        "..",
        "a/../../b",
        &"x".repeat(10_000),
        "",
        "a\u{200b}b",
        "a\u{202e}b",
    ] {
        vellum(tmp.path())
            .args(["add", "--doc", name])
            .arg(&f)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("invalid document name"));
    }
    // A NUL cannot be passed as an argument; batch lines can carry one.
    let batch = tmp.path().join("b.jsonl");
    std::fs::write(
        &batch,
        format!("{{\"path\": {f:?}, \"doc\": \"a\\u0000b\"}}\n"),
    )
    .unwrap();
    vellum(tmp.path())
        .args(["add", "--batch"])
        .arg(&batch)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("batch line 1")
                .and(predicate::str::contains("invalid document name")),
        );
    for addr in ["not-hex-but-long-zzzzzzzz@", "@@", "a@-1", &"f".repeat(65)] {
        vellum(tmp.path()).args(["show", addr]).assert().code(2);
    }
}

#[test]
fn inputs_over_the_limit_are_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("huge.txt");
    // Sparse: 2 GiB on paper, nothing on disk.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let store = tmp.path().join("s");
    add(
        &store,
        &fixture("blog-repost-2019-02-12.txt"),
        "sf",
        "2019-02-12T12:56:00Z",
    );
    let before = listing(&store.join("objects"));
    vellum(&store)
        .args(["add", "--doc", "huge"])
        .arg(&big)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over the").and(predicate::str::contains("limit")));
    assert_eq!(listing(&store.join("objects")), before);
    // `diff` of files reads them as `add` does: within the same limit.
    vellum(&store)
        .arg("diff")
        .arg(&big)
        .arg(fixture("blog-repost-2019-02-12.txt"))
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over the").and(predicate::str::contains("limit")));
}

#[cfg(unix)]
#[test]
fn a_symlinked_objects_directory_is_refused() {
    let (tmp, store) = sample_copy();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::rename(store.join("objects"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, store.join("objects")).unwrap();
    vellum(&store)
        .arg("verify")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symbolic link"));
}

#[test]
fn capture_times_outside_years_0000_to_9999_utc_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("zamanalwasl-france-deal.txt");
    for at in ["0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"] {
        vellum(tmp.path())
            .args(["add", "--doc", "a", "--at", at])
            .arg(&f)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("out of range"));
    }
}
