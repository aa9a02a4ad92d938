#!/usr/bin/env bash
# Large captures with their indexes (issue #29): how fast one 20 MB text is
# archived AND findable.
#
#   scripts/bench-large.sh
#
# Builds two texts of BENCH_LARGE_BYTES (default 20,000,000) bytes from the
# corpus's own paragraphs (scripts/bench-large-text.py: `versions` = the
# corpus's versions one after the other, paragraphs repeating as between
# versions; `distinct` = no paragraph repeated, the worst case for the search
# index), each with a marker word in its last paragraph. For each, in a fresh
# store, BENCH_LARGE_REPS times (fastest counts):
#   - `vellum add TEXT --doc big`: wall time from start to exit;
#   - then `vellum search MARKER`: wall time of the first search (it catches
#     up whatever index work the add left to readers), which must find `big`;
#   - end to end MB/s = bytes / (add + first search), target >= 30 MB/s;
#   - a second search (the index current), and the sizes of the text object
#     store, the catalog and each derived index (du, disk blocks).
#
# Skips cleanly (exit 0) when the corpus is absent. Environment:
#   VELLUM_CORPUS       corpus directory (default ../shared/corpus/pga-versions)
#   VELLUM_BIN          a vellum binary to measure (no build)
#   BENCH_LARGE_BYTES   size of each text (20000000)
#   BENCH_LARGE_REPS    runs per text, each from an empty store (3)
#   BENCH_KEEP=1        keep the scratch directory
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

require_corpus
BYTES=${BENCH_LARGE_BYTES:-20000000}
REPS=${BENCH_LARGE_REPS:-3}
have python3 || die "python3 is needed to build the texts"
build_vellum
make_scratch large
LOAD_START=$(load1)
snapshot_vellum "$W"
log "scratch dir $W; corpus $CORPUS; vellum $VELLUM"

MARKER=zqxlastword$((RANDOM % 900 + 100))
python3 "$(dirname "$0")/bench-large-text.py" "$CORPUS" "$W" "$BYTES" "$MARKER"

size_of() { if [[ -e $1 ]]; then du_blocks "$1"; else echo 0; fi; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1e6}'; }

printf 'text\tbytes\tadd s\tfirst search s\tMB/s end to end\tsecond search s\tobjects MB\tcatalog MB\tsearch index MB\tsimilarity MB\tsignificance MB\tmemento MB\n' >"$W/table.tsv"
WORST=""
for name in versions distinct; do
    text=$W/$name.md
    bytes=$(stat -c %s "$text")
    best_add="" best_search="" best_total=""
    for ((i = 1; i <= REPS; i++)); do
        VS=$W/store-$name
        rm -rf "$VS"
        "$VELLUM" --quiet init "$VS" >/dev/null
        sync
        add_us=$(wall_us "$VELLUM" --quiet --store "$VS" add "$text" --doc big)
        t0=${EPOCHREALTIME//[!0-9]/}
        "$VELLUM" --quiet --store "$VS" search "$MARKER" >"$W/hits.txt"
        t1=${EPOCHREALTIME//[!0-9]/}
        search_us=$((10#$t1 - 10#$t0))
        grep -q 'big' "$W/hits.txt" || die "$name: the first search for $MARKER did not find the text: $(head -c 300 "$W/hits.txt")"
        second_us=$(wall_us "$VELLUM" --quiet --store "$VS" search "$MARKER")
        total=$((add_us + search_us))
        log "$name run $i: add $(fmt_us_ms "$add_us") ms, first search $(fmt_us_ms "$search_us") ms, second $(fmt_us_ms "$second_us") ms"
        if [[ -z $best_total || $total -lt $best_total ]]; then
            best_total=$total best_add=$add_us best_search=$search_us best_second=$second_us
        fi
    done
    rate=$(awk -v b="$bytes" -v us="$best_total" 'BEGIN {printf "%.1f", b / us}')
    WORST=$(awk -v a="$rate" -v b="${WORST:-$rate}" 'BEGIN {print (a < b) ? a : b}')
    printf '%s\t%s\t%.2f\t%.2f\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$bytes" \
        "$(awk -v u="$best_add" 'BEGIN {print u / 1e6}')" \
        "$(awk -v u="$best_search" 'BEGIN {print u / 1e6}')" "$rate" \
        "$(awk -v u="$best_second" 'BEGIN {print u / 1e6}')" \
        "$(mb "$(size_of "$VS/objects")")" "$(mb "$(size_of "$VS/catalog.sqlite")")" \
        "$(mb "$(size_of "$VS/search.sqlite")")" "$(mb "$(size_of "$VS/similar.sqlite")")" \
        "$(mb "$(size_of "$VS/significance.sqlite")")" "$(mb "$(size_of "$VS/memento.sqlite")")" >>"$W/table.tsv"
done

echo
echo "Large captures ($REPS runs per text, fastest counts; vellum $VELLUM_DESC; load $LOAD_START at start, $(load1) at end)"
print_table <"$W/table.tsv"
echo
echo "target: >= 30 MB/s from the start of add until a search finds the text: worst $WORST MB/s $(passfail "$WORST >= 30")"
