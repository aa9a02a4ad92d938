//! Exact decoding of the public test files of encoding detectors, for
//! `scripts/bench-encoding.sh`: vellum's detection against chardetng alone
//! (what vellum used before), per encoding.
//!
//!     cargo run --release --example encoding_bench -- DATA_DIR [--list]
//!
//! DATA_DIR holds `uchardet/test/<lang>/<encoding>.txt` (uchardet's suite)
//! and/or `chardet/tests/<ENCODING>[-language]/*` (chardet's). Each file is
//! read as undeclared plain text (no HTTP charset, no `<meta>`: detection
//! alone) and counts as exact when the text vellum decodes equals the text
//! of the file decoded with its true encoding (the suite's label). Labels
//! vellum cannot decode at all are listed as unsupported. Prints a
//! Markdown table; `--list` also prints every miss.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vellum::ingest::charset::Charset;
use vellum::ingest::decode::{DecodeHints, decode};

#[derive(Default)]
struct Row {
    files: usize,
    vellum: usize,
    chardetng: usize,
    unsure_right: usize,
    unsure_wrong: usize,
}

/// The encoding a suite's label names, as vellum spells it (None: vellum has
/// no decoder for it).
fn charset_of(label: &str) -> Option<Charset> {
    let l = label.to_ascii_lowercase();
    let l = match l.as_str() {
        "ascii" => "windows-1252",
        "utf-8-sig" => "utf-8",
        "tis-620" | "iso-8859-11" => "windows-874",
        "maccyrillic" | "mac-cyrillic" => "x-mac-cyrillic",
        "macroman" => "macintosh",
        "cp932" => "shift_jis",
        "cp949" | "uhc" => "euc-kr",
        "ibm862.logical" | "ibm862.visual" => "ibm862",
        "cp737" => "ibm737",
        // encoding_rs decodes these as replacement or has none.
        "iso-2022-kr" | "utf-32" | "utf-32be" | "utf-32le" | "euc-tw" | "johab" | "viscii"
        | "georgian-academy" | "georgian-ps" => return None,
        other => other,
    };
    Charset::for_label(l).filter(|c| c.whatwg() != Some(encoding_rs::REPLACEMENT))
}

/// (suite label, file) of every test file found.
fn files(data: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let ud = data.join("uchardet/test");
    for lang in read_dir(&ud) {
        for f in read_dir(&lang) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            // `ko/uhc.smi`, `fr/utf-16.be`: the label is the name's start.
            let label = name
                .strip_suffix(".txt")
                .map(str::to_owned)
                .unwrap_or_else(|| match name.split_once('.') {
                    Some((a, b)) if a.starts_with("utf-") => format!("{a}{b}"),
                    Some((a, _)) => a.to_owned(),
                    None => name.clone(),
                });
            out.push((label, f));
        }
    }
    let cd = data.join("chardet/tests");
    for dir in read_dir(&cd) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let label = ["-arabic", "-bulgarian", "-croatian", "-czech", "-greek"]
            .iter()
            .chain(&["-hebrew", "-hungarian", "-polish", "-romanian", "-russian"])
            .chain(&["-slovak", "-slovene", "-turkish"])
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(&name)
            .to_owned();
        for f in read_dir(&dir) {
            out.push((label.clone(), f));
        }
    }
    out
}

fn read_dir(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(p)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn chardetng_alone(bytes: &[u8]) -> String {
    // What vellum did before: BOM, UTF-8, else chardetng.
    if let Some((e, _)) = encoding_rs::Encoding::for_bom(bytes) {
        return e.decode_with_bom_removal(bytes).0.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_owned();
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let e = det.guess(None, chardetng::Utf8Detection::Allow);
    e.decode_with_bom_removal(bytes).0.into_owned()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(data) = args.first().map(PathBuf::from) else {
        eprintln!("usage: encoding_bench DATA_DIR [--list]");
        std::process::exit(2);
    };
    let list = args.iter().any(|a| a == "--list");
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut unsupported: BTreeMap<String, usize> = BTreeMap::new();
    for (label, path) in files(&data) {
        let Some(cs) = charset_of(&label) else {
            *unsupported.entry(label).or_default() += 1;
            continue;
        };
        let bytes = std::fs::read(&path).expect("readable test file");
        let (truth, _) = cs.decode(&bytes);
        let d = decode(&bytes, DecodeHints::default());
        let row = rows.entry(cs.name().to_owned()).or_default();
        row.files += 1;
        let right = d.text == truth;
        row.vellum += usize::from(right);
        row.chardetng += usize::from(chardetng_alone(&bytes) == truth);
        if d.unsure() {
            if right {
                row.unsure_right += 1;
            } else {
                row.unsure_wrong += 1;
            }
        }
        if list && !right {
            println!(
                "miss: {} ({}): vellum {} confidence {:?}",
                path.display(),
                cs.name(),
                d.encoding.name(),
                d.confidence
            );
        }
    }
    println!(
        "| encoding | files | vellum exact | % | flagged unsure (right/wrong) | chardetng alone | % |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut total = Row::default();
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    for (name, r) in &rows {
        println!(
            "| {name} | {} | {} | {:.0} | {}/{} | {} | {:.0} |",
            r.files,
            r.vellum,
            pct(r.vellum, r.files),
            r.unsure_right,
            r.unsure_wrong,
            r.chardetng,
            pct(r.chardetng, r.files)
        );
        total.files += r.files;
        total.vellum += r.vellum;
        total.chardetng += r.chardetng;
        total.unsure_right += r.unsure_right;
        total.unsure_wrong += r.unsure_wrong;
    }
    println!(
        "| **all** | {} | {} | {:.1} | {}/{} | {} | {:.1} |",
        total.files,
        total.vellum,
        pct(total.vellum, total.files),
        total.unsure_right,
        total.unsure_wrong,
        total.chardetng,
        pct(total.chardetng, total.files)
    );
    let never: Vec<&String> = rows
        .iter()
        .filter(|(_, r)| r.vellum == 0)
        .map(|(n, _)| n)
        .collect();
    println!("\nencodings never right: {never:?}");
    println!("unsupported (no decoder in vellum): {unsupported:?}");
}
