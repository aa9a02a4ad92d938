#!/usr/bin/env bash
# Corpus ingest CPU and the significance catch-up, one vellum binary against
# another, and whether both give the same scores (#23: figures not worse; #29).
#
#   scripts/bench-significance.sh BIN_A BIN_B [RUNS]
#
# For each binary, RUNS times (default 3), the binaries taking turns so a
# change of load hits both:
#   ingest    `add --batch` of every corpus version into a new store (the
#             batch bench.sh builds), with every derived index brought up to date
#   sig-only  the significance catch-up alone: significance.sqlite deleted,
#             then an `add` of one capture the store already holds
# and prints user+sys CPU seconds and wall seconds (GNU time) of each run.
# CPU is the figure to compare on a loaded machine; wall moves with the load.
# Last, it compares the two binaries' significance indexes: the JSON of every
# scored pair (old text, new text), byte for byte. Exit 1 when they differ.
#
# Environment: VELLUM_CORPUS (default ../shared/corpus/pga-versions; absent ->
# skipped), BENCH_DIR, BENCH_KEEP=1.
set -euo pipefail

# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
(($# >= 2)) || die "usage: scripts/bench-significance.sh BIN_A BIN_B [RUNS]"
RUNS=${3:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, got '$RUNS'"
require_corpus
ensure_pkgs /usr/bin/time:time sqlite3:sqlite3
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is needed"
have sqlite3 || die "sqlite3 is needed to compare the scores"
make_scratch bench-significance
cp "$1" "$W/a" && cp "$2" "$W/b"

manifest_sorted >"$W/rows.tsv"
awk -F'\t' -v C="$CORPUS" '{
    split($2, p, "__")
    printf "{\"path\": \"%s/versions/%s/%s.md\", \"doc\": \"%s\", \"captured_at\": \"%s\", \"source\": \"%s\"}\n", C, $2, $3, $2, $4, p[1]
}' "$W/rows.tsv" >"$W/batch.jsonl"
head -1 "$W/batch.jsonl" >"$W/one.jsonl"
log "$(wc -l <"$W/batch.jsonl") versions; load $(load1)"

timed_cpu() { # LABEL CMD...: prints "LABEL cpu S wall S"
    local label=$1
    shift
    /usr/bin/time -f "%U %S %e" -o "$W/time" "$@" >/dev/null
    awk -v l="$label" '{printf "%s\tcpu %.2f s\twall %.2f s\n", l, $1 + $2, $3}' "$W/time"
}

for ((i = 1; i <= RUNS; i++)); do
    for bin in a b; do
        S=$W/store-$bin
        rm -rf "$S"
        "$W/$bin" --quiet --store "$S" init >/dev/null
        timed_cpu "$bin ingest" "$W/$bin" --quiet --store "$S" add --batch "$W/batch.jsonl"
        rm -f "$S/significance.sqlite"
        timed_cpu "$bin sig-only" "$W/$bin" --quiet --store "$S" add --batch "$W/one.jsonl"
    done
done
for bin in a b; do
    sqlite3 "$W/store-$bin/significance.sqlite" \
        "SELECT hex(old), hex(new), json FROM scores ORDER BY 1, 2" >"$W/scores-$bin"
done
echo "a = $1; b = $2; load $(load1)"
if cmp -s "$W/scores-a" "$W/scores-b"; then
    echo "scores: the same ($(wc -l <"$W/scores-a") pairs)"
else
    echo "scores: DIFFERENT ($(wc -l <"$W/scores-a") and $(wc -l <"$W/scores-b") pairs; first difference below)"
    diff "$W/scores-a" "$W/scores-b" | head -4
    exit 1
fi
