#!/usr/bin/env bash
# How small can a store of the benchmark corpus get? Lower bounds for the
# parts of #10's size target (whole store <= 1.0 MB), measured with the zstd
# CLI on the corpus itself, beside what vellum's store holds.
#
#   scripts/size-floor.sh [STORE]
#
# STORE: a store built by scripts/bench.sh (BENCH_KEEP=1 keeps it) to report
# its own sizes beside the bounds; optional.
#
# Texts (each distinct text once, as the store keeps them), all zstd -19
# without checksums:
#   per-version deltas  each version with the previous one of its document
#                       as --patch-from base (vellum's design: any version is
#                       a few small decompressions away)
#   blocks of 16        16 consecutive versions of a document in one frame,
#                       the previous block's last version as base (reading
#                       one version decompresses up to 16)
#   one frame per doc   a document's whole history in one frame (reading one
#                       version decompresses all of them)
#   solid               every text in one frame, --long=27 (no random access)
# Ids (blake3, 32 bytes, incompressible), which any design keeps:
#   archive log         one id per capture (the custody chain)
#   records             each capture record names its text
#   catalog             locating a version by capture id and its text by id
#
# Environment: VELLUM_CORPUS (default ../shared/corpus/pga-versions beside
# the repository; absent -> a note, exit 0), BENCH_DIR (scratch parent).
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

require_corpus
ensure_pkgs zstd:zstd
STORE=${1:-}
make_scratch size-floor
log "scratch dir $W; corpus $CORPUS"

# ORD doc version captured_at ... bytes blake3, in captured_at order.
manifest_sorted >"$W/rows.tsv"
# Captures: the same document, instant and text is one capture (the corpus
# repeats a few rows).
NCAP=$(awk -F'\t' '!seen[$2 FS $4 FS $9]++' "$W/rows.tsv" | wc -l)
# Distinct texts, each under its first document, in that document's order.
awk -F'\t' -v C="$CORPUS" '!seen[$9]++ {print $2 "\t" C "/versions/" $2 "/" $3 ".md"}' "$W/rows.tsv" |
    sort -t$'\t' -s -k1,1 >"$W/texts.tsv"
NTEXT=$(wc -l <"$W/texts.tsv")
RAW=$(cut -f2 "$W/texts.tsv" | xargs -d '\n' cat | wc -c)
log "$NCAP captures, $NTEXT distinct texts, $RAW bytes"

# zd BASE FILE [OPTION...]: FILE's zstd -19 size, with BASE (if any) as
# --patch-from reference. zstd prints advice about --patch-from on stderr
# even with -q, and aborts when either file is empty, so empty ones get no
# base (their frames are a few bytes either way).
zd() {
    local base=$1 file=$2
    shift 2
    if [[ -s $base && -s $file ]]; then set -- "$@" --patch-from="$base"; fi
    zstd -19 -q --no-check -c "$@" "$file" 2>/dev/null | wc -c
}

log "per-version deltas ($NTEXT zstd runs)"
DELTAS=0 PREV_DOC="" PREV=""
while IFS=$'\t' read -r doc path; do
    [[ $doc == "$PREV_DOC" ]] || PREV=""
    DELTAS=$((DELTAS + $(zd "$PREV" "$path"))) PREV_DOC=$doc PREV=$path
done <"$W/texts.tsv"

log "blocks of 16 and one frame per document"
BLOCKS=0 PERDOC=0
for doc in $(cut -f1 "$W/texts.tsv" | uniq); do
    awk -F'\t' -v d="$doc" '$1 == d {print $2}' "$W/texts.tsv" >"$W/doc.list"
    xargs -d '\n' cat <"$W/doc.list" >"$W/doc.all"
    PERDOC=$((PERDOC + $(zd "" "$W/doc.all" --long=27)))
    split -l 16 -d -a 4 "$W/doc.list" "$W/blk."
    base=""
    for b in "$W"/blk.*; do
        xargs -d '\n' cat <"$b" >"$W/blk.data"
        BLOCKS=$((BLOCKS + $(zd "$base" "$W/blk.data" --long=27)))
        base=$(tail -n 1 "$b")
        rm -f "$b"
    done
done

log "solid"
SOLID=$(cut -f2 "$W/texts.tsv" | xargs -d '\n' cat | zstd -19 -q --no-check --long=27 -c | wc -c)

LOGIDS=$((NCAP * 32))
RECIDS=$((NCAP * 32))
CATIDS=$(((NCAP + NTEXT) * 32))
IDS=$((LOGIDS + RECIDS + CATIDS))
mb() { awk -v v="$1" 'BEGIN {printf "%.3f MB", v / 1e6}'; }

echo
echo "Texts ($NTEXT distinct, $(mb "$RAW") raw):"
printf '  %-46s %s\n' "per-version deltas (vellum's design)" "$(mb "$DELTAS")" \
    "blocks of 16 versions" "$(mb "$BLOCKS")" \
    "one frame per document" "$(mb "$PERDOC")" \
    "solid, no random access" "$(mb "$SOLID")"
echo "Ids any design keeps (32 bytes each):"
printf '  %-46s %s\n' "archive log ($NCAP captures)" "$(mb "$LOGIDS")" \
    "records naming their text" "$(mb "$RECIDS")" \
    "catalog: $NCAP capture ids + $NTEXT text ids" "$(mb "$CATIDS")"
echo "Floors (texts + ids, nothing else: no times, names, locations, headers, indexes):"
printf '  %-46s %s\n' "per-version deltas" "$(mb $((DELTAS + IDS)))" \
    "blocks of 16" "$(mb $((BLOCKS + IDS)))" \
    "one frame per document" "$(mb $((PERDOC + IDS)))" \
    "solid, no random access" "$(mb $((SOLID + IDS)))"

if [[ -n $STORE ]]; then
    [[ -f $STORE/VELLUM ]] || die "$STORE is not a vellum store"
    PACKS=$(du_apparent "$STORE"/objects)
    CAT=$(du_apparent "$STORE"/catalog.sqlite)
    echo "This store ($STORE):"
    printf '  %-46s %s\n' "objects (packs)" "$(mb "$PACKS")" \
        "catalog.sqlite" "$(mb "$CAT")" \
        "together" "$(mb $((PACKS + CAT)))"
fi
