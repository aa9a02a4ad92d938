//! `vellum push` and `vellum pull` between store directories.

mod common;

use common::vellum;

fn stdout(cmd: &mut assert_cmd::Command) -> String {
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn push_then_pull_copies_only_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    let f = tmp.path().join("x.md");
    std::fs::write(&f, "first text\n").unwrap();
    stdout(
        vellum(&a)
            .args(["add", "--doc", "d", "--at", "2020-01-01"])
            .arg(&f),
    );
    let pushed = stdout(vellum(&a).arg("push").arg(&b).arg("--json"));
    let v: serde_json::Value = serde_json::from_str(&pushed).unwrap();
    assert_eq!(
        (v["packs"].as_u64(), v["present"].as_u64()),
        (Some(1), Some(0))
    );
    let again: serde_json::Value =
        serde_json::from_str(&stdout(vellum(&a).arg("push").arg(&b).arg("--json"))).unwrap();
    assert_eq!(again["packs"].as_u64(), Some(0));
    assert_eq!(stdout(vellum(&b).args(["show", "d"])), "first text\n");
    // Written in b, pulled into a new store c and back into a.
    std::fs::write(&f, "second text\n").unwrap();
    stdout(
        vellum(&b)
            .args(["add", "--doc", "d", "--at", "2020-01-02"])
            .arg(&f),
    );
    stdout(vellum(&c).arg("pull").arg(&b));
    stdout(vellum(&a).arg("pull").arg(&b));
    for s in [&a, &c] {
        assert_eq!(stdout(vellum(s).args(["show", "d@2"])), "second text\n");
        assert_eq!(
            stdout(vellum(s).arg("root")),
            stdout(vellum(&b).arg("root"))
        );
        stdout(vellum(s).arg("verify"));
    }
    // Diverged stores: exit 2, a message that says why, nothing copied.
    std::fs::write(&f, "third in a\n").unwrap();
    stdout(
        vellum(&a)
            .args(["add", "--doc", "d", "--at", "2020-01-03"])
            .arg(&f),
    );
    std::fs::write(&f, "third in b\n").unwrap();
    stdout(
        vellum(&b)
            .args(["add", "--doc", "d", "--at", "2020-01-04"])
            .arg(&f),
    );
    let o = vellum(&a)
        .arg("push")
        .arg(&b)
        .arg("--ff-only")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("fork"));
    assert_eq!(stdout(vellum(&b).args(["show", "d"])), "third in b\n");
}

/// Diverged stores merge by default: a dry run first, then the merge, then
/// proofs from both logs, checked offline; later syncs copy nothing.
#[test]
fn diverged_stores_merge_with_custody_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let (desk, field) = (tmp.path().join("desk"), tmp.path().join("field"));
    let f = tmp.path().join("x.md");
    let add = |store: &std::path::Path, doc: &str, at: &str, text: &str| {
        std::fs::write(&f, text).unwrap();
        stdout(
            vellum(store)
                .args(["add", "--doc", doc, "--at", at])
                .arg(&f),
        );
    };
    add(&desk, "d", "2020-01-01", "first text\n");
    stdout(vellum(&field).arg("pull").arg(&desk));
    add(&desk, "d", "2020-01-03", "desk text\n");
    add(&field, "d", "2020-01-02", "field text\n");
    add(&field, "e", "2020-01-02", "only in the field\n");
    let field_root = stdout(vellum(&field).args(["root"]));
    let desk_root = stdout(vellum(&desk).args(["root", "--json"]));
    let desk_size = serde_json::from_str::<serde_json::Value>(&desk_root).unwrap()["size"]
        .as_u64()
        .unwrap();

    let dry = stdout(
        vellum(&field)
            .arg("push")
            .arg(&desk)
            .args(["--dry-run", "--json"]),
    );
    let v: serde_json::Value = serde_json::from_str(&dry).unwrap();
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["merged"]["captures"], 2, "{v}");
    assert_eq!(stdout(vellum(&desk).args(["root", "--json"])), desk_root);

    let pushed = stdout(vellum(&field).arg("push").arg(&desk).arg("--json"));
    let v: serde_json::Value = serde_json::from_str(&pushed).unwrap();
    assert_eq!(v["merged"]["captures"], 2, "{v}");
    assert_eq!(v["merged"]["entry"].as_u64(), Some(desk_size));
    // Versions in captured-at order, whichever store they came from.
    assert_eq!(stdout(vellum(&desk).args(["show", "d@2"])), "field text\n");
    assert_eq!(stdout(vellum(&desk).args(["show", "d@3"])), "desk text\n");
    assert_eq!(
        stdout(vellum(&desk).args(["show", "e"])),
        "only in the field\n"
    );
    stdout(vellum(&desk).arg("verify"));

    // A merged capture proves from both logs, offline.
    let proof = tmp.path().join("proof.json");
    std::fs::write(&proof, stdout(vellum(&desk).args(["proof", "e"]))).unwrap();
    let field_root = field_root.split_whitespace().next().unwrap().to_owned();
    let checked = stdout(
        vellum(&desk)
            .arg("check-proof")
            .arg(&proof)
            .args(["--root", &field_root]),
    );
    assert!(
        checked.contains("merged in from another store"),
        "{checked}"
    );
    // The desk's root before the merge is the beginning of its log now.
    let consistency = tmp.path().join("c.json");
    std::fs::write(
        &consistency,
        stdout(vellum(&desk).args(["proof", "--consistency", &desk_size.to_string()])),
    )
    .unwrap();
    stdout(vellum(&desk).arg("check-proof").arg(&consistency));

    // Pulled the other way, then nothing more to copy either way.
    let pulled = stdout(vellum(&field).arg("pull").arg(&desk).arg("--json"));
    let v: serde_json::Value = serde_json::from_str(&pulled).unwrap();
    assert_eq!(v["merged"]["captures"], 1, "{v}");
    assert_eq!(stdout(vellum(&field).args(["show", "d@3"])), "desk text\n");
    for (from, to) in [(&field, &desk), (&desk, &field)] {
        let again = stdout(vellum(from).arg("push").arg(to).arg("--json"));
        let v: serde_json::Value = serde_json::from_str(&again).unwrap();
        assert_eq!(v["merged"]["captures"], 0, "{v}");
    }
    let text = stdout(vellum(&desk).arg("push").arg(&field));
    assert!(text.contains("merged 0 capture(s)"), "{text}");
}
