//! Every `--json` output of the real binary validates against its entry in
//! the JSON schema (`vellum::schema`), and the committed schema file
//! `docs/schema/vellum-v1.json` is the one the types generate.
//!
//! A case is one line in `every_json_output_validates`: the command's
//! arguments and the `$defs` entry each printed value must satisfy (JSON
//! Lines: each line; a pretty-printed document: the whole). Commands that
//! print `--json` but have no case yet are listed in `AWAITING`, so a new
//! `--json` cannot go unvalidated.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{PAIR_DOC, sample_copy, vellum};
use serde_json::{Value, json};

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema/vellum-v1.json");

/// Commands with a `--json` whose output is still built by hand in the CLI
/// (other branches are moving them into the library); each gets a case
/// when its library type is in `vellum::schema`'s list.
const AWAITING: &[&str] = &[
    "add",
    "collate",
    "diff",
    "export",
    "extract",
    "import",
    "log",
    "reextract",
    "reindex",
    "search",
    "serve",
    "show",
    "similar",
    "stories",
    "watch",
];

fn validator(def: &str) -> jsonschema::Validator {
    let schema = vellum::schema::item_schema(def)
        .unwrap_or_else(|| panic!("{def} is not an item type of vellum::schema"));
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// The reasons `value` is not a valid `def`, one per line (empty: valid).
fn violations(def: &str, value: &Value) -> String {
    validator(def)
        .iter_errors(value)
        .map(|e| format!("  at {:?}: {e}\n", e.instance_path().to_string()))
        .collect()
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

fn store_case(store: &Path, args: &[&str], code: i32, def: &str) {
    let output = run(vellum(store).args(args), code);
    assert_valid(&args.join(" "), &output, def);
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
    let (tmp, store) = sample_copy();
    let t = tmp.path();
    let at1 = format!("{PAIR_DOC}@1");

    store_case(&store, &["verify", "--json"], 0, "VerifyReport");
    store_case(&store, &["root", "--json"], 0, "LogRoot");
    store_case(&store, &["proof", &at1], 0, "ProofFile");
    store_case(&store, &["proof", "--consistency", "1"], 0, "ProofFile");

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
        assert_valid("check-proof", &output, "ProofCheck");
        values(&output.stdout).remove(0)
    };
    let holds = check(&[], 0);
    assert_eq!(holds["holds"], true);
    assert!(!holds["statements"].as_array().unwrap().is_empty());
    let fails = check(&["--root", &"00".repeat(32)], 1);
    assert_eq!(fails["holds"], false);
    assert!(fails["failure"].as_str().unwrap().contains("not a root"));

    let new = t.join("new");
    let init = |code| run(vellum(&store).arg("init").arg(&new).arg("--json"), code);
    assert_valid("init (new)", &init(0), "Initialized");
    assert_valid("init (existing)", &init(0), "Initialized");

    let copy = t.join("copy");
    let push = run(vellum(&store).arg("push").arg(&copy).arg("--json"), 0);
    assert_valid("push", &push, "SyncSummary");
    let pulled = t.join("pulled");
    let pull = run(vellum(&pulled).arg("pull").arg(&store).arg("--json"), 0);
    assert_valid("pull", &pull, "SyncSummary");

    // A damaged store: the report's problems validate too.
    flip_a_byte_in_a_pack(&copy);
    store_case(&copy, &["verify", "--json"], 1, "VerifyReport");
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

#[test]
fn every_command_with_json_has_a_case_or_awaits_one() {
    let covered = [
        "check-proof",
        "init",
        "proof",
        "pull",
        "push",
        "root",
        "verify",
    ];
    for c in commands_with_json() {
        assert!(
            covered.contains(&c.as_str()) || AWAITING.contains(&c.as_str()),
            "`vellum {c}` prints --json but no case in every_json_output_validates checks it \
             against the schema: add its library type to vellum::schema and a case here"
        );
    }
}
