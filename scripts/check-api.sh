#!/usr/bin/env bash
# Checks the JSON API of `vellum serve` with tools other than vellum's own:
# validates /api/v1/openapi.json with openapi-spec-validator (OpenAPI 3.1),
# then fetches every endpoint it lists (every page of each listing, every
# capture's record, raw bytes and text, diffs, search, similar, stories, changes,
# root, proofs, and error answers) from a server on 127.0.0.1 over a copy
# of the bundled sample store, and validates each JSON answer against the
# schema its operation gives (jsonschema, draft 2020-12).
#
#   scripts/check-api.sh          (needs python3 with venv; installs
#                                  openapi-spec-validator and jsonschema from PyPI)
#
# The venv is kept in target/api-venv between runs. Set VELLUM_BIN to test
# a given binary instead of building one.
set -euo pipefail
NAME=api
# shellcheck source=scripts/test-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-lib.sh"

venv=$root/target/api-venv
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import openapi_spec_validator, jsonschema' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check openapi-spec-validator jsonschema
fi

cp -r "$root/store" "$work/store"
"$vellum" --store "$work/store" serve --addr 127.0.0.1:0 >"$work/addr" 2>"$work/serve.err" &
server=$!
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; cleanup; }
trap stop EXIT
for _ in $(seq 100); do [[ -s $work/addr ]] && break; sleep 0.1; done
base=$(head -n1 "$work/addr")
base=${base%/}
[[ $base == http://127.0.0.1:* ]] || { fail "serve did not start: $(cat "$work/serve.err")"; exit 1; }

"$venv/bin/python" - "$base" <<'PY' || fail "the API does not answer as its OpenAPI document says"
import json, re, sys, urllib.error, urllib.parse, urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

base = sys.argv[1]

def fetch(path):
    try:
        with urllib.request.urlopen(base + path) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()

status, _, body = fetch("/api/v1/openapi.json")
assert status == 200, status
spec = json.loads(body)
validate(spec)  # raises on an invalid OpenAPI document
print(f"openapi.json: a valid OpenAPI {spec['openapi']} document, {len(spec['paths'])} paths")

# The validation is not vacuous: a wrong page is refused.
page_schema = {"$ref": "#/components/schemas/DocumentItemPage", "components": spec["components"]}
assert not Draft202012Validator(page_schema).is_valid({"items": [{"doc": 1}], "next": None})

templates = [(t, re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[^?]+", re.escape(t)) + "$"))
             for t in spec["paths"]]
checked = set()
failures = 0

def schema_of(path, status, media):
    route = path.split("?")[0]
    for t, rx in sorted(templates, key=lambda t: -len(t[0])):
        if rx.match(route):
            responses = spec["paths"][t]["get"]["responses"]
            r = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
            assert r, f"{path}: status {status} is not in the document"
            return t, r["content"][media]["schema"]
    raise AssertionError(f"{path}: no path of the document matches")

def check(path, want=200):
    global failures
    status, headers, body = fetch(path)
    media = headers.get("Content-Type", "").split(";")[0]
    if status != want:
        print(f"FAIL {path}: {status}, not {want}: {body[:200]!r}")
        failures += 1
        return None
    t, schema = schema_of(path, status, media)
    checked.add(t)
    if not media.endswith("json"):
        return body
    value = json.loads(body)
    v = Draft202012Validator({**schema, "components": spec["components"]})
    errors = sorted(v.iter_errors(value), key=str)
    for e in errors[:5]:
        print(f"FAIL {path}: at {list(e.absolute_path)}: {e.message}")
    failures += bool(errors)
    return value

def every_page(path):
    """Every item of a listing, following each page's Link rel=next."""
    items = []
    while path:
        status, headers, _ = fetch(path)
        page = check(path)
        if page is None:
            break
        items += page["items"]
        link = re.fullmatch(r'<([^>]*)>; rel="next"', headers.get("Link") or "")
        assert bool(link) == bool(page["next"]), f"{path}: Link {headers.get('Link')!r}, next {page['next']!r}"
        path = link and link.group(1)
    return items

q = urllib.parse.quote
docs = every_page("/api/v1/documents?limit=2")
for d in docs:
    name = q(d["doc"])
    check(f"/api/v1/documents/{name}")
    versions = every_page(f"/api/v1/documents/{name}/versions?limit=1")
    captures = every_page(f"/api/v1/documents/{name}/versions?captures=1")
    for c in captures:
        check(f"/api/v1/captures/{c['capture']}")
        check(f"/api/v1/captures/{c['capture']}/raw")
        check(f"/api/v1/captures/{c['capture']}/text")
        check(f"/api/v1/proof/{c['capture']}")
    if len(versions) > 1:
        check(f"/api/v1/diff?a={name}@1&b={name}@{len(versions)}&ignore=case,markup")
    check(f"/api/v1/similar?doc={name}")
check("/api/v1/search?q=isis&all_versions=1")
every_page("/api/v1/search?q=isis&limit=1")
every_page("/api/v1/stories?all=1&limit=1")
every_page("/api/v1/changes?limit=1")
check("/api/v1/root")
check("/api/v1/openapi.json")
for path, want in [("/api/v1/documents/no-such-doc", 404), ("/api/v1/documents?limit=0", 400),
                   ("/api/v1/diff?a=x", 400), ("/api/v1/captures/" + "0" * 64, 404),
                   ("/api/v1/search?q=%22open", 400),
                   ("/api/v1/changes?min_score=2", 400)]:
    check(path, want)
missing = set(spec["paths"]) - checked
if missing:
    print(f"FAIL no answer checked for {sorted(missing)}")
    failures += 1
print(f"checked {len(checked)} paths, {len(docs)} documents: {'ok' if not failures else f'{failures} failure(s)'}")
sys.exit(1 if failures else 0)
PY

if ((failures)); then
    echo "api-test: $failures check(s) failed" >&2
    exit 1
fi
echo "api-test: ok"
