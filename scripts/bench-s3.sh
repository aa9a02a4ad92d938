#!/usr/bin/env bash
# vellum on a Garage node, beside restic writing the same corpus to the same node.
#
#   scripts/bench-s3.sh
#
# Starts a node with scripts/garage.sh (unless AWS_ENDPOINT_URL is already
# set), then prints:
#   ingest    wall time of one `vellum add --batch` of the whole corpus into
#             s3://BUCKET/bench-<time>, and of `restic backup` of the corpus
#             directory into s3:ENDPOINT/BUCKET/restic-<time>
#   stored    bytes PUT by vellum (VELLUM_S3_STATS bytes_out: packs, marker,
#             leases), and restic's `stats --mode raw-data`
#   show      median wall time of `vellum show DOC@N` over BENCH_S3_PROBES
#             random versions, cold (a new, empty VELLUM_CACHE each time, so
#             the opening lists and indexes nothing new but fetches ranges)
#             and cached (the same cache again), and the requests each made
#             (VELLUM_S3_STATS)
#   catch-up  the corpus added again, to a second store, in BENCH_S3_COMMITS
#             commits (default 20, so as many packs); then the bytes and
#             requests of the first `vellum log` of a machine that has never
#             seen the store, of one that last looked after half the commits,
#             and of one that last looked one commit before the end
#
# Environment: VELLUM_CORPUS, VELLUM_BIN (see bench-lib.sh), BENCH_S3_PROBES
# (default 20), BENCH_S3_COMMITS (default 20).
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
require_corpus
ensure_pkgs restic:restic
PROBES=${BENCH_S3_PROBES:-20}
COMMITS=${BENCH_S3_COMMITS:-20}
BIN=${VELLUM_BIN:-}
if [[ -z $BIN ]]; then
    (cd "$REPO" && cargo build --release --quiet)
    BIN=$REPO/target/release/vellum
fi
started_garage=
if [[ -z ${AWS_ENDPOINT_URL:-} ]]; then
    eval "$("$REPO/scripts/garage.sh" start)"
    started_garage=1
fi
SCRATCH=$(mktemp -d "${BENCH_DIR:-/tmp}/vellum-bench-s3.XXXXXX")
cleanup() {
    rm -rf "$SCRATCH"
    if [[ -n $started_garage ]]; then "$REPO/scripts/garage.sh" stop; fi
}
trap cleanup EXIT
BUCKET=${VELLUM_TEST_S3_BUCKET:-vellum-test}
STORE=s3://$BUCKET/bench-$(date +%s)
export VELLUM_STORE=$STORE NO_COLOR=1

# The batch: every version, in captured-at order.
manifest_sorted | while IFS=$'\t' read -r _ doc ver at _; do
    printf '{"path":"%s","doc":"%s","captured_at":"%s"}\n' \
        "$CORPUS/versions/$doc/$ver.md" "$(echo "$doc" | tr '_' '-')" "$at"
done >"$SCRATCH/batch.jsonl"
captures=$(wc -l <"$SCRATCH/batch.jsonl")
corpus_bytes=$(du_apparent "$CORPUS/versions")

log "vellum: ingest of $captures captures into $STORE"
t0=$(now_ns)
VELLUM_CACHE=$SCRATCH/cache-ingest VELLUM_S3_STATS=1 "$BIN" add --batch "$SCRATCH/batch.jsonl" \
    >/dev/null 2>"$SCRATCH/ingest.err"
vellum_ingest_ms=$((($(now_ns) - t0) / 1000000))
vellum_bytes=$(grep -o '"bytes_out":[0-9]*' "$SCRATCH/ingest.err" | tail -1 | cut -d: -f2)

restic_ingest_ms=NA restic_bytes=NA
if have restic; then
    export RESTIC_PASSWORD=bench RESTIC_REPOSITORY=s3:$AWS_ENDPOINT_URL/$BUCKET/restic-$(date +%s)
    restic init >/dev/null 2>&1
    t0=$(now_ns)
    restic backup --quiet "$CORPUS/versions" >/dev/null
    restic_ingest_ms=$((($(now_ns) - t0) / 1000000))
    restic_bytes=$(restic stats --mode raw-data --json 2>/dev/null | grep -o '"total_size":[0-9]*' | cut -d: -f2)
fi

# Random versions to show.
mapfile -t addrs < <(manifest_sorted | awk -F'\t' '{c[$2]++} END {for (d in c) print d "\t" c[d]}' |
    shuf -n "$PROBES" --random-source=<(yes) |
    awk -F'\t' '{srand(NR); gsub("_", "-", $1); print $1 "@" int(1 + rand() * $2)}')
: >"$SCRATCH/cold" ; : >"$SCRATCH/cached" ; : >"$SCRATCH/cold_req" ; : >"$SCRATCH/cached_req"
for a in "${addrs[@]}"; do
    cache=$SCRATCH/cache-$RANDOM$RANDOM
    # The catalog first (what any machine has after its first command), then
    # the show with no cached block.
    VELLUM_CACHE=$cache "$BIN" log >/dev/null
    rm -rf "$cache"/stores/*/blocks
    for kind in cold cached; do
        t0=$(now_ns)
        VELLUM_CACHE=$cache VELLUM_S3_STATS=1 "$BIN" show "$a" >/dev/null 2>"$SCRATCH/show.err"
        echo $((($(now_ns) - t0) / 1000)) >>"$SCRATCH/$kind"
        grep -o '"requests":[0-9]*' "$SCRATCH/show.err" | cut -d: -f2 >>"$SCRATCH/${kind}_req"
    done
done

# Catch-up: a second store written in COMMITS commits; machines that looked
# at it after half of them and after all but one catch up with one `log`.
CATCHUP=s3://$BUCKET/catchup-$(date +%s)
split -n "l/$COMMITS" -d -a 3 "$SCRATCH/batch.jsonl" "$SCRATCH/commit."
n=0
for chunk in "$SCRATCH"/commit.*; do
    VELLUM_STORE=$CATCHUP VELLUM_CACHE=$SCRATCH/cache-writer "$BIN" add --batch "$chunk" >/dev/null
    n=$((n + 1))
    if ((n == COMMITS / 2)); then VELLUM_STORE=$CATCHUP VELLUM_CACHE=$SCRATCH/cache-half "$BIN" log >/dev/null; fi
    if ((n == COMMITS - 1)); then VELLUM_STORE=$CATCHUP VELLUM_CACHE=$SCRATCH/cache-last "$BIN" log >/dev/null; fi
done
catch_up() { # CACHE -> "BYTES bytes, REQUESTS requests, SECONDS s"
    local t0 err
    err=$SCRATCH/catchup.err
    t0=$(now_ns)
    VELLUM_STORE=$CATCHUP VELLUM_CACHE=$1 VELLUM_S3_STATS=1 "$BIN" log >/dev/null 2>"$err"
    printf '%s bytes, %s requests, %s s' \
        "$(grep -o '"bytes_in":[0-9]*' "$err" | tail -1 | cut -d: -f2)" \
        "$(grep -o '"requests":[0-9]*' "$err" | tail -1 | cut -d: -f2)" \
        "$(fmt_ms_s $((($(now_ns) - t0) / 1000000)))"
}
catchup_new=$(catch_up "$SCRATCH/cache-new")
catchup_half=$(catch_up "$SCRATCH/cache-half")
catchup_last=$(catch_up "$SCRATCH/cache-last")
catchup_packs=$(VELLUM_STORE=$CATCHUP VELLUM_CACHE=$SCRATCH/cache-writer "$BIN" verify --json 2>/dev/null |
    grep -o '"packs":[0-9]*' | head -1 | cut -d: -f2)

echo "vellum on Garage ($captures captures, $(fmt_mib "$corpus_bytes") MiB of corpus text)"
echo "  ingest:              vellum $(fmt_ms_s "$vellum_ingest_ms") s   restic $(fmt_ms_s "$restic_ingest_ms") s"
echo "  bytes stored:        vellum $(fmt_mib "$vellum_bytes") MiB   restic $(fmt_mib "$restic_bytes") MiB"
echo "  show, cold cache:    median $(fmt_us_ms "$(median <"$SCRATCH/cold")") ms, $(median <"$SCRATCH/cold_req") requests (max $(sort -n "$SCRATCH/cold_req" | tail -1))"
echo "  show, cached:        median $(fmt_us_ms "$(median <"$SCRATCH/cached")") ms, $(median <"$SCRATCH/cached_req") requests (max $(sort -n "$SCRATCH/cached_req" | tail -1))"
echo "  catch-up, first log of a machine ($COMMITS commits, ${catchup_packs:-?} packs):"
printf '    %-22s %s\n' "never looked:" "$catchup_new" \
    "away for $((COMMITS - COMMITS / 2)) commits:" "$catchup_half" \
    "one commit behind:" "$catchup_last"
