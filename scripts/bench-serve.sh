#!/usr/bin/env bash
# Latency of `vellum serve` per page kind, on the corpus document with the
# longest history (instagram__terms-of-service: 416 captures).
#
#   scripts/bench-serve.sh [SECONDS]      (default 10 s of load per page kind)
#   BENCH_KINDS="api-diff api-versions" scripts/bench-serve.sh 3   (only those kinds)
#
# Builds a store from that document's versions (one `add --batch`), starts
# `vellum serve` on a free loopback port, then per page kind prints:
#   - server time: p50/p99 of 200 sequential requests from one client
#     (curl's time to first byte over loopback: the page's making, no queue);
#   - under load: p50/p99 and requests/s with 100 concurrent connections
#     (wrk, 2 threads; Debian's `wrk` is installed when missing).
# The target: every page under 50 ms of server time; 100 clients served
# (no errors, no timeouts); every JSON API endpoint (/api/v1, the kinds
# named api-*) under 20 ms of server p99.
#
# Skips cleanly (exit 0) when the corpus is absent. VELLUM_BIN=path skips the
# release build; BENCH_KEEP=1 keeps the scratch directory.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"

seconds=${1:-10}
require_corpus
doc=instagram__terms-of-service
[[ -d $CORPUS/versions/$doc ]] || { echo "no $doc in $CORPUS, skipping"; exit 0; }
ensure_pkgs wrk:wrk curl:curl
have curl || die "curl is needed"

build_vellum
make_scratch serve
snapshot_vellum "$W"

log "building a store of $doc"
awk -F'\t' -v d="$doc" -v c="$CORPUS" '$1 == d {
    printf "{\"path\": \"%s/versions/%s/%s.md\", \"doc\": \"%s\", \"captured_at\": \"%s\", \"source\": \"%s\"}\n", c, d, $2, d, $3, $4
}' "$CORPUS/manifest.tsv" >"$W/batch.jsonl"
"$VELLUM" --quiet --store "$W/store" add --batch "$W/batch.jsonl" >/dev/null
versions=$("$VELLUM" --store "$W/store" log --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["versions"])')
log "$doc: $versions versions ($(wc -l <"$W/batch.jsonl") captures)"
((versions >= 400)) || log "fewer than 400 versions: the figures are for $versions"

"$VELLUM" --quiet --store "$W/store" serve --addr 127.0.0.1:0 >"$W/addr" 2>"$W/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; if [[ ${BENCH_KEEP:-} == 1 ]]; then log "kept $W"; else rm -rf "$W"; fi' EXIT
for _ in $(seq 100); do [[ -s $W/addr ]] && break; sleep 0.1; done
base=$(head -n1 "$W/addr")
base=${base%/}
[[ $base == http://127.0.0.1:* ]] || die "serve did not start: $(cat "$W/serve.err")"

mid=$((versions / 2))
cap=$(curl -s "$base/doc/$doc/$mid" | grep -o '/capture/[0-9a-f]\{64\}/raw' | head -n1)
declare -A pages=(
    [index]="/"
    [timeline]="/doc/$doc"
    [version]="/doc/$doc/$mid"
    [diff]="/diff?a=$doc@$((mid - 1))&b=$doc@$mid"
    [diff-side]="/diff?a=$doc@1&b=$doc@$versions&view=side"
    [raw]="$cap"
    [style]="/static/style.css"
)
capid=${cap#/capture/}
capid=${capid%/raw}
pages+=(
    [api-documents]="/api/v1/documents"
    [api-document]="/api/v1/documents/$doc"
    [api-versions]="/api/v1/documents/$doc/versions"
    [api-versions-1000]="/api/v1/documents/$doc/versions?limit=1000"
    [api-captures]="/api/v1/documents/$doc/versions?captures=1"
    [api-capture]="/api/v1/captures/$capid"
    [api-raw]="/api/v1/captures/$capid/raw"
    [api-text]="/api/v1/captures/$capid/text"
    [api-diff]="/api/v1/diff?a=$doc@$((mid - 1))&b=$doc@$mid"
    [api-search]="/api/v1/search?q=instagram"
    [api-similar]="/api/v1/similar?doc=$doc"
    [api-stories]="/api/v1/stories?all=1"
    [api-root]="/api/v1/root"
    [api-proof]="/api/v1/proof/$doc@$mid"
    [api-openapi]="/api/v1/openapi.json"
)
order=(index timeline version diff diff-side raw style
    api-documents api-document api-versions api-versions-1000 api-captures api-capture api-raw
    api-text api-diff api-search api-similar api-stories api-root api-proof api-openapi)
if [[ -n ${BENCH_KINDS:-} ]]; then
    read -ra order <<<"$BENCH_KINDS"
    for k in "${order[@]}"; do [[ -n ${pages[$k]:-} ]] || die "no page kind $k (kinds: ${!pages[*]})"; done
fi

# First visits (the timeline's change kinds are computed at start-up in the
# background; a cold first visit computes what is missing).
for k in "${order[@]}"; do
    t=$(curl -s -o /dev/null -w '%{time_starttransfer}' "$base${pages[$k]}")
    log "first visit $k: $(awk -v t="$t" 'BEGIN {printf "%.1f ms", t * 1000}')"
done

printf 'kind\tbytes\tserver p50 ms\tserver p99 ms\tload p50 ms\tload p99 ms\treq/s\terrors\n' >"$W/table"
for k in "${order[@]}"; do
    url="$base${pages[$k]}"
    bytes=$(curl -s -o /dev/null -w '%{size_download}' "$url")
    for _ in $(seq 200); do
        curl -s -o /dev/null -w '%{time_starttransfer}\n' "$url"
    done | awk '{printf "%d\n", $1 * 1000000}' >"$W/seq"
    p50=$(pct 50 <"$W/seq") p99=$(pct 99 <"$W/seq")
    lp50=- lp99=- rps=- errs=-
    if have wrk; then
        wrk -t2 -c100 -d"${seconds}s" --latency "$url" >"$W/wrk" 2>&1 || true
        # "50%  1.23ms" / "99%  20.1ms" (us, ms or s).
        to_ms() { awk '{v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
            if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000; printf "%.2f", v}'; }
        lp50=$(grep -E '^ +50%' "$W/wrk" | to_ms)
        lp99=$(grep -E '^ +99%' "$W/wrk" | to_ms)
        rps=$(awk '/Requests\/sec/ {printf "%d", $2}' "$W/wrk")
        errs=$(awk '/Non-2xx|Socket errors/ {found = 1; print} END {if (!found) print "0"}' "$W/wrk" | tr '\n' ' ')
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$bytes" "$(fmt_us_ms "$p50")" "$(fmt_us_ms "$p99")" \
        "$lp50" "$lp99" "$rps" "$errs" >>"$W/table"
done

echo "vellum serve, $doc ($versions versions), $VELLUM_DESC"
echo "server: 200 sequential requests from one client (time to first byte); load: wrk -t2 -c100 -d${seconds}s"
print_table <"$W/table"
# verdict API TARGET LABEL: the worst server p99 of the JSON API's rows
# (API=1) or of the pages' (API=0) against TARGET ms; nothing when none
# was measured.
verdict() {
    local worst
    worst=$(awk -F'\t' -v api="$1" 'NR > 1 && ($1 ~ /^api-/) == api {n++; if ($4 + 0 > m) m = $4 + 0} END {if (n) print m + 0}' "$W/table")
    [[ -n $worst ]] || return 0
    echo "worst server p99 of $3: $worst ms (target < $2 ms): $(passfail "$worst < $2")"
}
verdict 0 50 "the pages"
verdict 1 20 "the JSON API"
