//! A round of many checks (`recheck --all`) against a local HTTP server:
//! its check records and the captures they made are a few durable writes,
//! not one per check.

mod common;

use std::path::Path;

use common::server::{Route, Server, ok};
use common::{json_lines, vellum};

fn page(n: usize, v: u32) -> Vec<u8> {
    let words: Vec<String> = (0..60).map(|i| format!("w{n}x{v}x{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>Doc {n}</title></head><body>\
         <article><h1>Doc {n}</h1><p>{}.</p></article></body></html>",
        words.join(" ")
    )
    .into_bytes()
}

fn packs(store: &Path) -> usize {
    std::fs::read_dir(store.join("objects/packs"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("pack".as_ref()))
        .count()
}

#[test]
fn a_round_of_many_checks_is_one_durable_write_not_one_per_check() {
    const DOCS: usize = 24;
    // Every fourth page edited since it was archived.
    let routes: Vec<(&'static str, Route)> = (0..DOCS)
        .map(|n| {
            let path: &'static str = Box::leak(format!("/d/{n}").into_boxed_str());
            let v = if n % 4 == 0 { 2 } else { 1 };
            let route: Route = Box::new(move |_| ok("text/html; charset=utf-8", page(n, v)));
            (path, route)
        })
        .collect();
    let srv = Server::start(routes);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let day_ago = (time::OffsetDateTime::now_utc() - time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut batch = String::new();
    for n in 0..DOCS {
        let path = tmp.path().join(format!("{n}.html"));
        std::fs::write(&path, page(n, 1)).unwrap();
        let line = serde_json::json!({"path": path, "doc": format!("d{n}"),
            "url": srv.url(&format!("/d/{n}")), "captured_at": day_ago});
        batch.push_str(&format!("{line}\n"));
    }
    std::fs::write(tmp.path().join("batch.jsonl"), batch).unwrap();
    vellum(&store)
        .args(["add", "--batch"])
        .arg(tmp.path().join("batch.jsonl"))
        .assert()
        .success();
    let before = packs(&store);
    let (code, lines, err) = json_lines(vellum(&store).args([
        "recheck",
        "--due",
        "--delay",
        "0",
        "--ignore-robots",
        "--json",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines.len(), DOCS, "{err}");
    let changed = lines.iter().filter(|l| l["outcome"] == "changed").count();
    let unchanged = lines.iter().filter(|l| l["outcome"] == "unchanged").count();
    assert_eq!((changed, unchanged), (DOCS / 4, DOCS - DOCS / 4));
    // Before batching: one pack per check (24 more).
    assert_eq!(packs(&store), before + 1, "one durable write for the round");
    // Everything is there: each document's check and its new version.
    let log = common::stdout_of(vellum(&store).args(["log", "d4", "--checks", "--json"]));
    assert_eq!(log.lines().count(), 1);
    let shown = common::stdout_of(vellum(&store).args(["show", "d4@2"]));
    assert!(shown.contains("w4x2x0"), "{shown}");
    assert!(
        vellum(&store)
            .arg("verify")
            .assert()
            .get_output()
            .status
            .success()
    );
}
