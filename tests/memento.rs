//! Memento (RFC 7089) over `vellum serve`: TimeGate, mementos, the raw
//! mode, TimeMaps, the CDX query; and `export --pywb`'s collection.

mod common;

use std::io::Read;

use common::http::get;
use common::*;

const URL: &str = "https://news.example/story";

/// A store with three captures of one URL (the second and third within
/// one second) and one capture of hostile HTML at another URL.
fn store() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let out = vellum(&store).arg("init").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (i, (at, text)) in [
        ("2019-02-12T08:00:00Z", "The truce holds.\n"),
        ("2019-03-01T10:00:00.200Z", "The truce collapsed.\n"),
        (
            "2019-03-01T10:00:00.700Z",
            "The truce collapsed overnight.\n",
        ),
    ]
    .iter()
    .enumerate()
    {
        let f = tmp.path().join(format!("v{i}.txt"));
        std::fs::write(&f, text).unwrap();
        add_url(&store, &f, "story", at, URL);
    }
    let f = tmp.path().join("evil.html");
    std::fs::write(
        &f,
        "<html><body><script>document.title='pwned'</script><p>Evil text.</p></body></html>",
    )
    .unwrap();
    add_url(
        &store,
        &f,
        "evil",
        "2020-01-01T00:00:00Z",
        "https://evil.example/a",
    );
    (tmp, store)
}

fn add_url(store: &std::path::Path, file: &std::path::Path, doc: &str, at: &str, url: &str) {
    let out = vellum(store)
        .args(["add", "--doc", doc, "--at", at, "--url", url])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_timegate_redirects_to_the_closest_memento() {
    let (_tmp, store) = store();
    let s = start_serve(&store, &[]);
    let base = &s.base;
    let g = get(
        &format!("{base}/web/{URL}"),
        &[("Accept-Datetime", "Fri, 01 Feb 2019 00:00:00 GMT")],
    );
    assert_eq!(g.status, 302, "{}", g.text());
    assert_eq!(
        g.header("location"),
        format!("{base}/web/20190212080000/{URL}")
    );
    assert_eq!(g.header("vary"), "accept-datetime");
    let link = g.header("link");
    assert!(
        link.contains(&format!("<{URL}>; rel=\"original\"")),
        "{link}"
    );
    assert!(
        link.contains(&format!(
            "<{base}/timemap/link/{URL}>; rel=\"timemap\"; type=\"application/link-format\""
        )),
        "{link}"
    );
    // Closer to March: the last capture of that second.
    let g = get(
        &format!("{base}/web/{URL}"),
        &[("Accept-Datetime", "Thu, 28 Feb 2019 00:00:00 GMT")],
    );
    assert_eq!(
        g.header("location"),
        format!("{base}/web/20190301100000/{URL}")
    );
    // No Accept-Datetime: the latest. Another spelling of the URL: the same.
    let g = get(&format!("{base}/web/http://www.news.example/story/"), &[]);
    assert_eq!(g.status, 302);
    assert!(g.header("location").contains("/web/20190301100000/"));
    // A bad date is a 400, an unknown URL a 404.
    let g = get(
        &format!("{base}/web/{URL}"),
        &[("Accept-Datetime", "yesterday")],
    );
    assert_eq!(g.status, 400, "{}", g.text());
    assert!(g.text().contains("Accept-Datetime"));
    let g = get(&format!("{base}/web/https://news.example/other"), &[]);
    assert_eq!(g.status, 404);
}

#[test]
fn a_memento_is_vellums_page_with_its_neighbours_and_the_last_of_its_second() {
    let (_tmp, store) = store();
    let s = start_serve(&store, &[]);
    let base = &s.base;
    let g = get(&format!("{base}/web/20190301100000/{URL}"), &[]);
    assert_eq!(g.status, 200, "{}", g.text());
    assert_eq!(
        g.header("memento-datetime"),
        "Fri, 01 Mar 2019 10:00:00 GMT"
    );
    let link = g.header("link");
    for want in [
        format!("<{URL}>; rel=\"original\""),
        format!("<{base}/web/{URL}>; rel=\"timegate\""),
        format!(
            "<{base}/web/20190212080000/{URL}>; rel=\"first prev memento\"; datetime=\"Tue, 12 Feb 2019 08:00:00 GMT\""
        ),
        format!(
            "<{base}/web/20190301100000/{URL}>; rel=\"last memento\"; datetime=\"Fri, 01 Mar 2019 10:00:00 GMT\""
        ),
    ] {
        assert!(link.contains(&want), "{want} not in {link}");
    }
    let page = g.text();
    // The last capture of the second: its text, and the other one listed.
    assert!(page.contains("The truce collapsed overnight."), "{page}");
    assert!(page.contains("Other captures in this second"), "{page}");
    assert!(page.contains("/diff?a=story%402&amp;b=story%403"), "{page}");
    assert!(
        g.header("content-security-policy")
            .contains("script-src 'self'")
    );
    // A timestamp with no capture: redirected to the closest memento.
    let g = get(&format!("{base}/web/2019/{URL}"), &[]);
    assert_eq!(g.status, 302);
    assert!(
        g.header("location")
            .ends_with(&format!("/web/20190212080000/{URL}"))
    );
}

#[test]
fn raw_mode_gives_the_exact_bytes_as_a_download() {
    let (_tmp, store) = store();
    let s = start_serve(&store, &[]);
    let g = get(
        &format!("{}/web/20200101000000id_/https://evil.example/a", s.base),
        &[],
    );
    assert_eq!(g.status, 200, "{}", g.text());
    assert_eq!(
        g.body,
        b"<html><body><script>document.title='pwned'</script><p>Evil text.</p></body></html>"
    );
    assert!(g.header("content-disposition").starts_with("attachment"));
    assert_eq!(g.header("x-content-type-options"), "nosniff");
    assert_eq!(
        g.header("memento-datetime"),
        "Wed, 01 Jan 2020 00:00:00 GMT"
    );
    // The memento page escapes it.
    let g = get(
        &format!("{}/web/20200101000000/https://evil.example/a", s.base),
        &[],
    );
    assert!(!g.text().contains("<script>document"), "{}", g.text());
}

#[test]
fn timemaps_list_every_capture_and_cdx_answers_as_the_cdx_server() {
    let (_tmp, store) = store();
    let s = start_serve(&store, &[]);
    let base = &s.base;
    let g = get(&format!("{base}/timemap/link/{URL}"), &[]);
    assert_eq!(g.status, 200);
    assert_eq!(g.header("content-type"), "application/link-format");
    let body = g.text();
    assert_eq!(body.matches("memento\"; datetime=").count(), 3, "{body}");
    assert!(body.contains("rel=\"first memento\""), "{body}");
    assert!(
        body.contains(
            "rel=\"self\"; type=\"application/link-format\"; from=\"Tue, 12 Feb 2019 08:00:00 GMT\""
        ),
        "{body}"
    );
    let g = get(&format!("{base}/timemap/json/{URL}"), &[]);
    let tm: serde_json::Value = serde_json::from_slice(&g.body).unwrap();
    let list = tm["mementos"]["list"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[1]["uri"], list[2]["uri"]);
    assert_ne!(list[1]["capture"], list[2]["capture"]);
    assert_eq!(tm["original_uri"], URL);

    let g = get(
        &format!("{base}/cdx?url=news.example/story&from=201903&output=json"),
        &[],
    );
    assert_eq!(g.status, 200, "{}", g.text());
    let rows: Vec<Vec<String>> = serde_json::from_slice(&g.body).unwrap();
    assert_eq!(
        rows[0],
        [
            "urlkey",
            "timestamp",
            "original",
            "mimetype",
            "statuscode",
            "digest",
            "length"
        ]
    );
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1][0], "example,news)/story");
    assert_eq!(rows[1][1], "20190301100000");
    assert_eq!(rows[2][6], "31"); // "The truce collapsed overnight.\n"
    let g = get(&format!("{base}/cdx?url=news.example/story&limit=1"), &[]);
    assert_eq!(g.text().lines().count(), 1);
    assert!(g.text().starts_with("example,news)/story 20190212080000 "));
    assert_eq!(get(&format!("{base}/cdx?from=2019"), &[]).status, 400);
}

#[test]
fn export_pywb_writes_a_sorted_cdxj_index_of_its_warc() {
    let (tmp, store) = store();
    let dir = tmp.path().join("coll");
    let out = vellum(&store)
        .args(["export", "--pywb"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let warcs: Vec<_> = std::fs::read_dir(dir.join("archive")).unwrap().collect();
    let indexes: Vec<_> = std::fs::read_dir(dir.join("indexes")).unwrap().collect();
    assert_eq!((warcs.len(), indexes.len()), (1, 1));
    let warc = warcs[0].as_ref().unwrap().path();
    let index = std::fs::read_to_string(indexes[0].as_ref().unwrap().path()).unwrap();
    let bytes = std::fs::read(&warc).unwrap();
    let lines: Vec<&str> = index.lines().collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "the index is sorted");
    assert_eq!(lines.len(), 4, "{index}");
    for line in &lines {
        let mut parts = line.splitn(3, ' ');
        let (key, ts, json) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let j: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(ts.len(), 14);
        assert!(key.contains(")/"), "{key}");
        assert_eq!(j["filename"], warc.file_name().unwrap().to_str().unwrap());
        assert_eq!(j["digest"].as_str().unwrap().len(), 32, "{line}");
        let offset: usize = j["offset"].as_str().unwrap().parse().unwrap();
        let length: usize = j["length"].as_str().unwrap().parse().unwrap();
        // The member at offset..offset+length is one whole record of that URL.
        let mut record = String::new();
        flate2::read::GzDecoder::new(&bytes[offset..offset + length])
            .read_to_string(&mut record)
            .unwrap();
        assert!(record.starts_with("WARC/1.1\r\n"), "{record}");
        let uri = j["url"].as_str().unwrap();
        assert!(
            record.contains(&format!("WARC-Target-URI: {uri}\r\n")),
            "{record}"
        );
    }
    assert!(
        index.contains("example,news)/story 20190212080000 "),
        "{index}"
    );
}

#[test]
fn a_capture_archived_while_serving_is_found_at_once() {
    let (tmp, store) = store();
    let s = start_serve(&store, &[]);
    let gate = format!("{}/web/{URL}", s.base);
    // Several requests, so that the index is open on every worker thread.
    for _ in 0..8 {
        assert!(
            get(&gate, &[])
                .header("location")
                .contains("/web/20190301100000/")
        );
    }
    let f = tmp.path().join("v3.txt");
    std::fs::write(&f, "The truce was restored.\n").unwrap();
    add_url(&store, &f, "story", "2021-05-05T05:05:05Z", URL);
    for _ in 0..8 {
        let g = get(&gate, &[]);
        assert!(
            g.header("location").contains("/web/20210505050505/"),
            "{}",
            g.header("location")
        );
    }
}

#[test]
fn writers_keep_the_memento_index_current_and_reindex_rebuilds_it() {
    let (_tmp, store) = store();
    // `add` brought the index up to date (no Memento request yet).
    let index = store.join("memento.sqlite");
    assert!(index.exists(), "add did not build memento.sqlite");
    std::fs::remove_file(&index).unwrap();
    let out = vellum(&store).arg("reindex").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(index.exists(), "reindex did not rebuild memento.sqlite");
    let s = start_serve(&store, &[]);
    let g = get(&format!("{}/timemap/json/{URL}", s.base), &[]);
    let tm: serde_json::Value = serde_json::from_slice(&g.body).unwrap();
    assert_eq!(tm["mementos"]["list"].as_array().unwrap().len(), 3);
}
