//! Proofs of custody from a real store: `root`, `proof`, and `check-proof`
//! run on what they print, through the archive log (archiving order).

mod common;

use std::path::Path;

use common::{add, copy_dir, stdout_of, vellum};
use predicates::prelude::*;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn root(store: &Path) -> String {
    stdout_of(vellum(store).arg("root")).trim().to_owned()
}

fn save(dir: &Path, name: &str, s: String) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

fn check(proof: &Path, roots: &[&str], file: Option<&Path>) -> assert_cmd::assert::Assert {
    let mut cmd = assert_cmd::Command::cargo_bin("vellum").unwrap();
    cmd.env("NO_COLOR", "1").arg("check-proof").arg(proof);
    for r in roots {
        cmd.args(["--root", r]);
    }
    if let Some(f) = file {
        cmd.arg(f);
    }
    cmd.assert()
}

#[test]
fn a_capture_is_proven_in_a_published_root_and_the_log_only_grows() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let a = write(tmp.path(), "a.txt", "First.\n");
    let b = write(tmp.path(), "b.txt", "Second.\n");
    let c = write(tmp.path(), "c.txt", "Third.\n");
    add(&store, &a, "d", "2020-01-01T00:00:00Z");
    add(&store, &b, "d", "2020-01-02T00:00:00Z");
    add(&store, &c, "e", "2020-01-03T00:00:00Z");
    let r3 = root(&store);
    assert!(r3.starts_with("3:") && r3.len() == 2 + 64, "{r3}");

    let proof = save(
        tmp.path(),
        "p.json",
        stdout_of(vellum(&store).args(["proof", "d@2"])),
    );
    check(&proof, &[&r3], Some(&b))
        .success()
        .stdout(predicate::str::contains("proof holds"));
    // Another file is not the capture's bytes.
    check(&proof, &[&r3], Some(&a)).code(1);

    // An older capture archived later is appended: the log is archiving order.
    let old = write(tmp.path(), "o.txt", "Older.\n");
    add(&store, &old, "d", "2019-01-01T00:00:00Z");
    let r4 = root(&store);
    assert!(r4.starts_with("4:"), "{r4}");
    // The old proof still holds against the root published then, not now.
    check(&proof, &[&r3], None).success();
    check(&proof, &[&r4], None).code(1);
    // A proof against the old size, made today, is the same proof.
    let again = stdout_of(vellum(&store).args(["proof", "d@3", "--size", "3"]));
    assert_eq!(
        again,
        std::fs::read_to_string(&proof).unwrap(),
        "d@2 became d@3"
    );
    // The log of 3 entries is the beginning of the log of 4.
    let cons = save(
        tmp.path(),
        "c.json",
        stdout_of(vellum(&store).args(["proof", "--consistency", "3"])),
    );
    check(&cons, &[&r3, &r4], None).success();
    // The newest capture is in no root of size 3.
    vellum(&store)
        .args(["proof", "d@1", "--size", "3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no root of that size includes it"));

    // reindex rebuilds the same roots from the objects alone.
    std::fs::remove_file(store.join("catalog.sqlite")).unwrap();
    vellum(&store).arg("reindex").assert().success();
    assert_eq!(root(&store), r4);
}

#[test]
fn a_rewritten_history_fails_against_a_published_root() {
    // Two archives that agree on the first and third captures but not the
    // second: the one that "replaced" a capture cannot prove consistency
    // with the root the honest one published.
    let tmp = tempfile::tempdir().unwrap();
    let build = |name: &str, second: &str| {
        let store = tmp.path().join(name);
        let a = write(tmp.path(), "a.txt", "First.\n");
        let b = write(tmp.path(), &format!("{name}.txt"), second);
        add(&store, &a, "d", "2020-01-01T00:00:00Z");
        add(&store, &b, "d", "2020-01-02T00:00:00Z");
        store
    };
    let honest = build("honest", "What the page said.\n");
    let forged = build("forged", "What someone wished it said.\n");
    let published = root(&honest);
    let c = write(tmp.path(), "c.txt", "Third.\n");
    add(&forged, &c, "d", "2020-01-03T00:00:00Z");
    let cons = save(
        tmp.path(),
        "c.json",
        stdout_of(vellum(&forged).args(["proof", "--consistency", "2"])),
    );
    check(&cons, &[&published], None)
        .code(1)
        .stdout(predicate::str::contains("FAILS"));
}

#[test]
fn an_older_store_is_logged_by_its_first_write() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    copy_dir(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/store-format1"
        )),
        &store,
    );
    vellum(&store)
        .arg("root")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("0:"))
        .stderr(predicate::str::contains("not in the log yet"));
    let f = write(tmp.path(), "n.txt", "New.\n");
    add(&store, &f, "new", "2000-01-01T00:00:00Z");
    // The five older captures first, in captured-at order, then the new one
    // (although it was captured before all of them).
    assert!(root(&store).starts_with("6:"));
    let entry = |addr: &str| -> u64 {
        let p: serde_json::Value =
            serde_json::from_str(&stdout_of(vellum(&store).args(["proof", addr]))).unwrap();
        p["leaf_index"].as_u64().unwrap()
    };
    assert_eq!(entry("raqqah-negotiations"), 0, "captured 2017");
    assert_eq!(entry("deir-ezzor-clashes"), 1, "captured 2018");
    assert_eq!(entry("new"), 5, "archived last");
}
