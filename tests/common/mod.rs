//! Helpers shared by the integration tests: a hermetic `vellum` command and
//! temporary stores (never the repository's `store/` itself).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/articles");
pub const SAMPLE_STORE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/store");
pub const PAIR_DOC: &str = "us-coalition-isis-deal";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

pub mod formats;
pub mod http;
pub mod server;

/// `vellum --store DIR`, with a clean environment (no color, no inherited store).
pub fn vellum(store: &Path) -> Command {
    let mut cmd = Command::cargo_bin("vellum").expect("binary built");
    cmd.env_remove("VELLUM_STORE")
        .env("NO_COLOR", "1")
        .arg("--store")
        .arg(store);
    cmd
}

/// A temporary directory holding a copy of the bundled sample store at `<tmp>/store`.
pub fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join("store");
    copy_dir(Path::new(SAMPLE_STORE), &dst);
    (tmp, dst)
}

pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// Every file under `dir` with its size, hash and mtime.
pub fn listing(dir: &Path) -> BTreeMap<PathBuf, (u64, String, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                let bytes = std::fs::read(entry.path()).unwrap();
                out.insert(
                    entry.path().strip_prefix(dir).unwrap().to_owned(),
                    (
                        meta.len(),
                        blake3::hash(&bytes).to_hex().to_string(),
                        meta.modified().unwrap(),
                    ),
                );
            }
        }
    }
    out
}

pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Adds a file to `store` at a fixed time; returns the stdout line.
pub fn add(store: &Path, file: &Path, doc: &str, at: &str) -> String {
    let out = vellum(store)
        .args(["add", "--doc", doc, "--at", at])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "add failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `vellum --store DIR` as a plain process, for tests that pipe its standard
/// input and output themselves (same environment as [`vellum`]).
pub fn vellum_process(store: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vellum"));
    cmd.env_remove("VELLUM_STORE")
        .env("NO_COLOR", "1")
        .arg("--store")
        .arg(store);
    cmd
}

/// Reads `show --batch` answers (header line, then the text after it) on a
/// thread, so that a batch that stops answering fails the test instead of
/// hanging it.
pub fn batch_answers(
    out: impl std::io::Read + Send + 'static,
) -> std::sync::mpsc::Receiver<(String, String)> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = std::io::BufReader::new(out);
        loop {
            let mut header = String::new();
            if std::io::BufRead::read_line(&mut out, &mut header).unwrap_or(0) == 0 {
                return;
            }
            let size: usize = header
                .split_whitespace()
                .nth(2)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("no size in {header:?}"));
            let mut text = vec![0; size + 1];
            std::io::Read::read_exact(&mut out, &mut text).expect("the text and a newline");
            text.pop();
            let text = String::from_utf8(text).expect("UTF-8 text");
            if tx.send((header, text)).is_err() {
                return;
            }
        }
    });
    rx
}

/// A `vellum show --batch` process on `store`: the process, its standard
/// input, and its answers as [`batch_answers`] reads them.
pub fn spawn_show_batch(
    store: &Path,
) -> (
    std::process::Child,
    std::process::ChildStdin,
    std::sync::mpsc::Receiver<(String, String)>,
) {
    use std::process::Stdio;
    let mut reader = vellum_process(store)
        .args(["show", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("vellum show --batch starts");
    let input = reader.stdin.take().expect("piped stdin");
    let answers = batch_answers(reader.stdout.take().expect("piped stdout"));
    (reader, input, answers)
}

/// An RSS 2.0 feed whose items link to `links` (title, link and guid each).
pub fn rss(links: &[&str]) -> String {
    let items: String = links
        .iter()
        .map(|l| format!("<item><title>{l}</title><link>{l}</link><guid>{l}</guid></item>"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>News</title>{items}</channel></rss>"
    )
}

/// A `vellum serve` on a free loopback port, stopped when dropped.
pub struct ServeProcess {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `vellum serve` on `store` (with `extra` options) and waits for
/// the address it prints.
pub fn start_serve(store: &Path, extra: &[&str]) -> ServeProcess {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vellum"))
        .env_remove("VELLUM_STORE")
        .env("NO_COLOR", "1")
        .arg("--store")
        .arg(store)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let base = line.trim().trim_end_matches('/').to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:"),
        "first line: {line:?}"
    );
    ServeProcess { child, base }
}

/// The extractor id an older vellum wrote (for re-extraction tests).
pub const OLD_EXTRACTOR: &str = "vellum-article 1 (dom_smoothie 0.18.0)";

/// Archives `html` as an older extractor did: with `text` as its extraction.
pub fn archive_old(store: &Path, doc: &str, when: &str, html: &str, text: &str) {
    let (a, _) = vellum::store::Archive::init(store).unwrap();
    let mut w = a.writer(&mut || {}).unwrap();
    w.add_with(
        vellum::store::NewCapture {
            doc: doc.parse().unwrap(),
            captured_at: time::OffsetDateTime::parse(
                when,
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap(),
            bytes: html.as_bytes().to_vec(),
            media_type: "text/html".into(),
            text: vellum::store::CaptureText::Extracted(text.into()),
            url: Some("https://example.org/story".into()),
            source: None,
            title: Some("Story".into()),
            meta: Default::default(),
        },
        vellum::store::CaptureExtra {
            extractor: Some(OLD_EXTRACTOR.into()),
            encoding: Some("UTF-8".into()),
            ..vellum::store::CaptureExtra::default()
        },
    )
    .unwrap();
    w.commit().unwrap();
}

/// Runs `cmd`: its exit code, its stdout's JSON lines, its stderr.
pub fn json_lines(cmd: &mut Command) -> (i32, Vec<serde_json::Value>, String) {
    let out = cmd.output().unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code().unwrap(),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
