//! `vellum import` and `vellum export` through the real binary: public sample
//! WARCs (tests/fixtures/warc), broken inputs, round trips, and WARCs written
//! by wget against a local server.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::{SAMPLE_STORE, sample_copy, stdout_of, vellum};

const WARCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/warc");

fn warc(name: &str) -> PathBuf {
    Path::new(WARCS).join(name)
}

/// Every capture id in a store, sightings included (from the catalog).
fn capture_ids(store: &Path) -> BTreeSet<String> {
    let db = rusqlite::Connection::open(store.join("catalog.sqlite")).unwrap();
    let mut stmt = db.prepare("SELECT lower(hex(id)) FROM captures").unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The document `add URL` would name for `url` (import names it the same).
fn doc_for(url: &str) -> String {
    use vellum::ingest::canon;
    canon::doc_name_for_url(&canon::canonicalize(url).unwrap()).to_string()
}

fn summary(stdout: &str) -> serde_json::Value {
    let last = stdout.lines().last().expect("a summary line");
    serde_json::from_str::<serde_json::Value>(last).unwrap()["summary"].clone()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn record(kind: &str, extra: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: 2020-01-01T00:00:00Z\r\n{extra}Content-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn response(url: &str, http: &[u8]) -> Vec<u8> {
    record(
        "response",
        &format!("WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"),
        http,
    )
}

#[test]
fn sample_warc_imports_response_and_revisit() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .args(["import", "--json"])
        .arg(warc("example.warc"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let s = summary(&stdout);
    assert_eq!(s["records"], 6);
    assert_eq!(s["new"], 1);
    // The revisit is a later sighting of the same payload.
    assert_eq!(s["unchanged"], 1);
    assert_eq!(s["skipped"]["request"], 2);
    assert_eq!(s["skipped"]["warcinfo"], 2);
    assert_eq!(s["bad_digests"], 0);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .take(2)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let example = doc_for("http://example.com/");
    assert_eq!(lines[0]["doc"], example.as_str());
    assert_eq!(lines[0]["captured_at"], "2017-03-06T04:02:06Z");
    assert_eq!(lines[1]["captured_at"], "2017-03-06T04:03:48Z");
    let text = stdout_of(vellum(&store).args(["show", &example]));
    assert!(text.starts_with("Example Domain\n\nThis domain"), "{text}");
    let raw = stdout_of(vellum(&store).args(["show", "--raw", &example]));
    assert!(raw.contains("<title>Example Domain</title>"), "{raw}");
    let meta = stdout_of(vellum(&store).args(["show", &example, "--meta"]));
    assert!(meta.contains("\"media_type\": \"text/html\""), "{meta}");
    assert!(meta.contains("\"url\": \"http://example.com/\""), "{meta}");

    // The same captures from the gzip-per-record and whole-file-gzip copies:
    // nothing new. The whole-file copy has a revisit with a bad block digest.
    let out = vellum(&store)
        .args(["import", "--json"])
        .arg(warc("example.warc.gz"))
        .output()
        .unwrap();
    let s = summary(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(
        (s["new"].as_u64(), s["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    let out = vellum(&store)
        .arg("import")
        .arg(warc("example-bad-non-chunked.warc.gz"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "record at byte 3370 of the decompressed data (gzip member at byte 0): block digest"
        ),
        "{stderr}"
    );
    // Same records, same capture ids.
    assert_eq!(capture_ids(&store).len(), 2);

    // Chunked transfer-encoding is removed; the text is the page.
    vellum(&store)
        .arg("import")
        .arg(warc("example-iana.org-chunked.warc"))
        .assert()
        .success();
    let text = stdout_of(vellum(&store).args(["show", "--raw", &doc_for("http://www.iana.org/")]));
    assert!(
        text.trim_end().ends_with("</html>"),
        "{}",
        &text[text.len() - 100..]
    );
    assert!(!text.contains("\r\n0\r\n"));
}

#[test]
fn revisit_of_a_payload_archived_earlier() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    // example.warc.gz's members: warcinfo x2, response, request, revisit, request.
    let all = std::fs::read(warc("example.warc.gz")).unwrap();
    let (first, later) = (
        tmp.path().join("first.warc.gz"),
        tmp.path().join("later.warc.gz"),
    );
    std::fs::write(&first, &all[..2012]).unwrap();
    std::fs::write(&later, &all[2621..3207]).unwrap();
    vellum(&store).arg("import").arg(&first).assert().success();
    let out = vellum(&store)
        .args(["import", "--json"])
        .arg(&later)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(summary(&stdout)["unchanged"], 1, "{stdout}");
    assert!(
        stdout.contains("\"captured_at\":\"2017-03-06T04:03:48Z\""),
        "{stdout}"
    );
    // Into an empty store, the same revisit finds nothing: skipped and counted.
    let empty = tmp.path().join("empty");
    let s = summary(&stdout_of(
        vellum(&empty).args(["import", "--json"]).arg(&later),
    ));
    assert_eq!(s["skipped"]["revisit of a payload not found"], 1, "{s}");
    assert_eq!(s["new"], 0);
}

#[test]
fn bad_digests_are_refused_or_flagged_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .arg("import")
        .arg(warc("example-wrong-chunks.warc.gz"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "record at byte 0 (gzip member): block digest is sha1:SDZIDCNQKX2AQDX3LC6EE2YTIHVLAXUK"
    ));
    // Nothing archived: no store was created.
    assert!(!store.exists());

    let out = vellum(&store)
        .args(["import", "--accept-bad-digests"])
        .arg(warc("example-wrong-chunks.warc.gz"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let example = doc_for("http://example.com/");
    assert!(stdout.starts_with(&format!("{example}@- ")), "{stdout}");
    assert!(stdout.contains(" flagged\n"), "{stdout}");
    let id = stdout.split_whitespace().nth(1).unwrap().to_owned();
    let meta = stdout_of(vellum(&store).args(["show", &id, "--meta"]));
    assert!(
        meta.contains("\"flag\": \"WARC digest mismatch: block digest is"),
        "{meta}"
    );
    // Listed among the document's captures, never a version of it.
    vellum(&store)
        .args(["show", &example])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("only flagged captures"));
    let listed = stdout_of(vellum(&store).args(["log", &example, "--captures"]));
    assert!(listed.contains(&id[..12]), "{listed}");
    // Exported and imported again, it stays flagged, apart, with the same id.
    let out = tmp.path().join("flagged.warc.gz");
    vellum(&store)
        .args(["export", "--warc"])
        .arg(&out)
        .assert()
        .success();
    let back = tmp.path().join("back");
    vellum(&back).arg("import").arg(&out).assert().code(0);
    assert_eq!(capture_ids(&back), capture_ids(&store));
}

#[test]
fn export_then_import_gives_the_same_captures_and_texts() {
    let (tmp, store) = sample_copy();
    // A later sighting of the same bytes (exported as a revisit).
    let doc = "raqqah-negotiations";
    let again = tmp.path().join("again.txt");
    std::fs::write(
        &again,
        stdout_of(vellum(&store).args(["show", doc, "--raw"])),
    )
    .unwrap();
    vellum(&store)
        .args([
            "add",
            "--allow-future",
            "--doc",
            doc,
            "--at",
            "2030-01-01T00:00:00Z",
        ])
        .arg(&again)
        .assert()
        .success();
    let out = tmp.path().join("out.warc.gz");
    vellum(&store)
        .args(["export", "--warc"])
        .arg(&out)
        .assert()
        .success();

    // Every record is its own gzip member; a revisit for the sighting.
    let bytes = std::fs::read(&out).unwrap();
    let mut r = vellum::warc::read::Reader::new(&bytes[..], Default::default()).unwrap();
    let mut kinds = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        assert_eq!(rec.at.member.map(|(_, start)| start), Some(rec.at.offset));
        assert_eq!(rec.block_check, vellum::warc::Check::Good);
        kinds.push(rec.kind());
    }
    assert_eq!(kinds[0], "warcinfo");
    assert_eq!(kinds.iter().filter(|k| *k == "revisit").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "resource").count(), 5);
    assert_eq!(kinds.iter().filter(|k| *k == "metadata").count(), 6);

    let back = tmp.path().join("back");
    vellum(&back).arg("import").arg(&out).assert().success();
    let ids = capture_ids(&store);
    assert_eq!(ids.len(), 6);
    assert_eq!(capture_ids(&back), ids);
    for id in &ids {
        assert_eq!(
            stdout_of(vellum(&back).args(["show", id, "--raw"])),
            stdout_of(vellum(&store).args(["show", id, "--raw"])),
        );
    }
    vellum(&back).arg("verify").assert().success();

    // Importing it again adds nothing; exporting one version writes one capture.
    let again = stdout_of(vellum(&back).args(["import", "--json"]).arg(&out));
    assert_eq!(summary(&again)["new"], 0);
    let one = tmp.path().join("one.warc.gz");
    vellum(&store)
        .args(["export", "--warc"])
        .arg(&one)
        .arg("us-coalition-isis-deal@1")
        .assert()
        .success();
    let single = tmp.path().join("single");
    let s = stdout_of(vellum(&single).args(["import", "--json"]).arg(&one));
    assert_eq!(summary(&s)["new"], 1);
    assert!(s.starts_with("{\"capture\":\"b990df5b"), "{s}");
    // Unknown addresses are errors, and no file is left behind.
    let none = tmp.path().join("none.warc.gz");
    vellum(&store)
        .args(["export", "--warc"])
        .arg(&none)
        .arg("no-such-doc")
        .assert()
        .code(2);
    assert!(!none.exists());
    assert!(Path::new(SAMPLE_STORE).exists());
}

/// A tiny HTTP server: `/a.html` plain, `/b.txt` chunked, `/c.txt` gzip, else 404.
fn serve() -> (u16, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut l = String::new();
                if reader.read_line(&mut l).unwrap() == 0 || l == "\r\n" {
                    break;
                }
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_owned();
            let resp: Vec<u8> = match path.as_str() {
                "/a.html" => {
                    let body = "<html><title>A</title><p>The caf\u{e9} article: a short page, but a real one with a dozen words.</p></html>";
                    format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).into_bytes()
                }
                "/b.txt" => b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n6\r\nchunk \r\n5\r\nworld\r\n0\r\n\r\n".to_vec(),
                "/c.txt" => {
                    let body = gz(b"compressed text");
                    let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                    r.extend_from_slice(&body);
                    r
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found".to_vec(),
            };
            let _ = s.write_all(&resp);
        }
    });
    (port, handle)
}

#[test]
fn wget_warcs_import() {
    if std::process::Command::new("wget")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("SKIPPED wget_warcs_import: wget is not installed (apt-get install -y wget)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (port, server) = serve();
    let base = format!("http://127.0.0.1:{port}");
    let status = std::process::Command::new("wget")
        .current_dir(tmp.path())
        .args(["-q", "--tries=1", "--timeout=20"])
        .arg("--warc-file=crawl")
        .args(["-O", "/dev/null"])
        .args(["a.html", "b.txt", "c.txt", "missing"].map(|p| format!("{base}/{p}")))
        .status()
        .unwrap();
    // wget exits 8 for the 404; the WARC is written all the same.
    assert!(matches!(status.code(), Some(0 | 8)), "{status:?}");
    server.join().unwrap();
    // wget's default: gzip, one member per record.
    let file = tmp.path().join("crawl.warc.gz");
    assert!(file.exists());
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .args(["import", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(s["new"], 3, "{s}");
    assert_eq!(s["skipped"]["status 404"], 1, "{s}");
    assert_eq!(s["skipped"]["request"], 4, "{s}");
    assert_eq!(s["bad_digests"], 0, "{s}");
    let doc = |p: &str| doc_for(&format!("{base}/{p}"));
    // HTML goes through article extraction, as with `add`; the bytes stay.
    let a = stdout_of(vellum(&store).args(["show", &doc("a.html")]));
    assert!(a.contains("The caf\u{e9} article: a short page"), "{a}");
    assert!(!a.contains("<p>"), "{a}");
    let raw = stdout_of(vellum(&store).args(["show", "--raw", &doc("a.html")]));
    assert!(
        raw.starts_with("<html><title>A</title><p>The caf\u{e9} article"),
        "{raw}"
    );
    assert_eq!(
        stdout_of(vellum(&store).args(["show", &doc("b.txt")])),
        "chunk world"
    );
    assert_eq!(
        stdout_of(vellum(&store).args(["show", &doc("c.txt")])),
        "compressed text"
    );
    let meta = stdout_of(vellum(&store).args(["show", &doc("a.html"), "--meta"]));
    assert!(meta.contains("\"media_type\": \"text/html\""), "{meta}");
}

/// `import` puts a crawled page in the document its canonical URL already
/// has (here one named with `--doc` when a saved copy was added).
#[test]
fn import_uses_the_canonical_url_map() {
    let tmp = tempfile::tempdir().unwrap();
    let scratch = tmp.path().join("scratch");
    vellum(&scratch)
        .args(["import"])
        .arg(warc("example.warc"))
        .assert()
        .success();
    let html = stdout_of(vellum(&scratch).args(["show", "--raw", &doc_for("http://example.com/")]));
    let page = tmp.path().join("saved.html");
    std::fs::write(&page, &html).unwrap();
    let store = tmp.path().join("s");
    let out = stdout_of(
        vellum(&store)
            .args([
                "add",
                "--doc",
                "my-example",
                "--url",
                "http://example.com/?utm_source=x",
            ])
            .arg(&page)
            .args(["--at", "2017-01-01T00:00:00Z"]),
    );
    assert!(out.starts_with("my-example@1 "), "{out}");
    let out = vellum(&store)
        .args(["import", "--json"])
        .arg(warc("example.warc"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["doc"], "my-example", "{stdout}");
    let docs = stdout_of(vellum(&store).args(["log", "--json"]));
    assert_eq!(docs.lines().count(), 1, "{docs}");
}

/// `--quiet` silences import's and export's notes (a store created, a file
/// written) and progress; without it they are there.
#[test]
fn quiet_import_and_export_print_nothing_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let loud = tmp.path().join("loud");
    let out = vellum(&loud)
        .arg("import")
        .arg(warc("example.warc"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("created a new store"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .args(["--quiet", "import"])
        .arg(warc("example.warc"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(!out.stdout.is_empty(), "captures and summary still print");
    let file = tmp.path().join("out.warc.gz");
    let out = vellum(&store)
        .args(["--quiet", "export", "--warc"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(file.exists());
}

/// A page's URL names its document the same way whether `add` fetched it
/// or `import` read it from a WARC: the same URL lands in one document.
#[test]
fn import_names_a_url_document_as_add_does() {
    use common::server::{Server, ok};
    let page = format!(
        "<!DOCTYPE html><html><head><title>No canonical</title></head><body><article>\
         <h1>No canonical</h1><p>{}</p></article></body></html>",
        "A paragraph long enough to be an article, about a town council vote. ".repeat(8)
    );
    let text = "Plain notes, served as text.\n";
    let (p, t) = (page.clone(), text);
    let srv = Server::start(vec![
        (
            "/news/nocanon.html",
            Box::new(move |_| ok("text/html; charset=utf-8", p.clone())),
        ),
        ("/notes/plain.txt", Box::new(move |_| ok("text/plain", t))),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let added = tmp.path().join("added");
    let mut add_docs = Vec::new();
    for path in ["/news/nocanon.html", "/notes/plain.txt"] {
        let line = stdout_of(vellum(&added).args(["add", &srv.url(path)]));
        add_docs.push(line.split('@').next().unwrap().to_owned());
    }
    // The same URLs, crawled into a WARC.
    let warc_file = tmp.path().join("crawl.warc");
    let http = |ct: &str, body: &str| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let records = [
        response(
            &srv.url("/news/nocanon.html"),
            http("text/html; charset=utf-8", &page).as_bytes(),
        ),
        response(
            &srv.url("/notes/plain.txt"),
            http("text/plain", text).as_bytes(),
        ),
    ]
    .concat();
    std::fs::write(&warc_file, records).unwrap();
    let imported = tmp.path().join("imported");
    let out = stdout_of(vellum(&imported).args(["import", "--json"]).arg(&warc_file));
    let import_docs: Vec<String> = out
        .lines()
        .take(2)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["doc"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(import_docs, add_docs);
    // Into the store `add` filled: the same two documents, no new one.
    vellum(&added)
        .arg("import")
        .arg(&warc_file)
        .assert()
        .success();
    let docs = stdout_of(vellum(&added).args(["log", "--json"]));
    assert_eq!(docs.lines().count(), 2, "{docs}");
}

/// Several files: each archived or reported on its own; exit 1 when some
/// failed (listed), 2 when none could be read (and then no store is made).
#[test]
fn several_files_are_archived_or_reported_each_on_their_own() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "hello\n").unwrap();
    let missing = tmp.path().join("missing.warc");
    let second = tmp.path().join("second.warc");
    std::fs::write(
        &second,
        response(
            "http://second.example/",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsecond page",
        ),
    )
    .unwrap();

    let store = tmp.path().join("s");
    let out = vellum(&store)
        .args(["import", "--json"])
        .arg(warc("example.warc"))
        .arg(&missing)
        .arg(&notes)
        .arg(&second)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("missing.warc: cannot read it"), "{stderr}");
    assert!(stderr.contains("notes.txt: "), "{stderr}");
    assert!(stderr.contains("not a WARC record"), "{stderr}");
    assert!(stderr.contains("2 of 4 files failed"), "{stderr}");
    let s = summary(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(s["new"], 2, "{s}");
    assert_eq!(s["files"], 4, "{s}");
    let failed: Vec<&str> = s["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [missing.to_str().unwrap(), notes.to_str().unwrap()],
        "{s}"
    );
    // The readable files were archived, before and after the failed ones.
    vellum(&store)
        .args(["show", &doc_for("http://example.com/")])
        .assert()
        .success();
    assert_eq!(
        stdout_of(vellum(&store).args(["show", &doc_for("http://second.example/")])),
        "second page"
    );

    let none = tmp.path().join("none");
    let out = vellum(&none)
        .arg("import")
        .arg(&missing)
        .arg(&notes)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("missing.warc") && stderr.contains("notes.txt"),
        "{stderr}"
    );
    assert!(!none.exists(), "nothing archived, no store made");
}

/// `export --help` names every kind of record export writes.
#[test]
fn export_help_names_every_record_kind_it_writes() {
    use common::server::{Server, ok};
    let srv = Server::start(vec![(
        "/news/story",
        Box::new(|_| {
            ok(
                "text/html; charset=utf-8",
                format!(
                    "<html><head><title>Story</title></head><body><article><p>{}</p></article></body></html>",
                    "The story, told at some length for the extractor. ".repeat(10)
                ),
            )
        }),
    )]);
    let (tmp, store) = sample_copy();
    stdout_of(vellum(&store).args(["add", &srv.url("/news/story")]));
    let file = tmp.path().join("out.warc.gz");
    vellum(&store)
        .args(["export", "--warc"])
        .arg(&file)
        .assert()
        .success();
    let bytes = std::fs::read(&file).unwrap();
    let mut r = vellum::warc::read::Reader::new(&bytes[..], Default::default()).unwrap();
    let mut kinds = BTreeSet::new();
    while let Some(rec) = r.next_record().unwrap() {
        kinds.insert(rec.kind());
    }
    assert!(kinds.contains("response"), "{kinds:?}");
    let help = stdout_of(vellum(&store).args(["export", "--help"]));
    for kind in &kinds {
        assert!(help.contains(&format!("`{kind}` record")), "{kind}: {help}");
    }
}

/// A page vellum fetched is exported as a `response` record whose head the
/// HTTP client rebuilt: the record says so (`WARC-Vellum-Http-Head:
/// reconstructed`), so it never passes as the bytes the site sent.
#[test]
fn exported_heads_say_they_were_reconstructed() {
    use common::server::{Server, ok};
    let page = format!(
        "<!DOCTYPE html><html><head><title>Heads</title></head><body><article>\
         <h1>Heads</h1><p>{}</p></article></body></html>",
        "A paragraph long enough to be an article, about a harbour strike. ".repeat(8)
    );
    let srv = Server::start(vec![(
        "/news/heads.html",
        Box::new(move |_| ok("text/html; charset=utf-8", page.clone())),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    vellum(&store)
        .args(["add", &srv.url("/news/heads.html")])
        .assert()
        .success();
    let out = tmp.path().join("out.warc");
    vellum(&store)
        .args(["export", "--warc"])
        .arg(&out)
        .assert()
        .success();
    let bytes = std::fs::read(&out).unwrap();
    let mut r = vellum::warc::read::Reader::new(&bytes[..], Default::default()).unwrap();
    let mut marks = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        if rec.kind() == "response" {
            marks.push(rec.header("WARC-Vellum-Http-Head").map(str::to_owned));
        }
    }
    assert_eq!(marks, [Some("reconstructed".to_owned())]);
}

// The tolerant reader's import semantics (issue #27), in their own file.
#[path = "warc_cli/tolerant.rs"]
mod tolerant;
