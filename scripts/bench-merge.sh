#!/usr/bin/env bash
# The time and bytes of merging a 1,000-capture field archive into the
# corpus archive (issue #30: `vellum push` of diverged stores).
#
#   scripts/bench-merge.sh
#
# The corpus archive: every version of the benchmark corpus, one
# `add --batch`. The field archive: a separate local store (written apart:
# its log shares nothing with the corpus archive's) of BENCH_MERGE_CAPTURES
# (default 1000) captures of corpus documents, each a corpus version with a
# field note appended, captured after the corpus ends. Then:
#   merge     wall time and peak RSS of `vellum --store FIELD push CORPUS`
#             (a merge: the logs diverged), the captures and object bytes
#             it reports (`--json`), and the bytes the corpus archive grew by
#             (on Garage: bytes PUT, VELLUM_S3_STATS; in a directory: the
#             growth of its packs)
#   again     the same push again (nothing is missing: it adds nothing)
#   verify    `vellum verify` of the corpus archive after the merge
# The corpus archive is on a Garage node when one is configured
# (AWS_ENDPOINT_URL) or scripts/garage.sh can start one, else a directory;
# BENCH_MERGE_LOCAL=1 forces the directory.
#
# Environment: VELLUM_CORPUS, VELLUM_BIN (default: cargo build --release),
# BENCH_MERGE_CAPTURES, BENCH_MERGE_LOCAL.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
require_corpus
N=${BENCH_MERGE_CAPTURES:-1000}
BIN=${VELLUM_BIN:-}
if [[ -z $BIN ]]; then
    (cd "$REPO" && cargo build --release --quiet)
    BIN=$REPO/target/release/vellum
fi
make_scratch merge
cp "$BIN" "$W/vellum"
BIN=$W/vellum
export NO_COLOR=1

started_garage=
where=directory
if [[ ${BENCH_MERGE_LOCAL:-} != 1 ]]; then
    if [[ -z ${AWS_ENDPOINT_URL:-} ]] && "$REPO/scripts/garage.sh" start >"$W/garage.env" 2>"$W/garage.log"; then
        # shellcheck disable=SC1091
        source "$W/garage.env"
        started_garage=1
    fi
    [[ -n ${AWS_ENDPOINT_URL:-} ]] && where=garage
fi
cleanup() {
    if [[ -n $started_garage ]]; then "$REPO/scripts/garage.sh" stop 2>/dev/null || true; fi
    if [[ ${BENCH_KEEP:-} == 1 ]]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
if [[ $where == garage ]]; then
    DEST=s3://${VELLUM_TEST_S3_BUCKET:-vellum-test}/bench-merge-$(date +%s)-$$
else
    DEST=$W/corpus-store
fi
FIELD=$W/field-store

# The corpus batch: every version, in captured-at order.
manifest_sorted | while IFS=$'\t' read -r _ doc ver at _; do
    printf '{"path":"%s","doc":"%s","captured_at":"%s"}\n' \
        "$CORPUS/versions/$doc/$ver.md" "$(echo "$doc" | tr '_' '-')" "$at"
done >"$W/corpus.jsonl"
corpus_captures=$(wc -l <"$W/corpus.jsonl")

# The field batch: N corpus versions (every k-th), a note appended, captured
# a minute apart, ending two days ago (after the corpus ends).
mkdir -p "$W/field"
base=$(($(date +%s) - 2 * 86400 - N * 60))
step=$((corpus_captures / N > 1 ? corpus_captures / N : 1))
manifest_sorted | awk -F'\t' -v step="$step" -v n="$N" '(NR - 1) % step == 0 && c++ < n' |
    while IFS=$'\t' read -r _ doc ver _ _; do
        i=$((${i:-0} + 1))
        f=$W/field/$i.md
        { cat "$CORPUS/versions/$doc/$ver.md"; printf '\nField note %d: checked on site.\n' "$i"; } >"$f"
        printf '{"path":"%s","doc":"%s","captured_at":"%s"}\n' "$f" "$(echo "$doc" | tr '_' '-')" \
            "$(date -u -d "@$((base + i * 60))" +%Y-%m-%dT%H:%M:%SZ)"
    done >"$W/field.jsonl"
field_captures=$(wc -l <"$W/field.jsonl")

log "corpus archive ($where): $corpus_captures captures into $DEST"
VELLUM_CACHE=$W/cache "$BIN" --store "$DEST" add --batch "$W/corpus.jsonl" >/dev/null 2>"$W/corpus.err"
log "field archive: $field_captures captures into $FIELD"
"$BIN" --store "$FIELD" add --batch "$W/field.jsonl" >/dev/null 2>"$W/field.err"

packs_bytes() { if [[ -d $1/objects/packs ]]; then du_apparent "$1/objects/packs"; else echo NA; fi; }
before=$(packs_bytes "$DEST")
log "merge: push $FIELD -> $DEST"
export VELLUM_CACHE=$W/cache VELLUM_S3_STATS=1
timed merge "$BIN" --store "$FIELD" push "$DEST" --json >"$W/merge.json" 2>"$W/merge.err"
timed again "$BIN" --store "$FIELD" push "$DEST" --json >"$W/again.json" 2>"$W/again.err"
unset VELLUM_S3_STATS
timed verify "$BIN" --store "$DEST" verify >"$W/verify.out" 2>&1 || true
merged=$(grep -o '"merged":{[^}]*' "$W/merge.json" | grep -o '"captures":[0-9]*' | cut -d: -f2)
object_bytes=$(grep -o '"merged":{[^}]*' "$W/merge.json" | grep -o '"bytes":[0-9]*' | cut -d: -f2)
again=$(grep -o '"merged":{[^}]*' "$W/again.json" | grep -o '"captures":[0-9]*' | cut -d: -f2)
if [[ $where == garage ]]; then
    grown=$(grep -o '"bytes_out":[0-9]*' "$W/merge.err" | tail -1 | cut -d: -f2)
    grown_what="bytes PUT (VELLUM_S3_STATS bytes_out)"
else
    grown=$(($(packs_bytes "$DEST") - before))
    grown_what="growth of objects/packs"
fi
verify=$(tail -1 "$W/verify.out")

echo "bench-merge: $field_captures-capture field archive merged into the $corpus_captures-capture corpus archive ($where)"
echo "binary: $BIN (copied from ${VELLUM_BIN:-$REPO/target/release/vellum}); load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '%-8s %10s %10s  %s\n' step wall_ms rss_kib result
printf '%-8s %10s %10s  %s\n' merge "$T_merge" "$M_merge" "merged ${merged:-?} captures, ${object_bytes:-?} object bytes; ${grown:-?} $grown_what"
printf '%-8s %10s %10s  %s\n' again "$T_again" "$M_again" "merged ${again:-?} captures"
printf '%-8s %10s %10s  %s\n' verify "$T_verify" "$M_verify" "$verify"
