#!/usr/bin/env bash
# Rebuilds store/, the bundled sample archive, from tests/fixtures/articles/
# with fixed capture times, so the result is the same on every machine.
#
#   scripts/build-sample-store.sh [STORE_DIR]     (default: ./store)
#
# The blog repost and the Global Research copy of "US-led Coalition Is About
# to Reach Another Deal with ISIS?" are two versions of one document; the
# other three articles are one document each.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-store}
fixtures=tests/fixtures/articles
cargo build --quiet --release --locked
vellum=target/release/vellum

rm -rf "$out"
"$vellum" init "$out" >/dev/null
batch=$(mktemp)
trap 'rm -f "$batch"' EXIT
cat >"$batch" <<JSONL
{"path": "$fixtures/blog-repost-2019-02-12.txt", "doc": "us-coalition-isis-deal", "captured_at": "2019-02-12T12:56:00Z", "source": "blog repost", "title": "US-led Coalition Is About to Reach Another Deal with ISIS?"}
{"path": "$fixtures/globalresearch-2019-02-12.md", "doc": "us-coalition-isis-deal", "captured_at": "2019-02-12T18:00:00Z", "source": "globalresearch.ca", "title": "US-led Coalition Is About to Reach Another Deal with ISIS?"}
{"path": "$fixtures/globalresearch-2017-10-12.md", "doc": "raqqah-negotiations", "captured_at": "2017-10-12T12:00:00Z", "source": "globalresearch.ca", "title": "US-backed Forces Negotiate with ISIS Over Raqqah City"}
{"path": "$fixtures/globalresearch-2018-11-24.md", "doc": "deir-ezzor-clashes", "captured_at": "2018-11-24T12:00:00Z", "source": "globalresearch.ca", "title": "US-backed Forces Clashing with ISIS in Deir Ezzor Province"}
{"path": "$fixtures/zamanalwasl-france-deal.txt", "doc": "france-evacuation-deal", "captured_at": "2019-02-11T12:00:00Z", "source": "zamanalwasl.net", "title": "France brokers evacuation deal for Daesh in eastern Syria"}
JSONL
"$vellum" --store "$out" add --batch "$batch"
rm -f "$out/lock"
"$vellum" --store "$out" verify
