//! Every `--json` output of the real binary validates against its entry in
//! the JSON schema (`vellum::schema`), and the committed schema file
//! `docs/schema/vellum-v1.json` is the one the types generate.
//!
//! A case is one line in `every_json_output_validates` (or a helper it
//! calls): the command's arguments and the `$defs` entry each printed value
//! must satisfy (JSON Lines: each line; a pretty-printed document: the
//! whole), with no key the entry does not declare. Every command whose
//! `--help` offers `--json` must have a case, so a new `--json` cannot go
//! unvalidated.

mod common;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use common::server::{Server, ok};
use common::{
    OLD_EXTRACTOR, PAIR_DOC, add, archive_old, fixture, rss, sample_copy, vellum, vellum_process,
};
use serde_json::{Value, json};

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema/vellum-v1.json");

const WARC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/warc/example.warc"
);

fn validator(def: &str) -> jsonschema::Validator {
    let schema = vellum::schema::item_schema(def)
        .unwrap_or_else(|| panic!("{def} is not an item type of vellum::schema"));
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// The reasons `value` is not a valid `def`, one per line (empty: valid):
/// what the schema refuses, and any key of the item that its entry does not
/// declare (where the entry lists its properties and says nothing of
/// others, a key it does not list is a field the schema forgot).
fn violations(def: &str, value: &Value) -> String {
    let mut why: String = validator(def)
        .iter_errors(value)
        .map(|e| format!("  at {:?}: {e}\n", e.instance_path().to_string()))
        .collect();
    let schema = vellum::schema::item_schema(def).unwrap();
    let mut declared = BTreeSet::new();
    if let Some(obj) = value.as_object()
        && declared_keys(&schema, &schema["$defs"][def], &mut declared)
    {
        for k in obj.keys().filter(|k| !declared.contains(*k)) {
            why.push_str(&format!("  key {k:?} is not declared by {def}\n"));
        }
    }
    why
}

/// Gathers the property names `entry` declares (its own, and those of the
/// alternatives and references it is made of) into `keys`; false when it
/// allows other keys explicitly (`additionalProperties`), so none can be
/// undeclared.
fn declared_keys(doc: &Value, entry: &Value, keys: &mut BTreeSet<String>) -> bool {
    if entry.get("additionalProperties").is_some() {
        return false;
    }
    if let Some(props) = entry["properties"].as_object() {
        keys.extend(props.keys().cloned());
    }
    let mut closed = true;
    if let Some(name) = entry["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        closed &= declared_keys(doc, &doc["$defs"][name], keys);
    }
    for alternatives in ["oneOf", "anyOf", "allOf"] {
        for sub in entry[alternatives].as_array().into_iter().flatten() {
            closed &= declared_keys(doc, sub, keys);
        }
    }
    closed
}

/// The values a command printed: one pretty-printed document, or JSON Lines.
fn values(stdout: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(stdout).expect("UTF-8 output");
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return vec![v];
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Checks every value `output` printed against `def`; there must be one.
/// `def` may name alternatives, `A|B`, for a command whose lines are items
/// of several types (each line must be a valid A or a valid B).
fn assert_valid(what: &str, output: &Output, def: &str) {
    let values = values(&output.stdout);
    assert!(
        !values.is_empty(),
        "{what} printed no JSON; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    for v in &values {
        let why: Vec<String> = def.split('|').map(|d| violations(d, v)).collect();
        assert!(
            why.iter().any(String::is_empty),
            "{what} printed a value that is not a valid {def}:\n{}{v}",
            why.concat()
        );
    }
}

fn run(cmd: &mut assert_cmd::Command, code: i32) -> Output {
    let output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "{cmd:?}; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The cases run, by command, so that the commands offering `--json` can be
/// checked to have one each.
#[derive(Default)]
struct Cases {
    covered: RefCell<BTreeSet<String>>,
}

impl Cases {
    /// Runs `vellum --store STORE ARGS` (exit `code`): each value printed
    /// is a valid `def`. Returns the values.
    fn store(&self, store: &Path, args: &[&str], code: i32, def: &str) -> Vec<Value> {
        let output = run(vellum(store).args(args), code);
        self.check(&args.join(" "), &output, def)
    }

    /// Checks what `vellum ARGS…` printed (`what` starts with the command).
    fn check(&self, what: &str, output: &Output, def: &str) -> Vec<Value> {
        assert_valid(what, output, def);
        let command = what.split_whitespace().next().unwrap().to_owned();
        self.covered.borrow_mut().insert(command);
        values(&output.stdout)
    }
}

fn save(path: PathBuf, output: Output) -> PathBuf {
    std::fs::write(&path, output.stdout).unwrap();
    path
}

#[test]
fn schema_file_is_the_generated_schema() {
    let generated = vellum::schema::document();
    if std::env::var_os("VELLUM_WRITE_SCHEMA").is_some_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        std::fs::create_dir_all(Path::new(SCHEMA_FILE).parent().unwrap()).unwrap();
        std::fs::write(SCHEMA_FILE, text).unwrap();
    }
    let committed: Value = std::fs::read_to_string(SCHEMA_FILE)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    assert!(
        committed == generated,
        "{SCHEMA_FILE} is not the schema the library types generate (a type printed by \
         --json changed, or was added to vellum::schema's list). Regenerate it with \
         `VELLUM_WRITE_SCHEMA=1 cargo test --test json_schema`, review the diff, and follow \
         the version rule in docs/schema/README.md."
    );
    assert_eq!(
        generated["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(generated["$id"].as_str().unwrap().ends_with("v1"));
    // The document itself accepts any item and refuses what is none.
    let any = jsonschema::validator_for(&generated).unwrap();
    assert!(any.is_valid(&json!({"store": "s", "created": true})));
    assert!(!any.is_valid(&json!({"no": "such item"})));
}

#[test]
fn validation_rejects_a_wrong_type_or_a_missing_field() {
    let root = "3f".repeat(32);
    let good = json!({"size": 6, "root": root, "unlogged": 0});
    assert_eq!(violations("LogRoot", &good), "");
    let wrong_type = json!({"size": "6", "root": root, "unlogged": 0});
    assert!(violations("LogRoot", &wrong_type).contains("/size"));
    let missing = json!({"size": 6, "unlogged": 0});
    assert!(violations("LogRoot", &missing).contains("root"));
    let extra = json!({"size": 6, "root": root, "unlogged": 0, "surprise": 1});
    assert!(violations("LogRoot", &extra).contains("\"surprise\" is not declared"));
    let bad_id = json!({"size": 6, "root": "3F2A", "unlogged": 0});
    assert_ne!(violations("LogRoot", &bad_id), "");
    // Nested: a problem of an unknown kind in a verify report.
    let report = json!({"packs": 1, "objects": 2, "captures": 1, "notes": [], "ok": false,
        "reindex_repairs": false,
        "problems": [{"kind": "gremlins", "detail": "d", "unreadable": []}]});
    assert!(violations("VerifyReport", &report).contains("/problems/0/kind"));
    // JSON Lines of two item types: each line must be one of the alternatives.
    let printed = |text: String| Output {
        status: Default::default(),
        stdout: text.into_bytes(),
        stderr: Vec::new(),
    };
    let two = printed(format!(
        "{good}\n{}\n",
        json!({"store": "s", "created": true})
    ));
    assert_eq!(values(&two.stdout).len(), 2);
    assert_valid("two lines", &two, "LogRoot|Initialized");
    let refused = std::panic::catch_unwind(|| assert_valid("two lines", &two, "LogRoot"));
    assert!(refused.is_err(), "a line that is no LogRoot passed as one");
}

#[test]
fn every_json_output_validates() {
    let cases = Cases::default();
    custody_and_sync(&cases);
    queries(&cases);
    writers(&cases);
    extract_and_serve(&cases);
    let missing: Vec<String> = commands_with_json()
        .into_iter()
        .filter(|c| !cases.covered.borrow().contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "these commands print --json but no case in every_json_output_validates checks it \
         against the schema: {missing:?}; add their library type to vellum::schema and a case"
    );
}

/// verify, root, proof, check-proof, init, push, pull: on the sample store.
fn custody_and_sync(cases: &Cases) {
    let (tmp, store) = sample_copy();
    let t = tmp.path();
    let at1 = format!("{PAIR_DOC}@1");

    cases.store(&store, &["verify", "--json"], 0, "VerifyReport");
    cases.store(&store, &["root", "--json"], 0, "LogRoot");
    cases.store(&store, &["proof", &at1], 0, "ProofFile");
    cases.store(&store, &["proof", "--consistency", "1"], 0, "ProofFile");

    let proof = save(
        t.join("p.json"),
        run(vellum(&store).args(["proof", &at1]), 0),
    );
    let check = |extra: &[&str], code: i32| {
        let mut cmd = assert_cmd::Command::cargo_bin("vellum").unwrap();
        cmd.env("NO_COLOR", "1")
            .arg("check-proof")
            .arg(&proof)
            .arg("--json");
        let output = run(cmd.args(extra), code);
        cases.check("check-proof", &output, "ProofCheck").remove(0)
    };
    let holds = check(&[], 0);
    assert_eq!(holds["holds"], true);
    assert!(!holds["statements"].as_array().unwrap().is_empty());
    let fails = check(&["--root", &"00".repeat(32)], 1);
    assert_eq!(fails["holds"], false);
    assert!(fails["failure"].as_str().unwrap().contains("not a root"));

    let new = t.join("new");
    let init = |code| run(vellum(&store).arg("init").arg(&new).arg("--json"), code);
    cases.check("init (new)", &init(0), "Initialized");
    cases.check("init (existing)", &init(0), "Initialized");

    let copy = t.join("copy");
    let push = run(vellum(&store).arg("push").arg(&copy).arg("--json"), 0);
    cases.check("push", &push, "SyncSummary");
    let pulled = t.join("pulled");
    let pull = run(vellum(&pulled).arg("pull").arg(&store).arg("--json"), 0);
    cases.check("pull", &pull, "SyncSummary");

    // A damaged store: the report's problems validate too.
    flip_a_byte_in_a_pack(&copy);
    cases.store(&copy, &["verify", "--json"], 1, "VerifyReport");
    let repair = run(
        vellum(&copy)
            .arg("repair")
            .arg("--from")
            .arg(&store)
            .arg("--json"),
        0,
    );
    cases.check("repair", &repair, "RepairSummary");
    cases.store(&store, &["reindex", "--json"], 0, "Reindexed");
}

/// The query commands, on a store of two versions of `d` and a
/// republication (a story of two documents), so that lists of stories,
/// similar documents and lineage are not empty.
fn queries(cases: &Cases) {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let a = tmp.path().join("a.txt");
    std::fs::write(&a, "The ceasefire holds.\n").unwrap();
    add(&store, &a, "d", "2020-01-01T00:00:00Z");
    std::fs::write(&a, "The ceasefire collapsed.\n").unwrap();
    add(&store, &a, "d", "2020-01-02T00:00:00Z");
    for (file, at) in [
        ("globalresearch-2019-02-12.md", "2019-02-12T13:00:00Z"),
        ("blog-repost-2019-02-12.txt", "2019-02-12T12:56:00Z"),
    ] {
        add(&store, &fixture(file), file.split('.').next().unwrap(), at);
    }
    let (original, repost) = ("globalresearch-2019-02-12", "blog-repost-2019-02-12");
    let count = |args: &[&str], def: &str| cases.store(&store, args, 0, def).len();
    assert_eq!(count(&["log", "--json"], "DocumentItem"), 3);
    assert_eq!(count(&["log", "d", "--json"], "VersionItem"), 2);
    assert_eq!(count(&["log", "d", "--json", "-p"], "VersionItem"), 2);
    assert_eq!(
        count(&["log", "d", "--json", "--captures"], "CaptureItem"),
        2
    );
    let changes = cases.store(&store, &["changes", "--json"], 0, "ChangeItem");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(count(&["show", "d@1", "--json"], "TextItem"), 1);
    assert_eq!(count(&["show", "--meta", "d"], "RecordItem"), 1);
    assert!(count(&["search", "ceasefire", "--json"], "SearchItem") >= 1);
    assert_eq!(
        count(&["search", "--stats", "--json"], "SearchStatsItem"),
        1
    );
    let similar = cases.store(&store, &["similar", repost, "--json"], 0, "SimilarAnswer");
    assert!(
        !similar[0]["results"].as_array().unwrap().is_empty(),
        "{similar:?}"
    );
    let stories = cases.store(&store, &["stories", "--json"], 0, "StoriesAnswer");
    assert!(stories[0].to_string().contains(repost), "{stories:?}");
    let (o, r) = (format!("{original}@1"), format!("{repost}@1"));
    let collated = cases.store(&store, &["collate", &o, &r, "--json"], 0, "Collation");
    assert_eq!(collated[0]["copies"].as_array().unwrap().len(), 2);
    cases.store(&store, &["diff", "d@1", "d@2", "--json"], 1, "DiffDocument");
    let diff = cases.store(
        &store,
        &["diff", "d@1", "d@2", "--format", "json"],
        1,
        "DiffDocument",
    );
    assert!(!diff[0]["ops"].as_array().unwrap().is_empty());
    cases.store(&store, &["diff", &o, &r, "--json"], 1, "DiffDocument");
}

/// add, import, watch and reextract --dry-run, each on a new store.
fn writers(cases: &Cases) {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let text = t.join("a.txt");
    std::fs::write(&text, "The ceasefire holds.\n").unwrap();
    let add = |at: &str| {
        let args = [
            "add",
            "--doc",
            "d",
            "--at",
            at,
            "--json",
            text.to_str().unwrap(),
        ];
        cases.store(&t.join("added"), &args, 0, "AddedItem")
    };
    add("2020-01-02T00:00:00Z");
    std::fs::write(&text, "The ceasefire collapsed.\n").unwrap();
    // An older capture added later: it renumbers, and says so.
    assert!(add("2020-01-01T00:00:00Z")[0]["renumbered"].is_array());

    let imported = t.join("imported");
    let lines = cases.store(
        &imported,
        &["import", "--json", WARC],
        0,
        "AddedItem|SummaryLine",
    );
    assert!(lines.len() >= 2, "captures and a summary: {lines:?}");
    assert!(lines.last().unwrap()["summary"].is_object());

    let srv = Server::start(vec![
        (
            "/rss.xml",
            Box::new(|_| ok("application/rss+xml", rss(&["/a", "/b"]))),
        ),
        ("/a", Box::new(|_| ok("text/html", page("Alpha")))),
        ("/b", Box::new(|_| ok("text/html", page("Beta")))),
    ]);
    let feed = srv.url("/rss.xml");
    let args = ["watch", "--once", "--delay", "0", "--json", &feed];
    assert_eq!(
        cases.store(&t.join("watched"), &args, 0, "AddedItem").len(),
        2
    );
    // The monitor: a check, the schedule, a document's checks.
    let (watched, a) = (t.join("watched"), srv.url("/a"));
    let args = ["recheck", "--delay", "0", "--json", &a];
    assert_eq!(cases.store(&watched, &args, 0, "CheckReport").len(), 1);
    assert_eq!(
        cases
            .store(&watched, &["schedule", "--json"], 0, "Scheduled")
            .len(),
        2
    );
    let args = ["log", &a, "--checks", "--json"];
    assert_eq!(cases.store(&watched, &args, 0, "CheckItem").len(), 1);

    let old = t.join("old");
    archive_old(
        &old,
        "story",
        "2020-01-01T00:00:00Z",
        &page("Story"),
        "Story\n\nComments (3)\n",
    );
    let args = ["reextract", "--dry-run", "--json"];
    let due = cases.store(&old, &args, 0, "DueItem");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0]["extractor"], OLD_EXTRACTOR);
}

/// extract (of a file: no store needed) and serve's first line.
fn extract_and_serve(cases: &Cases) {
    let (tmp, store) = sample_copy();
    let html = tmp.path().join("saved.html");
    std::fs::write(&html, page("Saved")).unwrap();
    let url = "https://example.org/saved";
    let args = ["extract", "--json", "--url", url, html.to_str().unwrap()];
    let e = cases.store(&store, &args, 0, "Extracted");
    assert_eq!(
        (&e[0]["type"], &e[0]["title"]),
        (&json!("html"), &json!("Saved"))
    );
    let text = fixture("blog-repost-2019-02-12.txt");
    let e = cases.store(
        &store,
        &["extract", "--json", text.to_str().unwrap()],
        0,
        "Extracted",
    );
    assert_eq!(e[0]["type"], "text");

    let mut child = vellum_process(&store)
        .args(["serve", "--addr", "127.0.0.1:0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    let _ = child.kill();
    let status = child.wait().unwrap();
    read.unwrap();
    let output = Output {
        status,
        stdout: line.into_bytes(),
        stderr: Vec::new(),
    };
    let first = cases.check("serve --json", &output, "Listening");
    assert!(
        first[0]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
}

fn page(title: &str) -> String {
    let words: Vec<String> = (0..80).map(|i| format!("{title}{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>{title}</title></head><body>\
         <nav><a href=/>Home</a></nav><article><h1>{title}</h1><p>{}.</p></article>\
         <section class=comments><h2>Comments (3)</h2></section></body></html>",
        words.join(" ")
    )
}

fn flip_a_byte_in_a_pack(store: &Path) {
    let pack = walk(&store.join("objects"))
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .expect("a pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&pack, bytes).unwrap();
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The commands whose `--help` offers `--json`.
fn commands_with_json() -> Vec<String> {
    let help = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::cargo_bin("vellum").unwrap();
        String::from_utf8(cmd.env("NO_COLOR", "1").args(args).output().unwrap().stdout).unwrap()
    };
    // Command lines are indented by two spaces, under one heading or several,
    // between the usage line and the options.
    let top = help(&["--help"]);
    let commands = top
        .lines()
        .skip_while(|l| !l.starts_with("Usage:"))
        .take_while(|l| !l.starts_with("Options:"))
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert!(commands.len() > 10, "no command list in --help:\n{top}");
    commands
        .into_iter()
        .filter(|c| {
            help(&[c, "--help"])
                .lines()
                .any(|l| l.trim_start().starts_with('-') && l.contains("--json"))
        })
        .collect()
}
