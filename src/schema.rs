//! The JSON schema of every item vellum prints with `--json` (and that the
//! HTTP API serves as its items): one JSON Schema document (draft 2020-12),
//! generated from the library types themselves, so the schema cannot drift
//! from the output. It is committed as `docs/schema/vellum-v1.json`;
//! `tests/json_schema.rs` checks that file against [`document`] and every
//! `--json` output of the binary against its entry.
//!
//! # Adding an item type: one line in [`ITEMS`]
//!
//! 1. Derive `serde::Serialize` and `schemars::JsonSchema` on the library
//!    type the command prints (its fields' types too). A time is written
//!    as RFC 3339 text; schemars cannot see serde's `with`, so say so:
//!
//!    ```
//!    #[derive(serde::Serialize, schemars::JsonSchema)]
//!    struct Seen {
//!        #[serde(with = "time::serde::rfc3339")]
//!        #[schemars(with = "String", extend("format" = "date-time"))]
//!        at: time::OffsetDateTime,
//!    }
//!    let schema = schemars::schema_for!(Seen).to_value();
//!    assert_eq!(schema["properties"]["at"]["format"], "date-time");
//!    ```
//!
//! 2. Add ONE line `item::<crate::path::Type>,` to [`ITEMS`], in path
//!    order; the type's doc comment says which commands print it (it
//!    becomes the entry's description). Its `$defs` entry is named after
//!    the type: give it a name no other item or part uses
//!    (`#[schemars(rename = "...")]`), since the API and scripts refer to it.
//! 3. Regenerate the committed file:
//!    `VELLUM_WRITE_SCHEMA=1 cargo test --test json_schema`, and add a case
//!    for the command to `tests/json_schema.rs`.
//!
//! # Version rule
//!
//! Additive changes (a new item type, a new field, a new enum value that
//! old readers may ignore) keep [`VERSION`]. Removing or renaming a field,
//! or changing its type, makes a new version (`v2`), with a new file.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

/// The schema's version, in its `$id`, title and file name.
pub const VERSION: &str = "v1";

/// The schema's `$id`.
pub const ID: &str = "urn:vellum:schema:v1";

/// Adds one item type to the generator's definitions and returns its
/// reference (`{"$ref": "#/$defs/Name"}`).
type Item = fn(&mut SchemaGenerator) -> Schema;

fn item<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// THE LIST: every item type a `--json` prints, one line each, sorted by
/// path (see the module documentation; the type's own doc comment names
/// the commands that print it).
const ITEMS: &[Item] = &[
    item::<crate::capture::AddedItem>,
    item::<crate::capture::Extracted>,
    item::<crate::capture::reextract::DueItem>,
    item::<crate::custody::LogRoot>,
    item::<crate::custody::proof::ProofCheck>,
    item::<crate::custody::proof::ProofFile>,
    item::<crate::monitor::CheckReport>,
    item::<crate::monitor::Scheduled>,
    item::<crate::query::Collation>,
    item::<crate::query::checks::CheckItem>,
    item::<crate::query::items::CaptureItem>,
    item::<crate::query::items::DocumentItem>,
    item::<crate::query::items::RecordItem>,
    item::<crate::query::items::SearchItem>,
    item::<crate::query::items::SearchStatsItem>,
    item::<crate::query::items::SimilarAnswer>,
    item::<crate::query::items::StoriesAnswer>,
    item::<crate::query::items::TextItem>,
    item::<crate::query::items::VersionItem>,
    item::<crate::render::json::Document<'static>>,
    item::<crate::significance::Change>,
    item::<crate::store::Initialized>,
    item::<crate::store::Reindexed>,
    item::<crate::store::repair::RepairSummary>,
    item::<crate::store::sync::SyncSummary>,
    item::<crate::store::verify::VerifyReport>,
    item::<crate::warc::importer::SummaryLine<'static>>,
    item::<crate::web::Listening>,
];

/// The whole schema document: `$defs` holds every item type (and the
/// types they refer to); the document itself accepts any one item.
pub fn document() -> Value {
    let mut generator = generator();
    let refs: Vec<Value> = ITEMS
        .iter()
        .map(|item| item(&mut generator).to_value())
        .collect();
    let names: Vec<&str> = refs.iter().map(def_name).collect();
    let defs = generator.take_definitions(true);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": ID,
        "title": format!("vellum JSON items, {VERSION}"),
        "description": format!(
            "Every item vellum prints with --json (one per line where a command prints \
             several), and the HTTP API serves. Validate an item against its entry in $defs; \
             items: {}. Additive changes keep {VERSION}; removing or renaming a field makes a \
             new version.",
            names.join(", ")
        ),
        "anyOf": refs,
        "$defs": Value::Object(defs),
    })
}

/// The names of the item types, as their `$defs` entries are named.
pub fn item_names() -> Vec<String> {
    let mut generator = generator();
    ITEMS
        .iter()
        .map(|item| def_name(&item(&mut generator).to_value()).to_owned())
        .collect()
}

/// A standalone schema for one item type (the whole document, checking
/// that item), or `None` when `name` is not an item type.
pub fn item_schema(name: &str) -> Option<Value> {
    if !item_names().iter().any(|n| n == name) {
        return None;
    }
    let mut doc = document();
    let obj: &mut Map<String, Value> = doc.as_object_mut().expect("an object");
    obj.remove("anyOf");
    obj.insert("$ref".into(), json!(format!("#/$defs/{name}")));
    Some(doc)
}

/// Items are output: their schema is what serialization writes.
fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
}

fn def_name(reference: &Value) -> &str {
    reference
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .expect("an item type is a named definition (a struct or enum), not an inline schema")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_validate_as_they_serialize() {
        let id = crate::store::CaptureId(crate::id::ObjectId::of(b"a record"));
        let schema = generator().into_root_schema_for::<crate::store::CaptureId>();
        let validator = jsonschema::validator_for(&schema.to_value()).unwrap();
        assert!(validator.is_valid(&serde_json::to_value(id).unwrap()));
        assert!(!validator.is_valid(&json!(id.to_string().to_uppercase())));
        assert!(!validator.is_valid(&json!(id.0.short())));
    }

    #[test]
    fn every_item_has_a_definition() {
        let doc = document();
        let names = item_names();
        assert_eq!(names.len(), ITEMS.len());
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            names.len(),
            "two items share a name: {names:?}"
        );
        for name in &names {
            assert!(
                doc["$defs"].get(name).is_some(),
                "no $defs entry for {name}"
            );
        }
        assert!(item_schema("NoSuchItem").is_none());
        assert_eq!(
            item_schema(&names[0]).unwrap()["$ref"],
            format!("#/$defs/{}", names[0])
        );
    }
}
