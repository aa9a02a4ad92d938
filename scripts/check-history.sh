#!/usr/bin/env bash
# Imports the whole benchmark corpus (every version in captured-at order, ties
# in manifest order, as one batch) and checks the history against it:
#   - `show DOC` is byte-for-byte the file of the document's last manifest row,
#     for every document (reverts included: the latest capture is the text);
#   - every manifest row's text is the version its capture saw;
#   - `reindex` from nothing reproduces every capture's version exactly.
# Prints how many versions restore an earlier text. Skips cleanly without the
# corpus (../shared/corpus/pga-versions or $VELLUM_CORPUS).
#
#   scripts/check-history.sh            (VELLUM_BIN=path skips the build)
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
require_corpus
ensure_pkgs jq:jq
build_vellum
make_scratch history
snapshot_vellum "$W"

manifest_sorted >"$W/rows.tsv"
awk -F'\t' -v C="$CORPUS" '{
    split($2, p, "__")
    printf "{\"path\": \"%s/versions/%s/%s.md\", \"doc\": \"%s\", \"captured_at\": \"%s\", \"source\": \"%s\"}\n", C, $2, $3, $2, $4, p[1]
}' "$W/rows.tsv" >"$W/batch.jsonl"
S=$W/store
log "importing $(wc -l <"$W/rows.tsv") versions"
"$VELLUM" --store "$S" add --batch "$W/batch.jsonl" --json >"$W/add.jsonl" 2>/dev/null

fail=0
docs=0
while IFS=$'\t' read -r doc version; do
    docs=$((docs + 1))
    if ! cmp -s <("$VELLUM" --store "$S" show "$doc") "$CORPUS/versions/$doc/$version.md"; then
        echo "FAIL: show $doc differs from its last manifest row ($version.md)"
        fail=1
    fi
done < <(awk -F'\t' '{last[$2] = $3} END {for (d in last) print d "\t" last[d]}' "$W/rows.tsv" | sort)

# Every capture's text is the text of the version it saw: show each capture
# by id and compare with its manifest file (in import order).
paste <(jq -r .capture "$W/add.jsonl") <(cut -f2,3 "$W/rows.tsv") |
    awk -F'\t' -v C="$CORPUS" '{print $1; print C "/versions/" $2 "/" $3 ".md" > "/dev/stderr"}' \
    >"$W/ids.txt" 2>"$W/files.txt"
mismatch=0
i=0
while IFS= read -r id && IFS= read -r file <&3; do
    i=$((i + 1))
    if ! cmp -s <("$VELLUM" --store "$S" show "$id") "$file"; then mismatch=$((mismatch + 1)); fi
done <"$W/ids.txt" 3<"$W/files.txt"
[[ $mismatch == 0 ]] || { echo "FAIL: $mismatch of $i captures show a text other than their file"; fail=1; }

for d in $("$VELLUM" --store "$S" log --json | jq -r .doc); do
    "$VELLUM" --store "$S" log "$d" --captures --json
done >"$W/before.jsonl"
rm "$S/catalog.sqlite"
"$VELLUM" --store "$S" reindex >/dev/null
for d in $("$VELLUM" --store "$S" log --json | jq -r .doc); do
    "$VELLUM" --store "$S" log "$d" --captures --json
done >"$W/after.jsonl"
cmp -s "$W/before.jsonl" "$W/after.jsonl" || { echo "FAIL: reindex changed the history"; fail=1; }

versions=0 reverts=0 reverting_docs=0
for d in $("$VELLUM" --store "$S" log --json | jq -r .doc); do
    "$VELLUM" --store "$S" log "$d" --json
done >"$W/versions.jsonl"
versions=$(wc -l <"$W/versions.jsonl")
reverts=$(jq -r 'select(.same_as != null) | .doc' "$W/versions.jsonl" | wc -l)
reverting_docs=$(jq -r 'select(.same_as != null) | .doc' "$W/versions.jsonl" | sort -u | wc -l)
"$VELLUM" --store "$S" verify >/dev/null || { echo "FAIL: verify"; fail=1; }

echo "documents: $docs; captures: $i; versions: $versions; versions restoring an earlier text: $reverts in $reverting_docs documents"
if [[ $fail == 0 ]]; then
    echo "PASS: show DOC is the last capture's text for all $docs documents; every capture shows its own text; reindex reproduces every version"
fi
exit $fail
