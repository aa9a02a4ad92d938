//! Every `--json` output of log, show, search, similar and stories is one of
//! the library's item types and validates against the JSON Schema generated
//! from it (no field the schema does not declare).

mod common;

use std::path::Path;

use common::{add, fixture, stdout_of, vellum};
use schemars::JsonSchema;
use serde_json::Value;
use vellum::query::Collation;
use vellum::query::items::{
    CaptureItem, DocumentItem, RecordItem, SearchItem, SearchStatsItem, SimilarAnswer,
    StoriesAnswer, TextItem, VersionItem,
};

/// Checks `instance` against `T`'s schema; where the schema lists its
/// properties and allows no others implicitly, every key must be listed.
fn check<T: JsonSchema>(instance: &Value, what: &str) {
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    if let Err(e) = validator.validate(instance) {
        panic!("{what}: {e}\n{instance}");
    }
    if let (Some(props), None, Some(obj)) = (
        schema["properties"].as_object(),
        schema.get("additionalProperties"),
        instance.as_object(),
    ) {
        for k in obj.keys() {
            assert!(props.contains_key(k), "{what}: {k} is not in the schema");
        }
    }
}

fn lines<T: JsonSchema>(store: &Path, args: &[&str]) -> usize {
    let out = stdout_of(vellum(store).args(args));
    let mut n = 0;
    for l in out.lines() {
        check::<T>(&serde_json::from_str(l).unwrap(), &args.join(" "));
        n += 1;
    }
    n
}

#[test]
fn every_json_output_validates_against_its_item_schema() {
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
    assert_eq!(lines::<DocumentItem>(&store, &["log", "--json"]), 3);
    assert_eq!(lines::<VersionItem>(&store, &["log", "d", "--json"]), 2);
    assert_eq!(
        lines::<VersionItem>(&store, &["log", "d", "--json", "-p"]),
        2
    );
    assert_eq!(
        lines::<CaptureItem>(&store, &["log", "d", "--json", "--captures"]),
        2
    );
    assert_eq!(lines::<TextItem>(&store, &["show", "d@1", "--json"]), 1);
    let meta: Value =
        serde_json::from_str(&stdout_of(vellum(&store).args(["show", "--meta", "d"]))).unwrap();
    check::<RecordItem>(&meta, "show --meta");
    assert!(lines::<SearchItem>(&store, &["search", "ceasefire", "--json"]) >= 1);
    assert_eq!(
        lines::<SearchStatsItem>(&store, &["search", "--stats", "--json"]),
        1
    );
    assert_eq!(
        lines::<SimilarAnswer>(&store, &["similar", "blog-repost-2019-02-12", "--json"]),
        1
    );
    assert_eq!(lines::<StoriesAnswer>(&store, &["stories", "--json"]), 1);
    assert_eq!(
        lines::<Collation>(&store, &["collate", "d@1", "d@2", "--json"]),
        1
    );
}
