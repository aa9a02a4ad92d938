//! Batch files: JSON Lines, one capture per line, for large imports.
//!
//! A line is checked whole, and every problem in it is reported in plain
//! words under the name of the field it concerns, so that a user fixing a
//! batch of thousands of lines sees all of them at once.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use time::OffsetDateTime;

use super::{DocName, slug};

pub use crate::when::parse_time;

/// The keys a batch line may have.
pub const KNOWN_KEYS: [&str; 7] = [
    "path",
    "doc",
    "captured_at",
    "url",
    "source",
    "title",
    "meta",
];

/// Most `meta` entries one capture may carry.
pub const MAX_META_KEYS: usize = 32;
/// Longest `meta` key, in bytes.
pub const MAX_META_KEY_LEN: usize = 64;
/// Longest `meta` value, in bytes (an archive URL fits; a document does not).
pub const MAX_META_VALUE_LEN: usize = 2048;

/// One line of a batch file: `{"path": ..., "doc": ..., "captured_at": ...,
/// "url": ..., "source": ..., "title": ..., "meta": {...}}` (only path required).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLine {
    pub path: PathBuf,
    /// `doc`, else named as a single `add` would: see [`default_doc`].
    pub doc: DocName,
    pub captured_at: Option<OffsetDateTime>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub meta: BTreeMap<String, String>,
}

impl BatchLine {
    /// The capture time, or `default` when the line has none.
    pub fn time(&self, default: OffsetDateTime) -> OffsetDateTime {
        self.captured_at.unwrap_or(default)
    }
}

/// One thing wrong with a batch line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key concerned; `None` when the line as a whole is wrong.
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(field: Option<&str>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The document name a capture gets when none is given, by the rules of a
/// single `add`: a slug of its URL, else of its file name (without extension).
pub fn default_doc(url: Option<&str>, path: Option<&Path>) -> Option<DocName> {
    if let Some(u) = url {
        return slug(u);
    }
    let stem = path?.file_stem()?.to_string_lossy().into_owned();
    slug(&stem)
}

/// Parses a whole batch file: each non-blank line with its number (from 1)
/// and the line or every problem found in it. Lines stand alone: a bad one
/// says nothing about the others.
pub fn parse_lines(text: &[u8]) -> Vec<(usize, Result<BatchLine, Vec<Problem>>)> {
    let mut out = Vec::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let Ok(line) = std::str::from_utf8(raw) else {
            out.push((n, Err(vec![Problem::new(None, "not UTF-8 text")])));
            continue;
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        match parse_line(line) {
            Ok(None) => {}
            Ok(Some(b)) if b.path.as_os_str() == "-" => out.push((
                n,
                Err(vec![Problem::new(
                    Some("path"),
                    "\"-\" (standard input) cannot be used in a batch; name a file",
                )]),
            )),
            Ok(Some(b)) => out.push((n, Ok(b))),
            Err(problems) => out.push((n, Err(problems))),
        }
    }
    out
}

const EXAMPLE: &str = r#"{"path": "captures/a.md", "doc": "south-front"}"#;

/// Parses one batch line. `Ok(None)` for a blank line; otherwise the line,
/// or every problem found in it.
pub fn parse_line(line: &str) -> Result<Option<BatchLine>, Vec<Problem>> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(line).map_err(|e| vec![json_problem(line, &e)])?;
    let Value::Object(obj) = value else {
        return Err(vec![Problem::new(
            None,
            format!("each line must be one JSON object, such as {EXAMPLE}"),
        )]);
    };
    let mut problems = Vec::new();
    let mut string = |key: &str| -> Option<String> {
        match obj.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null if key != "path" && key != "doc" => None,
            other => {
                problems.push(Problem::new(
                    Some(key),
                    format!("must be a string (in double quotes), not {}", kind(other)),
                ));
                None
            }
        }
    };
    let path = string("path");
    let doc = string("doc");
    let captured_at = string("captured_at");
    let url = string("url");
    let source = string("source");
    let title = string("title");

    for key in obj.keys() {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            let mut shown: String = key.chars().take(40).collect();
            if key.chars().count() > 40 {
                shown.push('…');
            }
            problems.push(Problem::new(
                Some(&shown),
                format!("unknown key; the known keys are {}", KNOWN_KEYS.join(", ")),
            ));
        }
    }
    let path = match path {
        Some(p) if p.is_empty() => {
            problems.push(Problem::new(Some("path"), "is empty"));
            None
        }
        Some(p) => Some(PathBuf::from(p)),
        None => {
            if !obj.contains_key("path") {
                problems.push(Problem::new(
                    Some("path"),
                    "missing: every line names the file to archive",
                ));
            }
            None
        }
    };
    let captured_at = captured_at.and_then(|t| match parse_time(&t) {
        Ok(t) => Some(t),
        Err(e) => {
            problems.push(Problem::new(Some("captured_at"), e));
            None
        }
    });
    let doc = match doc {
        Some(d) => DocName::normalized(&d).map_err(|e| e.to_string()),
        None if obj.contains_key("doc") => Err(String::new()), // reported as not a string
        None => default_doc(url.as_deref(), path.as_deref()).ok_or_else(|| {
            if path.is_none() {
                String::new() // the missing path says it all
            } else {
                "missing, and no document name can be made from the url or file name; add \"doc\""
                    .into()
            }
        }),
    };
    let doc = match doc {
        Ok(d) => Some(d),
        Err(e) => {
            if !e.is_empty() {
                problems.push(Problem::new(Some("doc"), e));
            }
            None
        }
    };
    let meta = match obj.get("meta") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(v) => parse_meta(v, &mut problems),
    };
    match (problems.is_empty(), path, doc) {
        (true, Some(path), Some(doc)) => Ok(Some(BatchLine {
            path,
            doc,
            captured_at,
            url,
            source,
            title,
            meta,
        })),
        _ => Err(problems),
    }
}

fn parse_meta(v: &Value, problems: &mut Vec<Problem>) -> BTreeMap<String, String> {
    let mut meta = BTreeMap::new();
    let Value::Object(obj) = v else {
        problems.push(Problem::new(
            Some("meta"),
            format!(
                "must be an object of strings, such as {{\"job\": \"42\"}}, not {}",
                kind(v)
            ),
        ));
        return meta;
    };
    if obj.len() > MAX_META_KEYS {
        problems.push(Problem::new(
            Some("meta"),
            format!(
                "has {} keys; at most {MAX_META_KEYS} are kept per capture",
                obj.len()
            ),
        ));
        return meta;
    }
    for (k, v) in obj {
        let mut shown: String = k.chars().take(40).collect();
        if k.chars().count() > 40 {
            shown.push('…');
        }
        let field = format!("meta.{shown}");
        if k.is_empty() || k.len() > MAX_META_KEY_LEN || k.chars().any(char::is_control) {
            problems.push(Problem::new(
                Some(&field),
                format!("keys must be 1-{MAX_META_KEY_LEN} bytes long, without control characters"),
            ));
            continue;
        }
        match v {
            Value::String(s) if s.len() > MAX_META_VALUE_LEN => problems.push(Problem::new(
                Some(&field),
                format!(
                    "is {} bytes long; values are kept up to {MAX_META_VALUE_LEN} bytes",
                    s.len()
                ),
            )),
            Value::String(s) => {
                meta.insert(k.clone(), s.clone());
            }
            other => problems.push(Problem::new(
                Some(&field),
                format!("must be a string (in double quotes), not {}", kind(other)),
            )),
        }
    }
    meta
}

/// A JSON value's kind, as a user would name it.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message in plain words: where the line stops being JSON.
fn json_problem(line: &str, e: &serde_json::Error) -> Problem {
    let message = if !line.trim_start().starts_with('{') {
        format!("not a JSON object; each line must be one, such as {EXAMPLE}")
    } else if e.is_eof() {
        "the JSON object is cut short (each line must hold one whole object, closed with '}')"
            .to_owned()
    } else {
        format!(
            "not valid JSON at column {} (check the quotes, commas and braces there)",
            e.column()
        )
    };
    Problem::new(None, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(line: &str) -> Vec<String> {
        parse_line(line)
            .unwrap_err()
            .iter()
            .map(Problem::to_string)
            .collect()
    }

    #[test]
    fn lines() {
        let l = parse_line(
            r#"{"path": "a.md", "doc": "a", "captured_at": "2019-02-12T12:56:00+01:00"}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(l.doc.as_str(), "a");
        assert_eq!(
            l.time(OffsetDateTime::UNIX_EPOCH).unix_timestamp(),
            1549972560
        );
        assert_eq!(parse_line("  ").unwrap(), None);
        let l = parse_line(r#"{"path": "a.md", "captured_at": "2019-02-12"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            l.time(OffsetDateTime::UNIX_EPOCH).unix_timestamp(),
            1549929600
        );
        for bad in [
            "{}",
            r#"{"path": "a", "doc": "../x"}"#,
            r#"{"path": "a", "doc": "a", "extra": 1}"#,
            "[1]",
        ] {
            assert!(parse_line(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn doc_defaults_as_for_a_single_add() {
        let l = parse_line(r#"{"path": "dir/South Front.md"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(l.doc.as_str(), "south-front");
        let l = parse_line(r#"{"path": "a.md", "url": "https://www.example.org/x/y"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(l.doc.as_str(), "example-org-x-y");
        // File names in any script give names in that script (issue 24).
        let l = parse_line(r#"{"path": "日本.md"}"#).unwrap().unwrap();
        assert_eq!(l.doc.as_str(), "日本");
        assert_eq!(
            problems(r#"{"path": "😀.md"}"#),
            [
                "doc: missing, and no document name can be made from the url or file name; add \"doc\""
            ]
        );
    }

    #[test]
    fn every_problem_of_a_line_is_named_by_its_field() {
        let p = problems(
            r#"{"doc": "../x", "captured_at": "yesterday", "colour": 1, "title": 3, "meta": {"job": 42}}"#,
        );
        assert_eq!(p.len(), 6, "{p:#?}");
        assert!(p.iter().any(|m| m.starts_with("path: missing")));
        assert!(
            p.iter()
                .any(|m| m.starts_with("doc: invalid document name"))
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("captured_at: invalid time \"yesterday\""))
        );
        assert!(p.iter().any(|m| m
            == "colour: unknown key; the known keys are path, doc, captured_at, url, source, title, meta"));
        assert!(
            p.iter()
                .any(|m| m == "title: must be a string (in double quotes), not a number")
        );
        assert!(
            p.iter()
                .any(|m| m == "meta.job: must be a string (in double quotes), not a number")
        );
        for m in &p {
            assert!(!m.contains("expected") && !m.contains('`'), "jargon: {m}");
        }
    }

    #[test]
    fn broken_json_in_plain_words() {
        let p = problems("not json");
        assert!(p[0].starts_with("not a JSON object"), "{p:?}");
        let p = problems(r#"{"path": "a.md""#);
        assert!(p[0].contains("cut short"), "{p:?}");
        let p = problems(r#"{"path": "a.md" "doc": "a"}"#);
        assert!(p[0].contains("column 17"), "{p:?}");
        assert!(problems("[1]")[0].contains("must be one JSON object"));
    }

    #[test]
    fn meta_is_kept_and_bounded() {
        let l = parse_line(r#"{"path": "a.md", "meta": {"job": "42", "archive": "https://w/x"}}"#)
            .unwrap()
            .unwrap();
        assert_eq!(l.meta.len(), 2);
        assert_eq!(l.meta["job"], "42");
        let many: Vec<String> = (0..=MAX_META_KEYS)
            .map(|i| format!("\"k{i}\": \"v\""))
            .collect();
        let p = problems(&format!(
            r#"{{"path": "a.md", "meta": {{{}}}}}"#,
            many.join(",")
        ));
        assert!(p[0].starts_with("meta: has 33 keys"), "{p:?}");
        let long = "v".repeat(MAX_META_VALUE_LEN + 1);
        let p = problems(&format!(r#"{{"path": "a.md", "meta": {{"k": "{long}"}}}}"#));
        assert!(p[0].starts_with("meta.k: is 2049 bytes long"), "{p:?}");
        let p = problems(&format!(
            r#"{{"path": "a.md", "meta": {{"{}": "v"}}}}"#,
            "k".repeat(65)
        ));
        assert!(p[0].contains("keys must be 1-64 bytes"), "{p:?}");
        assert!(
            problems(r#"{"path": "a.md", "meta": ["x"]}"#)[0]
                .starts_with("meta: must be an object")
        );
    }
}
