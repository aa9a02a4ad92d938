#!/usr/bin/env bash
# The catalog's size and the CPU cost of the commands that read it (#29).
#
# Usage: VELLUM_BIN=NEW [VELLUM_BASE_BIN=OLD] scripts/bench-catalog.sh [RUNS]
#
# With each binary (NEW, and OLD when given: two builds to compare), builds a
# store of the benchmark corpus the way bench.sh does (one `add --batch`),
# then prints:
#   - catalog.sqlite's size (bytes and disk blocks) and, from SQLite's dbstat,
#     the bytes of each table and index (pages, payload, unused);
#   - CPU time (user + system, `perf stat -r RUNS`, mean in ms) of whole
#     processes reading it: show of a version (first and latest of the
#     document with most versions), log, log of that document, diff of its
#     last two versions, verify, search for a word; and of the ingest itself
#     (GNU time, once).
# The two binaries run on their own stores, command by command, interleaved,
# so that load on a shared machine falls on both alike.
# Without VELLUM_BIN the release build of this tree is used. RUNS: 20.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

require_corpus
RUNS=${1:-20}
ensure_pkgs /usr/bin/time:time sqlite3:sqlite3 perf:linux-perf
have sqlite3 || die "the sqlite3 CLI is needed (dbstat) and could not be installed"
build_vellum
make_scratch catalog

declare -a NAMES=(new) BINS=("$VELLUM")
if [[ -n ${VELLUM_BASE_BIN:-} ]]; then
    NAMES+=(old) BINS+=("$VELLUM_BASE_BIN")
fi
for i in "${!NAMES[@]}"; do
    cp "${BINS[$i]}" "$W/vellum-${NAMES[$i]}"
    BINS[i]=$W/vellum-${NAMES[$i]}
done

manifest_sorted | awk -F'\t' -v C="$CORPUS" '{
    split($2, p, "__")
    printf "{\"path\": \"%s/versions/%s/%s.md\", \"doc\": \"%s\", \"captured_at\": \"%s\", \"source\": \"%s\"}\n", C, $2, $3, $2, $4, p[1]
}' >"$W/batch.jsonl"

declare -A INGEST
for i in "${!NAMES[@]}"; do
    n=${NAMES[$i]} s=$W/store-${NAMES[$i]}
    "${BINS[$i]}" --store "$s" init >/dev/null
    log "$n: add --batch"
    /usr/bin/time -f '%U %S %e' -o "$W/time-$n" "${BINS[$i]}" --store "$s" add --batch "$W/batch.jsonl" >/dev/null
    INGEST[$n]=$(awk '{printf "%.2f s CPU (%.2f user + %.2f system), %.2f s wall", $1 + $2, $1, $2, $3}' "$W/time-$n")
done

echo "vellum catalog benchmark: corpus $(basename "$CORPUS"), $(wc -l <"$W/batch.jsonl") captures; $(nproc) cores; load $(load1)"
for i in "${!NAMES[@]}"; do
    n=${NAMES[$i]} s=$W/store-${NAMES[$i]}
    echo
    echo "## $n: ${BINS[$i]##*/} ($(cd "$REPO" && git describe --always --dirty) tree for new)"
    echo "ingest: ${INGEST[$n]}"
    echo "catalog.sqlite: $(stat -c %s "$s/catalog.sqlite") bytes, $(du_blocks "$s/catalog.sqlite") in blocks;" \
        "objects/ $(du_blocks "$s/objects") in blocks; page size $(sqlite3 -readonly "$s/catalog.sqlite" 'PRAGMA page_size')"
    echo
    echo "| table or index | pages | bytes | payload | unused | cells |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    sqlite3 -readonly -separator ' | ' "$s/catalog.sqlite" \
        "SELECT '| ' || name, count(*), sum(pgsize), sum(payload), sum(unused), sum(ncell) || ' |'
         FROM dbstat GROUP BY name ORDER BY sum(pgsize) DESC, name"
done

# The document with most versions, its version count, and a word of it.
DOC=$("${BINS[0]}" --store "$W/store-new" log --json | python3 -c '
import json, sys
docs = [json.loads(line) for line in sys.stdin if line.strip()]
d = max(docs, key=lambda d: d["versions"])
print(d["doc"], d["versions"])')
read -r DOC NV <<<"$DOC"
log "document $DOC, $NV versions"

# cpu_ms BIN STORE ARGS...: mean CPU ms (task-clock) of RUNS runs. (Exit
# status 1 is an answer: `diff` found differences.)
cpu_ms() {
    local bin=$1 store=$2 rc=0; shift 2
    "$bin" --store "$store" "$@" >/dev/null 2>&1 || rc=$?
    ((rc <= 1)) || die "failed (exit $rc): $bin --store $store $*"
    perf stat -r "$RUNS" -x, -e task-clock -o "$W/perf" -- "$bin" --store "$store" "$@" >/dev/null 2>&1 || true
    awk -F, '$3 ~ /task-clock/ {printf "%.2f", $1; exit}' "$W/perf"
}

echo
echo "CPU ms per whole process (mean of $RUNS, perf stat task-clock); document $DOC ($NV versions)"
echo
printf '| command |'; printf ' %s |' "${NAMES[@]}"; echo
printf '| --- |'; for _ in "${NAMES[@]}"; do printf ' ---: |'; done; echo
for cmd in "show $DOC@1" "show $DOC" "log" "log $DOC" "diff $DOC@$((NV - 1)) $DOC" "verify" "search privacy"; do
    printf '| `%s` |' "$cmd"
    for i in "${!NAMES[@]}"; do
        # shellcheck disable=SC2086 # the command's words
        printf ' %s |' "$(cpu_ms "${BINS[$i]}" "$W/store-${NAMES[$i]}" $cmd)"
    done
    echo
done
