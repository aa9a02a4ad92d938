//! `/api/v1/openapi.json`: the OpenAPI 3.1 document of the API. Its
//! schemas are not written here: `components.schemas` holds the JSON
//! schema of [`crate::schema`] (generated from the library's types), the
//! page envelopes and the problem details, generated the same way.

use std::sync::{Arc, OnceLock};

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::params::Params;
use super::problem::{PROBLEM_JSON, Problem};
use super::{ApiError, Json, json_response};
use crate::query::items::{CaptureItem, DocumentItem, SearchItem, StoryItem, VersionItem};
use crate::query::paging::{DEFAULT_LIMIT, MAX_LIMIT, Page};
use crate::web::App;

/// The API's version (in `info.version`): the schema's.
pub const VERSION: &str = crate::schema::VERSION;

pub async fn serve(
    State(_): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    static BODY: OnceLock<Vec<u8>> = OnceLock::new();
    let body = BODY.get_or_init(|| serde_json::to_vec(&document()).unwrap_or_default());
    let json = Json {
        body: body.clone(),
        next: None,
    };
    Ok(json_response(&req, json, None))
}

/// The whole OpenAPI document.
pub fn document() -> Value {
    let mut paths = listing_paths();
    paths.extend(item_paths());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "vellum archive API",
            "version": VERSION,
            "description": "Read-only JSON API of a vellum archive (`vellum serve`). Items are \
                the JSON items `vellum --json` prints (schema urn:vellum:schema:v1). Listings \
                are pages `{items, next}`: pass `next` back as `cursor` (the next page's address \
                is also in a `Link: <…>; rel=\"next\"` header). Errors are \
                application/problem+json (RFC 9457). A capture's bytes and text are immutable \
                (ETag, a year's max-age); other answers carry an ETag and are revalidated.",
            "license": {"name": "see the vellum repository"}
        },
        "servers": [{"url": "/"}],
        "paths": Value::Object(paths),
        "components": {"schemas": Value::Object(schemas())},
    })
}

/// Every schema the API refers to, under `#/components/schemas/`.
pub fn schemas() -> Map<String, Value> {
    let mut defs = match crate::schema::document().get_mut("$defs").map(Value::take) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    generator.subschema_for::<Page<DocumentItem>>();
    generator.subschema_for::<Page<VersionItem>>();
    generator.subschema_for::<Page<CaptureItem>>();
    generator.subschema_for::<Page<SearchItem>>();
    generator.subschema_for::<Page<StoryItem>>();
    generator.subschema_for::<Problem>();
    for (name, schema) in generator.take_definitions(true) {
        // The items' own entries are those of the committed schema.
        defs.entry(name).or_insert(schema);
    }
    let mut v = Value::Object(defs);
    rebase(&mut v);
    match v {
        Value::Object(m) => m,
        _ => unreachable!("an object stays an object"),
    }
}

/// `#/$defs/X` → `#/components/schemas/X`.
fn rebase(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Value::String(s) if k == "$ref" => {
                        if let Some(name) = s.strip_prefix("#/$defs/") {
                            *s = format!("#/components/schemas/{name}");
                        }
                    }
                    _ => rebase(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(rebase),
        _ => {}
    }
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn param(name: &str, place: &str, required: bool, description: &str, schema: Value) -> Value {
    json!({
        "name": name, "in": place, "required": required,
        "description": description, "schema": schema,
    })
}

fn query(name: &str, description: &str) -> Value {
    param(name, "query", false, description, json!({"type": "string"}))
}

fn flag(name: &str, description: &str) -> Value {
    param(
        name,
        "query",
        false,
        description,
        json!({"type": "string", "enum": ["1", "0", "true", "false", "yes", "no", "on", "off"]}),
    )
}

fn paging() -> [Value; 2] {
    [
        query(
            "cursor",
            "The `next` of the page before (opaque); absent for the first page.",
        ),
        param(
            "limit",
            "query",
            false,
            &format!("Items per page (default {DEFAULT_LIMIT})."),
            json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        ),
    ]
}

fn errors() -> Value {
    let problem = json!({
        "description": "A problem (RFC 9457); the status follows the error's kind.",
        "content": {PROBLEM_JSON: {"schema": schema_ref("ProblemDetails")}},
    });
    json!({"4XX": problem.clone(), "5XX": problem})
}

/// A GET answering JSON of schema `name` (a page when `paged`).
fn get(summary: &str, id: &str, params: Vec<Value>, name: &str, paged: bool) -> Value {
    let mut headers = json!({
        "ETag": {"description": "The answer's tag, for If-None-Match.", "schema": {"type": "string"}},
    });
    if paged {
        headers["Link"] = json!({
            "description": "`<URL>; rel=\"next\"` when another page follows (RFC 8288).",
            "schema": {"type": "string"},
        });
    }
    let mut responses = json!({
        "200": {
            "description": summary,
            "headers": headers,
            "content": {"application/json": {"schema": schema_ref(name)}},
        },
        "304": {"description": "Not modified (If-None-Match)."},
    });
    if let (Some(r), Value::Object(e)) = (responses.as_object_mut(), errors()) {
        r.extend(e);
    }
    json!({"get": {
        "summary": summary, "operationId": id, "parameters": params, "responses": responses,
    }})
}

/// A GET answering immutable bytes of `media`.
fn get_bytes(summary: &str, id: &str, media: &str) -> Value {
    let mut responses = json!({
        "200": {
            "description": summary,
            "headers": {
                "ETag": {"description": "Never changes.", "schema": {"type": "string"}},
                "Cache-Control": {"description": "A year, immutable.", "schema": {"type": "string"}},
            },
            "content": {media: {"schema": {"type": "string"}}},
        },
        "304": {"description": "Not modified (If-None-Match)."},
    });
    if let (Some(r), Value::Object(e)) = (responses.as_object_mut(), errors()) {
        r.extend(e);
    }
    json!({"get": {
        "summary": summary, "operationId": id, "parameters": [capture_param()],
        "responses": responses,
    }})
}

fn capture_param() -> Value {
    param(
        "id",
        "path",
        true,
        "A capture id: all 64 hex digits.",
        json!({"type": "string", "pattern": "^[0-9a-f]{64}$"}),
    )
}

fn doc_param() -> Value {
    param(
        "name",
        "path",
        true,
        "A document's name (or its URL, percent-encoded).",
        json!({"type": "string"}),
    )
}

fn listing_paths() -> Map<String, Value> {
    let [cursor, limit] = paging();
    let mut p = Map::new();
    p.insert(
        "/api/v1/documents".into(),
        get(
            "Documents with their counts, by name, paged.",
            "listDocuments",
            vec![
                query("q", "Text the name or title holds (case folded)."),
                query("url", "A URL the document was captured from."),
                query("source", "A source some version names."),
                query(
                    "since",
                    "Documents captured at or after this time (RFC 3339, or a date).",
                ),
                query(
                    "until",
                    "Documents captured at or before this time (a date: that whole day).",
                ),
                cursor.clone(),
                limit.clone(),
            ],
            "DocumentItemPage",
            true,
        ),
    );
    let mut versions = get(
        "A document's versions, oldest first (with captures=1: every capture, a CaptureItemPage), paged.",
        "listVersions",
        vec![
            doc_param(),
            flag(
                "captures",
                "List every capture (sighting), not one item per version.",
            ),
            cursor.clone(),
            limit.clone(),
        ],
        "VersionItemPage",
        true,
    );
    versions["get"]["responses"]["200"]["content"]["application/json"]["schema"] = json!({
        "oneOf": [schema_ref("VersionItemPage"), schema_ref("CaptureItemPage")]
    });
    p.insert("/api/v1/documents/{name}/versions".into(), versions);
    p.insert(
        "/api/v1/search".into(),
        get(
            "Full-text search: paragraphs holding every term, best first, paged.",
            "search",
            vec![
                param(
                    "q",
                    "query",
                    true,
                    "Words, \"exact phrases\", prefix*.",
                    json!({"type": "string", "maxLength": 500}),
                ),
                query("doc", "Only this document (its name or URL)."),
                flag("all_versions", "Also the text only older versions hold."),
                cursor.clone(),
                limit.clone(),
            ],
            "SearchItemPage",
            true,
        ),
    );
    p.insert(
        "/api/v1/stories".into(),
        get(
            "Stories (documents carrying the same text), largest first, with their lineage, paged.",
            "listStories",
            vec![
                flag("all", "Also documents that are a story of their own."),
                cursor,
                limit,
            ],
            "StoryItemPage",
            true,
        ),
    );
    p
}

fn item_paths() -> Map<String, Value> {
    let mut p = Map::new();
    p.insert(
        "/api/v1/openapi.json".into(),
        json!({"get": {
            "summary": "This document.", "operationId": "openapi",
            "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                "content": {"application/json": {"schema": {"type": "object"}}}}},
        }}),
    );
    p.insert(
        "/api/v1/documents/{name}".into(),
        get(
            "One document's summary.",
            "getDocument",
            vec![doc_param()],
            "DocumentItem",
            false,
        ),
    );
    p.insert(
        "/api/v1/captures/{id}".into(),
        get(
            "A capture's record, with its version and story.",
            "getCapture",
            vec![capture_param()],
            "RecordItem",
            false,
        ),
    );
    p.insert(
        "/api/v1/captures/{id}/raw".into(),
        get_bytes(
            "The capture's bytes exactly as received (a download).",
            "getCaptureRaw",
            "application/octet-stream",
        ),
    );
    p.insert(
        "/api/v1/captures/{id}/text".into(),
        get_bytes(
            "The capture's text (what versions compare).",
            "getCaptureText",
            "text/plain",
        ),
    );
    let address = |name: &str, what: &str| {
        param(
            name,
            "query",
            true,
            what,
            json!({"type": "string", "maxLength": 2048}),
        )
    };
    p.insert(
        "/api/v1/diff".into(),
        get(
            "The diff model of two addresses (what `vellum diff --json` prints).",
            "diff",
            vec![
                address("a", "The old side: DOC, DOC@N, DOC@-K, DOC@TIME, a capture id or an archived URL."),
                address("b", "The new side."),
                param("ignore", "query", false, "Normalizations, comma-separated: case, whitespace, typography, markup.",
                    json!({"type": "string", "pattern": "^( *(case|whitespace|typography|markup)? *)(,( *(case|whitespace|typography|markup)? *))*$"})),
            ],
            "DiffDocument",
            false,
        ),
    );
    p.insert(
        "/api/v1/similar".into(),
        get(
            "Documents sharing text with an archived one (what `vellum similar --json` prints).",
            "similar",
            vec![
                address(
                    "doc",
                    "An address (DOC, DOC@N, capture id) or an archived URL.",
                ),
                param(
                    "limit",
                    "query",
                    false,
                    "Documents listed (default 10).",
                    json!({"type": "integer", "minimum": 1, "maximum": 100}),
                ),
            ],
            "SimilarAnswer",
            false,
        ),
    );
    p.insert(
        "/api/v1/root".into(),
        get(
            "The archive log's size and root (to publish).",
            "root",
            vec![],
            "LogRoot",
            false,
        ),
    );
    p.insert(
        "/api/v1/proof/{address}".into(),
        get(
            "The proof that a capture is in the archive log (check it with `vellum check-proof`).",
            "proof",
            vec![
                param(
                    "address",
                    "path",
                    true,
                    "The capture: DOC, DOC@N, a capture id…",
                    json!({"type": "string"}),
                ),
                param(
                    "size",
                    "query",
                    false,
                    "Against the log of this many entries (default: the whole log).",
                    json!({"type": "integer", "minimum": 1}),
                ),
            ],
            "ProofFile",
            false,
        ),
    );
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every reference points at a schema the document holds.
    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 20);
        for r in refs {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{r} is not a component"));
            assert!(schemas.contains_key(name), "no schema {name}");
        }
        for page in ["DocumentItemPage", "VersionItemPage", "ProblemDetails"] {
            assert!(schemas.contains_key(page), "{page}");
        }
    }

    fn collect_refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| collect_refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
            _ => {}
        }
    }
}
