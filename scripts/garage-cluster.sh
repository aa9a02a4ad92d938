#!/usr/bin/env bash
# Three Garage nodes on loopback, replication factor 3; two vellum writers
# import the benchmark corpus at once into one store while one node is
# stopped mid-import; then every acknowledged capture must read back and
# `vellum verify` must be clean.
#
#   scripts/garage-cluster.sh
#
# Needs garage (PATH or ~/.cargo/bin; see scripts/garage.sh) and the corpus
# ($VELLUM_CORPUS, default ../shared/corpus/pga-versions: skipped when absent).
# Exit 0 when every check holds, 1 when one fails, 2 when it could not run.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
require_corpus
GARAGE=$(command -v garage || echo "$HOME/.cargo/bin/garage")
[[ -x $GARAGE ]] || die "garage not found: scripts/garage.sh install builds it"
BIN=${VELLUM_BIN:-}
if [[ -z $BIN ]]; then
    (cd "$REPO" && cargo build --quiet)
    BIN=$REPO/target/debug/vellum
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/vellum-cluster.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -n ${KEEP:-} ]] || rm -rf "$W"
}
trap cleanup EXIT
secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
for i in 1 2 3; do
    port=$((3920 + 10 * i))
    mkdir -p "$W/n$i"
    cat >"$W/n$i/garage.toml" <<EOF
metadata_dir = "$W/n$i/meta"
data_dir = "$W/n$i/data"
db_engine = "sqlite"
replication_factor = 3
rpc_bind_addr = "127.0.0.1:$((port + 1))"
rpc_public_addr = "127.0.0.1:$((port + 1))"
rpc_secret = "$secret"
[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$port"
root_domain = ".s3.garage.localhost"
EOF
    "$GARAGE" -c "$W/n$i/garage.toml" server >"$W/n$i/log" 2>&1 &
    pids+=($!)
done
g() { "$GARAGE" -c "$W/n$1/garage.toml" "${@:2}"; }
for _ in $(seq 1 60); do g 1 status >/dev/null 2>&1 && break; sleep 1; done
ids=()
for i in 1 2 3; do ids+=("$(g "$i" node id -q 2>/dev/null)"); done
g 1 node connect "${ids[1]}" >&2
g 1 node connect "${ids[2]}" >&2
for i in 0 1 2; do g 1 layout assign -z "dc$i" -c 1G "${ids[$i]:0:64}" >&2; done
g 1 layout apply --version 1 >&2
out=$(g 1 key create cluster-key)
# "Key ID:  GK…" (tabs in some Garage versions, spaces in 2.x).
AWS_ACCESS_KEY_ID=$(printf '%s\n' "$out" | sed -n 's/^Key ID:[[:space:]]*//p' | tr -d ' \t')
AWS_SECRET_ACCESS_KEY=$(printf '%s\n' "$out" | sed -n 's/^Secret key:[[:space:]]*//p' | tr -d ' \t')
[[ -n $AWS_ACCESS_KEY_ID && -n $AWS_SECRET_ACCESS_KEY ]] || die "could not read the new key from: $out"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
g 1 bucket create cluster >&2
g 1 bucket allow --read --write --owner cluster --key cluster-key >&2
export AWS_REGION=garage AWS_ALLOW_HTTP=true NO_COLOR=1 VELLUM_LEASE_SECS=30
STORE=s3://cluster/corpus

# Each writer talks to its own node and imports the whole corpus under its
# own document names, in batches of 50 captures (one commit each).
manifest_sorted | while IFS=$'\t' read -r _ doc ver at _; do
    printf '%s\t%s\t%s\n' "$CORPUS/versions/$doc/$ver.md" "$(echo "$doc" | tr '_' '-')" "$at"
done >"$W/rows"
"$BIN" --store "$STORE" init >/dev/null 2>&1 ||
    AWS_ENDPOINT_URL=http://127.0.0.1:3930 "$BIN" --store "$STORE" init >/dev/null
writer() {
    local w=$1 port=$2
    export AWS_ENDPOINT_URL=http://127.0.0.1:$port VELLUM_CACHE=$W/cache-$w
    split -l 50 "$W/rows" "$W/part-$w-"
    for part in "$W"/part-"$w"-*; do
        awk -F'\t' -v w="$w" '{printf "{\"path\":\"%s\",\"doc\":\"%s-w%s\",\"captured_at\":\"%s\"}\n", $1, $2, w, $3}' \
            "$part" >"$part.jsonl"
        "$BIN" --store "$STORE" add --batch "$part.jsonl" --json >>"$W/acked-$w" 2>>"$W/err-$w" || true
    done
}
writer 1 3930 &
w1=$!
writer 2 3940 &
w2=$!
sleep 20
log "stopping node 3 mid-import"
kill "${pids[2]}"
wait "$w1" "$w2"
acked=$(cat "$W"/acked-* | wc -l)
log "$acked captures acknowledged; errors: $(cat "$W"/err-* | wc -l) lines"
export AWS_ENDPOINT_URL=http://127.0.0.1:3930 VELLUM_CACHE=$W/cache-check
fail=0
# Every acknowledged capture, read back in one process (show --batch prints
# "ID DOC@N SIZE" and the text, or "ADDR missing: REASON").
cat "$W"/acked-* | grep -o '"capture":"[0-9a-f]*"' | cut -d'"' -f4 >"$W/caps"
"$BIN" --store "$STORE" show --batch <"$W/caps" >"$W/shown" || fail=1
missing=$(grep -c ' missing: ' "$W/shown" || true)
found=$(grep -cE '^[0-9a-f]{64} [^ ]+@[0-9]+ [0-9]+$' "$W/shown" || true)
log "read back $found of $(wc -l <"$W/caps") acknowledged captures ($(sort -u "$W/caps" | wc -l) distinct: the corpus repeats a few identical captures, which are one); missing $missing"
if ((missing > 0 || found != $(wc -l <"$W/caps"))); then
    grep ' missing: ' "$W/shown" | head
    fail=1
fi
if "$BIN" --store "$STORE" verify; then echo "verify: clean"; else echo "verify: damage"; fail=1; fi
echo "acknowledged $acked, all read back: $([[ $fail == 0 ]] && echo yes || echo NO)"
exit $fail
