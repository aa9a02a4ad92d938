#!/usr/bin/env bash
# Republication finding, measured: quality of `similar` and `stories` on a
# synthetic republication network, and the similarity index's speed at scale.
#
#   scripts/bench-similar.sh [DOCS]        (default 100000)
#
# The network (examples/similar_bench.rs, generator in tests/common/network.rs):
# the corpus documents' latest versions cut into originals of 12 paragraphs
# (chunks repeating an earlier one's paragraph, exactly or mostly, left out), each published on
# one of 12 made-up sites (each with its own header, byline and footer
# boilerplate) and copied to 4 others: cut to its first 30%, cut to 30-70%,
# shuffled, lightly edited; plus 2,000 unrelated word-salad articles in the
# same chrome. Prints similar top-5 precision/recall, recall of the 30%
# copies, pairwise story precision/recall/F1, and same-site pairs wrongly
# grouped (documents sharing only boilerplate).
#
# Scale: DOCS documents (the network, then word-salad articles) indexed in
# batches of 1,000 into a similar.sqlite file; prints index work per capture
# (batched, and single adds into the full index over one whole cycle of the
# band rows' staging table, so the mean carries its share of a merge:
# targets < 1 ms), and the median and p95 time of a `similar` query (target
# < 50 ms at 100,000, measured before the single adds).
#
# Environment: VELLUM_CORPUS (absent -> note, exit 0), BENCH_DIR (scratch,
# default /tmp).
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
require_corpus
docs=${1:-100000}
log "building the benchmark (release)"
(cd "$REPO" && cargo build --release --quiet --example similar_bench)
log "network and $docs documents"
"$REPO/target/release/examples/similar_bench" "$CORPUS" "$docs" "${BENCH_DIR:-/tmp}"
