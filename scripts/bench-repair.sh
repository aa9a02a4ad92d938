#!/usr/bin/env bash
# Time of `vellum repair --from` healing a 10 MB pack with one flipped byte
# (issue #31), release build.
#
#   scripts/bench-repair.sh [RUNS]        (default 5)
#   VELLUM_BIN=target/debug/vellum scripts/bench-repair.sh 3   (no release build)
#
# Builds a store whose one pack is about 10 MB (50 captures of 256 KiB of
# base64 text: little for zstd to squeeze), copies it (the replica), flips
# one byte in the middle of the store's pack, then times `repair --from
# COPY` RUNS times (the damaged store restored before each run). Prints the
# pack size, each run's wall time and the median.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"
RUNS=${1:-5}
cd "$REPO"
if [[ -n ${VELLUM_BIN:-} ]]; then
    V=$(cd "$(dirname "$VELLUM_BIN")" && pwd)/$(basename "$VELLUM_BIN")
else
    log "building the release binary"
    cargo build --release --locked --quiet
    V=$REPO/target/release/vellum
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
: >"$work/batch.jsonl"
for i in $(seq 1 50); do
    head -c 196608 /dev/urandom | base64 -w 76 >"$work/in/$i.md"
    printf '{"path": "in/%s.md", "doc": "d%s", "captured_at": "2024-01-01T00:00:%02dZ"}\n' \
        "$i" "$i" "$i" >>"$work/batch.jsonl"
done
(cd "$work" && "$V" --quiet --store store add --batch batch.jsonl >/dev/null)
pack=$(ls "$work"/store/objects/packs/*.pack)
size=$(stat -c %s "$pack")
log "one pack of $size bytes"
cp -a "$work/store" "$work/copy"
python3 - "$pack" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x20
open(p, "wb").write(b)
PY
cp -a "$work/store" "$work/damaged"
times=()
for r in $(seq 1 "$RUNS"); do
    rm -rf "$work/store"
    cp -a "$work/damaged" "$work/store"
    t0=$(now_ns)
    "$V" --quiet --store "$work/store" repair --from "$work/copy" >"$work/out.txt"
    t1=$(now_ns)
    ms=$(((t1 - t0) / 1000000))
    times+=("$ms")
    log "run $r: ${ms} ms: $(head -1 "$work/out.txt")"
    grep -q "verify: ok" "$work/out.txt" || die "the repair did not leave verify clean"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "pack: $size bytes; repair --from (verify, heal, verify again): runs ${times[*]} ms; median ${median} ms"
