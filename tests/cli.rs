//! The command-line contract: output lines, exit codes, and bad input.

mod common;

use common::*;
use predicates::prelude::*;

const T1: &str = "2019-02-12T12:56:00Z";
const T2: &str = "2019-02-12T18:00:00Z";

fn is_add_line(line: &str, doc: &str, n: u64, status: &str) -> bool {
    let parts: Vec<&str> = line.split(' ').collect();
    parts.len() == 3
        && parts[0] == format!("{doc}@{n}")
        && parts[1].len() == 64
        && parts[1].bytes().all(|b| b.is_ascii_hexdigit())
        && parts[2] == status
}

#[test]
fn add_creates_store_and_reports_versions_and_sightings() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .args(["add", "--doc", "sf", "--at", T1])
        .arg(fixture("blog-repost-2019-02-12.txt"))
        .assert()
        .success()
        .stderr(predicate::str::contains("created a new store"));
    let line = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(is_add_line(line.trim_end(), "sf", 1, "new"), "{line}");

    let line = add(&store, &fixture("globalresearch-2019-02-12.md"), "sf", T2);
    assert!(is_add_line(line.trim_end(), "sf", 2, "new"), "{line}");
    // The first text again, later: the page went back to it, a new version
    // (a revert) with the text and object of version 1.
    let line = add(
        &store,
        &fixture("blog-repost-2019-02-12.txt"),
        "sf",
        "2019-03-01T00:00:00Z",
    );
    assert!(is_add_line(line.trim_end(), "sf", 3, "new"), "{line}");
    // And once more: now a sighting of the current version.
    let line = add(
        &store,
        &fixture("blog-repost-2019-02-12.txt"),
        "sf",
        "2019-03-02T00:00:00Z",
    );
    assert!(is_add_line(line.trim_end(), "sf", 3, "unchanged"), "{line}");

    let log = stdout_of(vellum(&store).args(["log", "--json"]));
    let row: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(row["doc"], "sf");
    assert_eq!(row["versions"], 3);
    assert_eq!(row["captures"], 4);
    assert_eq!(row["first"], T1);
    assert_eq!(row["last"], "2019-03-02T00:00:00Z");
}

#[test]
fn add_json_lines_have_the_documented_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let out = stdout_of(
        vellum(tmp.path())
            .args(["add", "--json", "--at", T1, "--doc", "x"])
            .arg(fixture("blog-repost-2019-02-12.txt")),
    );
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "capture",
            "captured_at",
            "doc",
            "status",
            "version",
            "words"
        ]
    );
    assert_eq!(v["status"], "new");
    assert!(v["words"].as_u64().unwrap() > 0);
    assert_eq!(v["captured_at"], T1);
}

#[test]
fn doc_name_defaults_to_url_slug_then_file_stem() {
    let tmp = tempfile::tempdir().unwrap();
    let out = stdout_of(
        vellum(tmp.path())
            .args(["add", "--at", T1])
            .arg(fixture("zamanalwasl-france-deal.txt")),
    );
    assert!(out.starts_with("zamanalwasl-france-deal@1 "), "{out}");
    let out = stdout_of(
        vellum(tmp.path())
            .args([
                "add",
                "--at",
                T1,
                "--url",
                "https://www.zamanalwasl.net/news/en/43181",
            ])
            .arg(fixture("zamanalwasl-france-deal.txt")),
    );
    assert!(out.starts_with("zamanalwasl-net-news-en-43181@1 "), "{out}");
}

#[test]
fn show_is_byte_exact_and_meta_is_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    let line = add(
        tmp.path(),
        &fixture("globalresearch-2019-02-12.md"),
        "gr",
        T1,
    );
    let id = line.split(' ').nth(1).unwrap().to_owned();
    let expected = std::fs::read(fixture("globalresearch-2019-02-12.md")).unwrap();
    for addr in ["gr", "gr@1", &id, &id[..8]] {
        let out = vellum(tmp.path()).args(["show", addr]).output().unwrap();
        assert!(out.status.success(), "{addr}");
        assert_eq!(out.stdout, expected, "{addr}");
    }
    let meta: serde_json::Value = serde_json::from_str(&stdout_of(
        vellum(tmp.path()).args(["show", "--meta", "gr"]),
    ))
    .unwrap();
    assert_eq!(meta["doc"], "gr");
    assert_eq!(meta["capture"], id.as_str());
    assert_eq!(meta["media_type"], "text/markdown");
    assert_eq!(meta["size"], expected.len());
    assert_eq!(meta["content"], blake3::hash(&expected).to_hex().as_str());
}

#[test]
fn log_doc_rows_have_words_added_and_removed() {
    let tmp = tempfile::tempdir().unwrap();
    add(tmp.path(), &fixture("blog-repost-2019-02-12.txt"), "sf", T1);
    add(
        tmp.path(),
        &fixture("globalresearch-2019-02-12.md"),
        "sf",
        T2,
    );
    let out = stdout_of(vellum(tmp.path()).args(["log", "sf", "--json"]));
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["version"], 1);
    assert!(rows[0]["words_added"].is_null());
    assert!(rows[0]["words"].as_u64().unwrap() > 300);
    assert!(
        rows[1]["words_added"].as_u64().unwrap() > 300,
        "{}",
        rows[1]
    );
    let text = stdout_of(vellum(tmp.path()).args(["log", "sf"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].starts_with("@1 ") && lines[2].starts_with("@2 "),
        "{text}"
    );
    assert!(lines[2].contains(T2) && lines[2].contains('+'), "{text}");
}

#[test]
fn batch_is_one_commit_and_bad_lines_archive_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let batch = tmp.path().join("b.jsonl");
    let a = fixture("blog-repost-2019-02-12.txt");
    let b = fixture("globalresearch-2019-02-12.md");
    std::fs::write(
        &batch,
        format!(
            "{{\"path\": {a:?}, \"doc\": \"sf\", \"captured_at\": \"{T1}\", \"source\": \"blog\"}}\n\
             {{\"path\": {b:?}, \"doc\": \"sf\", \"captured_at\": \"{T2}\", \"url\": \"https://x.org/a\", \"title\": \"T\"}}\n"
        ),
    )
    .unwrap();
    let out = stdout_of(vellum(&store).args(["add", "--batch"]).arg(&batch));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        is_add_line(lines[0], "sf", 1, "new") && is_add_line(lines[1], "sf", 2, "new"),
        "{out}"
    );

    // A bad third line is reported and skipped: the good first line is
    // archived on its own, and the exit status (1) says some failed.
    let c = fixture("zamanalwasl-france-deal.txt");
    std::fs::write(
        &batch,
        format!(
            "{{\"path\": {c:?}, \"doc\": \"zw\", \"captured_at\": \"{T1}\"}}\n\n{{\"path\": {c:?}, \"doc\": \"../zw\"}}\n"
        ),
    )
    .unwrap();
    let out = vellum(&store)
        .args(["add", "--batch"])
        .arg(&batch)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("batch line 3")
                .and(predicate::str::contains("invalid document name")),
        );
    let out = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(is_add_line(out.trim(), "zw", 1, "new"), "{out}");
    let log = stdout_of(vellum(&store).args(["log", "--json"]));
    assert_eq!(log.lines().count(), 2, "{log}");
    let before = listing(&store.join("objects"));

    for (content, what) in [
        ("not json\n", "batch line 1"),
        ("{\"doc\": \"x\"}\n", "batch line 1: path: missing"),
        (
            "{\"path\": \"/nonexistent/file\", \"doc\": \"x\"}\n",
            "cannot read /nonexistent/file",
        ),
        (
            &format!("{{\"path\": {c:?}, \"doc\": \"x\", \"captured_at\": \"yesterday\"}}\n"),
            "captured_at",
        ),
        (
            &format!("{{\"path\": {c:?}, \"doc\": \"x\", \"colour\": 1}}\n"),
            "batch line 1: colour: unknown key",
        ),
    ] {
        std::fs::write(&batch, content).unwrap();
        vellum(&store)
            .args(["add", "--batch"])
            .arg(&batch)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(what));
    }
    assert_eq!(listing(&store.join("objects")), before);
}

#[test]
fn bad_inputs_fail_cleanly_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    add(&store, &fixture("blog-repost-2019-02-12.txt"), "sf", T1);
    let before = listing(&store);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "add".into(),
                "/nonexistent/x.txt".into(),
                "--doc".into(),
                "a".into(),
            ],
            "cannot read /nonexistent/x.txt",
        ),
        (
            vec![
                "add".into(),
                tmp.path().display().to_string(),
                "--doc".into(),
                "a".into(),
            ],
            "is a directory",
        ),
        (
            vec![
                "add".into(),
                fixture("zamanalwasl-france-deal.txt").display().to_string(),
                "--doc".into(),
                "../etc".into(),
            ],
            "invalid document name",
        ),
        (
            vec![
                "add".into(),
                fixture("zamanalwasl-france-deal.txt").display().to_string(),
                "--doc".into(),
                "A/B".into(),
            ],
            "invalid document name",
        ),
        (
            vec![
                "add".into(),
                fixture("zamanalwasl-france-deal.txt").display().to_string(),
                "--at".into(),
                "now".into(),
            ],
            "RFC 3339",
        ),
        (
            vec!["show".into(), "nosuchdoc".into()],
            "no document or capture matches",
        ),
        (
            vec!["show".into(), "sf@9".into()],
            "sf has 1 version(s); there is no @9",
        ),
        (
            vec!["show".into(), "ffffffffffff".into()],
            "no document or capture matches",
        ),
        (
            vec!["show".into(), "not/an/address!".into()],
            "is not an address",
        ),
        (
            vec!["log".into(), "nosuchdoc".into()],
            "no document or capture matches \"nosuchdoc\"",
        ),
        (vec!["diff".into(), "sf".into()], "first version"),
    ];
    for (args, msg) in cases {
        vellum(&store)
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(msg));
    }
    let after = listing(&store);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (k, v) in &before {
        if k.as_os_str() != "lock" && k.as_os_str() != "catalog.sqlite" {
            assert_eq!(&after[k], v, "{}", k.display());
        }
    }
    assert_eq!(
        stdout_of(vellum(&store).args(["log", "--json"]))
            .lines()
            .count(),
        1
    );
}

/// Each input is archived or reported on its own: a good file next to a
/// missing one is archived, the missing one listed, and the exit status is
/// 1 (2 only when nothing could be archived).
#[test]
fn each_input_is_archived_or_reported_on_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    add(&store, &fixture("blog-repost-2019-02-12.txt"), "sf", T1);
    vellum(&store)
        .args(["add", "--doc", "two"])
        .arg("/nonexistent")
        .arg(fixture("zamanalwasl-france-deal.txt"))
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("two@1 "))
        .stderr(
            predicate::str::contains("not archived: cannot read /nonexistent")
                .and(predicate::str::contains("1 of 2 input(s) not archived")),
        );
    vellum(&store)
        .args(["add", "--doc", "three", "/nonexistent", "/nonexistent2"])
        .assert()
        .code(2)
        .stdout("");
    let log = stdout_of(vellum(&store).args(["log", "--json"]));
    assert_eq!(log.lines().count(), 2, "{log}");
}

#[test]
fn missing_or_foreign_store_is_an_error_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    vellum(&tmp.path().join("none"))
        .arg("log")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no vellum store")
                .and(predicate::str::contains("vellum init")),
        );
    std::fs::write(tmp.path().join("file.txt"), "x").unwrap();
    vellum(tmp.path())
        .arg("log")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a vellum store"));
    vellum(tmp.path()).args(["init"]).assert().code(2);
    #[cfg(unix)]
    {
        let real = tmp.path().join("real");
        vellum(&real).arg("init").assert().success();
        std::os::unix::fs::symlink(&real, tmp.path().join("link")).unwrap();
        vellum(&tmp.path().join("link"))
            .arg("log")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("symbolic link"));
    }
}

#[test]
fn empty_and_binary_captures_are_archived_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let line = add(&tmp.path().join("s"), &empty, "empty", T1);
    assert!(is_add_line(line.trim_end(), "empty", 1, "new"), "{line}");
    let out = vellum(&tmp.path().join("s"))
        .args(["show", "empty"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.is_empty());

    let bin = tmp.path().join("image.bin");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    std::fs::write(&bin, &bytes).unwrap();
    add(&tmp.path().join("s"), &bin, "bin", T1);
    vellum(&tmp.path().join("s"))
        .args(["show", "bin"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("not UTF-8 text").and(predicate::str::contains("--raw")));
    let raw = vellum(&tmp.path().join("s"))
        .args(["show", "--raw", "bin"])
        .output()
        .unwrap();
    assert_eq!(raw.stdout, bytes);
    vellum(&tmp.path().join("s"))
        .args(["diff", "bin", "empty"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not UTF-8 text"));
    let meta = stdout_of(vellum(&tmp.path().join("s")).args(["show", "--meta", "bin"]));
    assert!(
        meta.contains("application/octet-stream") && !meta.contains("\"text\""),
        "{meta}"
    );
    vellum(&tmp.path().join("s"))
        .arg("verify")
        .assert()
        .success();
}

#[test]
fn stdin_capture_needs_a_name() {
    let tmp = tempfile::tempdir().unwrap();
    vellum(tmp.path())
        .args(["add", "-"])
        .write_stdin("hello")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--doc"));
    vellum(tmp.path())
        .args(["add", "-", "--doc", "hello", "--at", T1])
        .write_stdin("hello world")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("hello@1 "));
    assert_eq!(
        stdout_of(vellum(tmp.path()).args(["show", "hello"])),
        "hello world"
    );
}

#[test]
fn ambiguous_addresses_list_the_candidates() {
    let tmp = tempfile::tempdir().unwrap();
    let line = add(tmp.path(), &fixture("blog-repost-2019-02-12.txt"), "sf", T1);
    let prefix = &line.split(' ').nth(1).unwrap()[..8];
    // A document whose name is also a prefix of a capture id.
    add(
        tmp.path(),
        &fixture("zamanalwasl-france-deal.txt"),
        prefix,
        T1,
    );
    vellum(tmp.path())
        .args(["show", prefix])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ambiguous").and(predicate::str::contains("sf@1")));
}

#[test]
fn init_is_idempotent_and_help_teaches() {
    let tmp = tempfile::tempdir().unwrap();
    vellum(tmp.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("initialized"));
    vellum(tmp.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("already"));
    for cmd in ["add", "log", "show", "diff", "verify", "reindex", "init"] {
        vellum(tmp.path())
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage"));
    }
    vellum(tmp.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn reindex_rebuilds_the_catalog_from_objects_alone() {
    let (_tmp, store) = sample_copy();
    let log = stdout_of(vellum(&store).arg("log"));
    let log_doc = stdout_of(vellum(&store).args(["log", PAIR_DOC]));
    std::fs::remove_file(store.join("catalog.sqlite")).unwrap();
    vellum(&store)
        .arg("log")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("vellum reindex"));
    vellum(&store)
        .arg("reindex")
        .assert()
        .success()
        .stdout(predicate::str::contains("5 capture(s)"));
    assert_eq!(stdout_of(vellum(&store).arg("log")), log);
    assert_eq!(stdout_of(vellum(&store).args(["log", PAIR_DOC])), log_doc);
    vellum(&store).arg("verify").assert().success();

    // A catalog overwritten with garbage is rebuilt too.
    std::fs::write(store.join("catalog.sqlite"), b"garbage garbage garbage").unwrap();
    vellum(&store).arg("log").assert().code(2);
    // verify still checks every object, and says the catalog needs rebuilding.
    vellum(&store).arg("verify").assert().code(1).stdout(
        predicate::str::contains("catalog-damaged").and(predicate::str::contains(
            "the objects are intact: `vellum reindex`",
        )),
    );
    vellum(&store).arg("reindex").assert().success();
    assert_eq!(stdout_of(vellum(&store).arg("log")), log);
}

#[test]
fn read_only_commands_change_nothing() {
    let (_tmp, store) = sample_copy();
    let before = listing(&store);
    for args in [
        vec!["log"],
        vec!["log", PAIR_DOC],
        vec!["show", PAIR_DOC],
        vec!["show", "--meta", PAIR_DOC],
        vec!["diff", PAIR_DOC],
        vec!["diff", "--format", "json", PAIR_DOC],
        vec!["verify"],
        vec!["verify", "--json"],
    ] {
        vellum(&store)
            .args(&args)
            .assert()
            .code(predicate::in_iter([0, 1]));
    }
    assert_eq!(listing(&store), before);
}

#[test]
fn a_catalog_from_another_schema_is_rebuilt_by_reindex() {
    let (_tmp, store) = sample_copy();
    let log = stdout_of(vellum(&store).arg("log"));
    let conn = rusqlite::Connection::open(store.join("catalog.sqlite")).unwrap();
    conn.execute("UPDATE meta SET value = 1 WHERE key = 'schema'", [])
        .unwrap();
    drop(conn);
    vellum(&store)
        .arg("log")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("vellum reindex"));
    vellum(&store).arg("reindex").assert().success();
    assert_eq!(stdout_of(vellum(&store).arg("log")), log);
}

/// A schema-3 catalog (before canonical URLs and supersession were
/// cataloged) is read through a rebuild, and `add` upgrades it on disk.
#[test]
fn a_schema_3_catalog_is_rebuilt() {
    let (_tmp, store) = sample_copy();
    vellum(&store).arg("reindex").assert().success();
    let log = stdout_of(vellum(&store).arg("log"));
    let conn = rusqlite::Connection::open(store.join("catalog.sqlite")).unwrap();
    conn.execute_batch(
        "DROP INDEX captures_by_canon; DROP INDEX captures_by_supersedes;
         ALTER TABLE captures DROP COLUMN canon; ALTER TABLE captures DROP COLUMN supersedes;
         UPDATE meta SET value = 3 WHERE key = 'schema';",
    )
    .unwrap();
    drop(conn);
    assert_eq!(stdout_of(vellum(&store).arg("log")), log);
    vellum(&store)
        .args(["add", "-", "--doc", "new-doc"])
        .write_stdin("a new text\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("rebuilt the catalog"));
    let conn = rusqlite::Connection::open(store.join("catalog.sqlite")).unwrap();
    let schema: i64 = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(schema, 5);
}

/// The bundled store ships a schema-4 catalog (texts named by 32-byte ids in
/// every capture row): read-only commands read it through a rebuild without
/// changing a byte of the store, and the first write upgrades it on disk to
/// the current schema, with 1 KiB pages and the same listing.
#[test]
fn the_bundled_schema_4_catalog_is_read_and_upgraded() {
    let (_tmp, store) = sample_copy();
    let schema = |store: &std::path::Path| -> (i64, i64) {
        let conn = rusqlite::Connection::open(store.join("catalog.sqlite")).unwrap();
        let v = conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let page: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (v, page)
    };
    assert_eq!(schema(&store), (4, 4096));
    let before = listing(&store);
    let log = stdout_of(vellum(&store).arg("log"));
    let doc = "us-coalition-isis-deal";
    let show = stdout_of(vellum(&store).args(["show", &format!("{doc}@2")]));
    let doc_log = stdout_of(vellum(&store).args(["log", doc]));
    assert!(
        show.contains("ISIS") && doc_log.contains("+676"),
        "{show}\n{doc_log}"
    );
    vellum(&store).arg("verify").assert().success();
    assert_eq!(listing(&store), before);
    vellum(&store)
        .args(["add", "-", "--doc", "new-doc"])
        .write_stdin("a new text\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("rebuilt the catalog"));
    assert_eq!(schema(&store), (5, 1024));
    let after = stdout_of(vellum(&store).arg("log"));
    let old_docs: Vec<&str> = after
        .lines()
        .filter(|l| !l.starts_with("new-doc"))
        .collect();
    assert_eq!(old_docs, log.lines().collect::<Vec<_>>());
    let shown = stdout_of(vellum(&store).args(["show", &format!("{doc}@2")]));
    assert_eq!(shown, show);
    assert_eq!(stdout_of(vellum(&store).args(["log", doc])), doc_log);
}
