#!/usr/bin/env bash
# The WARC import checked against an oracle: warcio reads every public WARC
# and ARC test file (warcio's, kept in tests/fixtures/warc/, and pywb's
# sample archive: from the venv scripts/check-pywb.sh makes, which pywb's
# PyPI package fills, or from a pywb checkout), vellum imports them, and
# the captures must be the same: (target URI, date, sha1 of the payload)
# for every response and resource with a 2xx status (or none: not HTTP) and
# every revisit whose payload is in the files. Each suite is one import
# (revisits resolve across its files), with --accept-bad-digests (a digest
# mismatch is a flag, not a missing capture).
#
# A record warcio reads whole must be archived; a record vellum lists as
# unreadable must be one warcio reads only in part (a block cut short by the
# end of the file, a compressed body cut short): those are counted apart.
# Nothing vellum archives may be missing from warcio's reading.
#
#   scripts/check-warc-oracle.sh                       (warcio's files; pywb's when
#                                                       target/pywb-venv exists)
#   PYWB_REPO=~/src/pywb scripts/check-warc-oracle.sh  (and pywb's: a clone, or its git dir)
#
# Needs python3 with venv; installs warcio from PyPI into target/warcio-venv
# (shared with check-warc.sh). VELLUM_BIN tests a given binary.
set -euo pipefail
NAME=warc-oracle
# shellcheck source=scripts/test-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-lib.sh"

venv=$root/target/warcio-venv
if [[ ! -x $venv/bin/warcio ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check warcio
fi

suites=()
mkdir -p "$work/warcio"
cp "$root"/tests/fixtures/warc/*.{warc,gz,arc,bad} "$work/warcio/" 2>/dev/null || true
suites+=("$work/warcio")
if [[ -n ${PYWB_REPO:-} ]]; then
    mkdir -p "$work/pywb"
    if [[ -d $PYWB_REPO/sample_archive/warcs ]]; then
        cp "$PYWB_REPO"/sample_archive/warcs/* "$work/pywb/"
    else
        for f in $(git --git-dir="$PYWB_REPO" ls-tree --name-only HEAD sample_archive/warcs/); do
            git --git-dir="$PYWB_REPO" show "HEAD:$f" > "$work/pywb/$(basename "$f")"
        done
    fi
    suites+=("$work/pywb")
elif [[ -d $root/target/pywb-venv/sample_archive/warcs ]]; then
    # pywb's package from PyPI installs its sample archive beside its venv
    # (scripts/check-pywb.sh makes that venv; GPL-3 files, read, never kept).
    mkdir -p "$work/pywb"
    cp "$root"/target/pywb-venv/sample_archive/warcs/* "$work/pywb/"
    suites+=("$work/pywb")
else
    echo "check-warc-oracle: pywb's sample archive skipped (run scripts/check-pywb.sh first, or set PYWB_REPO to a pywb checkout)"
fi

for dir in "${suites[@]}"; do
    suite=$(basename "$dir")
    store=$work/store-$suite
    mapfile -t files < <(find "$dir" -maxdepth 1 -type f | sort)
    status=0
    "$vellum" --store "$store" import --accept-bad-digests --json "${files[@]}" \
        > "$work/$suite.out" 2> "$work/$suite.err" || status=$?
    if ((status == 2)); then
        cat "$work/$suite.err" >&2
        fail "$suite: the import failed (exit 2)"
        continue
    fi
    # Every capture: its id, from the catalog; URL, time and bytes from
    # `show`.
    python3 - "$store/catalog.sqlite" > "$work/$suite.ids" <<'PY'
import sqlite3, sys
for (i,) in sqlite3.connect(sys.argv[1]).execute("SELECT lower(hex(id)) FROM captures ORDER BY 1"):
    print(i)
PY
    : > "$work/$suite.captures"
    while read -r id; do
        "$vellum" --store "$store" show "$id" --meta > "$work/meta.json"
        "$vellum" --store "$store" show "$id" --raw > "$work/raw.bin"
        python3 - "$work/meta.json" "$work/raw.bin" >> "$work/$suite.captures" <<'PY'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
print(json.dumps([m.get("url"), m["captured_at"], hashlib.sha1(open(sys.argv[2], "rb").read()).hexdigest()]))
PY
    done < "$work/$suite.ids"
    if ! "$venv/bin/python" "$root/scripts/warc_oracle.py" "$work/$suite.captures" "$work/$suite.out" "$suite" "${files[@]}"; then
        fail "$suite: vellum and warcio disagree (above)"
    fi
done

if ((failures)); then
    exit 1
fi
echo "check-warc-oracle: vellum's captures match warcio's reading on every file"
