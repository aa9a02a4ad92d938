//! In-process extraction timing for `scripts/bench-extract.sh`: runs
//! vellum's ingest (detection, decoding, extraction) over every `*.html` in a
//! directory and prints `{"ID": {"articleBody": ..., "ms": ...}}` on stdout
//! (`ms`: that page's time), the mean time per page on stderr.
//!
//!     cargo run --release --example extract_bench -- DIR > out.json

use std::time::Instant;

use vellum::ingest::{PrepareHints, prepare};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: extract_bench DIR");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("readable directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    files.sort();
    let mut out = serde_json::Map::new();
    let mut total = 0f64;
    for f in &files {
        let bytes = std::fs::read(f).expect("readable file");
        let t = Instant::now();
        let p = prepare(
            &bytes,
            PrepareHints {
                name: f.to_str(),
                ..Default::default()
            },
        );
        let secs = t.elapsed().as_secs_f64();
        total += secs;
        let body = p.article.map(|a| a.body).unwrap_or_default();
        let id = f.file_stem().unwrap().to_string_lossy().into_owned();
        out.insert(
            id,
            serde_json::json!({ "articleBody": body, "ms": secs * 1000.0 }),
        );
    }
    eprintln!("{:.2}", total * 1000.0 / files.len().max(1) as f64);
    println!("{}", serde_json::Value::Object(out));
}
