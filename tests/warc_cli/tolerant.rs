//! `import` of broken and odd WARC and ARC files: every readable record
//! archived, the unreadable ones listed, `--strict`, what was tolerated
//! kept beside the capture.

use super::*;

/// A file whose third record (a gzip member) is cut short: example.warc.gz,
/// then two pages; the offset where the third page starts.
fn truncated_file(tmp: &Path) -> (PathBuf, usize) {
    let good = std::fs::read(warc("example.warc.gz")).unwrap();
    let page = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsecond page";
    let second = gz(&response("http://second.example/", page));
    let third = gz(&response(
        "http://third.example/",
        b"HTTP/1.1 200 OK\r\n\r\nthird",
    ));
    let mut broken = [good.clone(), second.clone(), third.clone()].concat();
    broken.truncate(good.len() + second.len() + third.len() - 5);
    let file = tmp.join("truncated.warc.gz");
    std::fs::write(&file, &broken).unwrap();
    (file, good.len() + second.len())
}

/// What `import` says of a file: exit code, stderr, the summary.
fn import_of(store: &Path, args: &[&str], file: &Path) -> (Option<i32>, String, serde_json::Value) {
    let out = vellum(store)
        .arg("import")
        .args(args)
        .arg("--json")
        .arg(file)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let s = if stdout.is_empty() {
        serde_json::Value::Null
    } else {
        summary(&stdout)
    };
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        s,
    )
}

#[test]
fn every_readable_record_is_archived_and_the_unreadable_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, third_at) = truncated_file(tmp.path());
    let store = tmp.path().join("s");
    let (code, stderr, s) = import_of(&store, &[], &file);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("record at byte {third_at} (gzip member)")),
        "{stderr}"
    );
    // example.warc.gz's response and revisit, then the second page.
    assert_eq!(
        (s["new"].as_u64(), s["unchanged"].as_u64()),
        (Some(2), Some(1)),
        "{s}"
    );
    assert_eq!(s["unreadable"][0]["offset"], third_at as u64, "{s}");
    assert!(s["failed"].as_array().unwrap().is_empty(), "{s}");
    let text = stdout_of(vellum(&store).args(["show", &doc_for("http://second.example/")]));
    assert_eq!(text, "second page");

    // A damaged gzip member in the middle: its record is listed, the ones
    // after it are archived.
    let page = |n: &str| {
        gz(&response(
            &format!("http://{n}.example/"),
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npage {n}").as_bytes(),
        ))
    };
    let (a, mut b, c) = (page("one"), page("two"), page("three"));
    let mid = b.len() / 2;
    b[mid] ^= 0xff;
    b[mid + 1] ^= 0x55;
    let damaged = tmp.path().join("damaged.warc.gz");
    std::fs::write(&damaged, [a.clone(), b, c].concat()).unwrap();
    let store = tmp.path().join("damaged");
    let (code, stderr, s) = import_of(&store, &[], &damaged);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(s["new"], 2, "{s}");
    assert_eq!(s["unreadable"][0]["offset"], a.len() as u64, "{s}");
    assert_eq!(
        stdout_of(vellum(&store).args(["show", &doc_for("http://three.example/")])),
        "page three"
    );

    // The public truncated sample: its response is listed, exit 1.
    let store = tmp.path().join("trunc");
    let (code, stderr, s) = import_of(&store, &[], &warc("example-trunc.warc"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("record at byte 1197:"), "{stderr}");
    assert_eq!(s["unreadable"][0]["offset"], 1197, "{s}");

    // Not a WARC at all, and a missing file: exit 2 with a message.
    let f = tmp.path().join("notes.txt");
    std::fs::write(&f, "hello\n").unwrap();
    let out = vellum(&store).arg("import").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a WARC record"));
    vellum(&store)
        .args(["import", "/nonexistent.warc"])
        .assert()
        .code(2);
}

#[test]
fn strict_archives_nothing_of_a_broken_file_or_with_partial_the_records_before() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, third_at) = truncated_file(tmp.path());
    let store = tmp.path().join("s");
    let (code, stderr, _) = import_of(&store, &["--strict"], &file);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!("record at byte {third_at} (gzip member)")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was archived"), "{stderr}");
    assert!(
        !store.exists(),
        "an import that archives nothing creates no store"
    );

    let (code, stderr, s) = import_of(&store, &["--strict", "--partial"], &file);
    assert_eq!(code, Some(2));
    assert_eq!(
        (s["new"].as_u64(), s["unchanged"].as_u64()),
        (Some(2), Some(1)),
        "{s}"
    );
    assert!(stderr.contains("3 good captures before this record were archived"));
    vellum(&store)
        .args(["show", &doc_for("http://third.example/")])
        .assert()
        .code(2);
    // --partial alone is accepted: every good record is archived anyway.
    let store = tmp.path().join("partial");
    let (code, _, s) = import_of(&store, &["--partial"], &file);
    assert_eq!(code, Some(1));
    assert_eq!(s["new"], 2, "{s}");
}

/// The deviations `show --meta` lists for the capture of `url`.
fn deviations_of(store: &Path, url: &str) -> Vec<String> {
    let meta = stdout_of(vellum(store).args(["show", "--meta", &doc_for(url)]));
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    meta["warc_notes"]["deviations"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|d| d["kind"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn what_other_tools_tolerate_is_archived_and_noted_beside_the_capture() {
    let tmp = tempfile::tempdir().unwrap();
    let page = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsecond page";
    // Declared chunked, not chunked: the body as it is.
    let not_chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\nnot in chunks";
    // No reason phrase, lines ending in CR CR LF.
    let no_reason = b"HTTP/1.0 200\r\r\nContent-Type: text/plain\r\r\n\r\r\nno reason";
    // The next record right after the block, no blank lines.
    let mut tight = response("http://tight.example/", page);
    tight.truncate(tight.len() - 4);
    let file = tmp.path().join("odd.warc");
    let records = [
        tight,
        response("http://chunks.example/", not_chunked),
        response("http://reason.example/", no_reason),
    ];
    std::fs::write(&file, records.concat()).unwrap();
    let store = tmp.path().join("s");
    let (code, stderr, s) = import_of(&store, &[], &file);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        (s["new"].as_u64(), s["tolerated"].as_u64()),
        (Some(3), Some(3)),
        "{s}"
    );
    assert_eq!(
        stdout_of(vellum(&store).args(["show", &doc_for("http://chunks.example/")])),
        "not in chunks"
    );
    assert_eq!(
        stdout_of(vellum(&store).args(["show", &doc_for("http://reason.example/")])),
        "no reason"
    );
    assert_eq!(
        deviations_of(&store, "http://tight.example/"),
        ["record_end"]
    );
    assert_eq!(
        deviations_of(&store, "http://chunks.example/"),
        ["not_chunked"]
    );
    assert_eq!(
        deviations_of(&store, "http://reason.example/"),
        ["http_head"]
    );

    // The same captures, the same ids, as from a well-formed file; nothing
    // noted for those.
    let well = tmp.path().join("well.warc");
    let fixed = [
        response("http://tight.example/", page),
        response(
            "http://chunks.example/",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nnot in chunks",
        ),
        response(
            "http://reason.example/",
            b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nno reason",
        ),
    ];
    std::fs::write(&well, fixed.concat()).unwrap();
    let other = tmp.path().join("other");
    let (code, _, s) = import_of(&other, &[], &well);
    assert_eq!((code, s["tolerated"].as_u64()), (Some(0), Some(0)));
    assert!(deviations_of(&other, "http://tight.example/").is_empty());
    let tight_id = |s: &Path| {
        let meta = stdout_of(vellum(s).args(["show", "--meta", &doc_for("http://tight.example/")]));
        serde_json::from_str::<serde_json::Value>(&meta).unwrap()["capture"].clone()
    };
    assert_eq!(tight_id(&store), tight_id(&other));

    // The notes survive a rebuilt catalog.
    std::fs::remove_file(store.join("catalog.sqlite")).unwrap();
    vellum(&store).arg("reindex").assert().success();
    assert_eq!(
        deviations_of(&store, "http://tight.example/"),
        ["record_end"]
    );
}

#[test]
fn arc_files_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["example.arc", "example.arc.gz"] {
        let store = tmp.path().join(name);
        let (code, stderr, s) = import_of(&store, &[], &warc(name));
        assert_eq!(code, Some(0), "{name}: {stderr}");
        assert_eq!(s["new"], 1, "{name}: {s}");
        assert_eq!(s["skipped"]["warcinfo"], 1, "{name}: {s}");
        let meta =
            stdout_of(vellum(&store).args(["show", "--meta", &doc_for("http://example.com/")]));
        let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
        assert_eq!(meta["captured_at"], "2014-02-16T05:02:21Z", "{meta}");
    }
    // The readable record of a damaged ARC is archived, the others listed.
    let store = tmp.path().join("bad");
    let (code, _, s) = import_of(&store, &[], &warc("bad.arc"));
    assert_eq!(code, Some(1));
    let offsets: Vec<u64> = s["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, [0, 202, 262], "{s}");
}
