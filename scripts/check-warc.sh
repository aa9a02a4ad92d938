#!/usr/bin/env bash
# Checks that the WARC files `vellum export` writes are valid for the tools
# archivists use: exports a copy of the bundled sample store (with a repeated
# sighting added, so a revisit record is written too), then runs
# `warcio check` (digests, record structure) and `warcio index` on it, and
# imports it back into an empty store (same capture ids).
#
#   scripts/check-warc.sh            (needs python3 with venv; installs warcio from PyPI)
#
# The venv is kept in target/warcio-venv between runs. Set VELLUM_BIN to test
# a given binary instead of building one.
set -euo pipefail
NAME=warc
# shellcheck source=scripts/test-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-lib.sh"

venv=$root/target/warcio-venv
if [[ ! -x $venv/bin/warcio ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check warcio
fi
warcio=$venv/bin/warcio

cp -r "$root/store" "$work/store"
# A later sighting of the same bytes: exported as a revisit record.
first=$("$vellum" --store "$work/store" log --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["doc"])')
"$vellum" --store "$work/store" show "$first" --raw > "$work/again.txt"
"$vellum" --store "$work/store" add "$work/again.txt" --doc "$first" --at 2024-01-01T00:00:00Z > /dev/null

# A page fetched from a local server: exported as a response record with
# its HTTP head.
mkdir -p "$work/site"
cat > "$work/site/page.html" <<'HTML'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A fetched page</title></head>
<body><nav><a href="/">Home</a></nav><article><h1>A fetched page</h1>
<p>This page was served by a local HTTP server so that the export holds a response record,
with the status line and headers vellum archived when it fetched the page.</p></article></body></html>
HTML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/page.html')" 2>/dev/null && break
    sleep 0.1
done
"$vellum" --store "$work/store" add "http://127.0.0.1:$port/page.html" > /dev/null \
    || fail "could not fetch the local page"
kill $server 2>/dev/null || true

"$vellum" --store "$work/store" export --warc "$work/out.warc.gz"

if ! "$warcio" check -v "$work/out.warc.gz" > "$work/check.txt"; then
    cat "$work/check.txt" >&2
    fail "warcio check found problems"
fi
"$warcio" index -f warc-type,warc-target-uri,offset "$work/out.warc.gz" > "$work/index.txt" \
    || fail "warcio index failed"
for kind in warcinfo resource response conversion metadata revisit; do
    grep -q "\"warc-type\": \"$kind\"" "$work/index.txt" || fail "no $kind record in the index"
done
# warcio indexes one gzip member per record: as many entries as records.
records=$(wc -l < "$work/index.txt")
members=$(python3 - "$work/out.warc.gz" <<'PY'
import sys, zlib
data = open(sys.argv[1], "rb").read()
n = off = 0
while off < len(data):
    d = zlib.decompressobj(31)
    d.decompress(data[off:])
    off = len(data) - len(d.unused_data)
    n += 1
print(n)
PY
)
[[ $records == "$members" ]] || fail "$records records indexed but $members gzip members"

"$vellum" --store "$work/back" import "$work/out.warc.gz" > /dev/null 2>&1 || fail "import of the export failed"
# Every capture id (sightings included), from the catalog.
ids() { python3 -c '
import sqlite3, sys
for (i,) in sqlite3.connect(sys.argv[1]).execute("SELECT hex(id) FROM captures ORDER BY 1"):
    print(i)
' "$1/catalog.sqlite"; }
[[ "$(ids "$work/store")" == "$(ids "$work/back")" ]] || fail "the re-imported store has other capture ids"

if ((failures)); then
    exit 1
fi
echo "check-warc: warcio check and index pass on $records records; round trip gives the same captures"
