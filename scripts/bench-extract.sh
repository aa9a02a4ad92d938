#!/usr/bin/env bash
# Article extraction quality and speed: vellum against trafilatura and
# readability-lxml, in one run, on the same pages of the human-annotated
# Zyte/Scrapinghub article-extraction-benchmark (181 news and blog pages with
# their article bodies; MIT licence).
#
#   scripts/bench-extract.sh
#
# Quality: token-shingle F1 as the benchmark's evaluate.py computes it
# (scripts/extract-eval.py). vellum is scored on its article body (the title
# line it archives is left out, as the ground truth has no title).
# Speed: mean milliseconds per page, in-process (parsing and extraction only,
# files already read; vellum's includes encoding detection and decoding) and
# as a whole process (one process per page, start-up and imports included,
# over the first BENCH_PROCESS_PAGES pages).
#
# Environment:
#   VELLUM_AEB     the benchmark: a checkout (html/*.html.gz, ground-truth.json)
#                  or a bare git mirror of it (default: ../.mirror/
#                  scrapinghub+article-extraction-benchmark/repo beside the
#                  repository); absent -> prints a note, exits 0
#   VELLUM_BIN     use this vellum binary instead of the release build
#   BENCH_VENV     the Python virtual environment (default target/bench-extract-venv);
#                  created and filled with pip when missing
#   BENCH_PROCESS_PAGES  pages timed as whole processes (default 40)
#   BENCH_DIR, BENCH_KEEP=1  scratch directory parent / keep it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

AEB=${VELLUM_AEB:-$REPO/../.mirror/scrapinghub+article-extraction-benchmark/repo}
make_scratch extract
mkdir -p "$W/aeb" "$W/html" "$W/out"
if [[ -f $AEB/ground-truth.json && -d $AEB/html ]]; then
    cp -r "$AEB/ground-truth.json" "$AEB/html" "$W/aeb/"
elif [[ -d $AEB ]] && git -C "$AEB" cat-file -e HEAD:ground-truth.json 2>/dev/null; then
    # A mirror lacks its largest files (other tools' outputs); git archive
    # names them on stderr, and html/ and ground-truth.json arrive whole.
    git -C "$AEB" archive HEAD html ground-truth.json 2>/dev/null | tar -x -C "$W/aeb" || true
    [[ -f $W/aeb/ground-truth.json ]] || die "could not read the benchmark from $AEB"
else
    echo "article-extraction-benchmark not found at $AEB (set VELLUM_AEB), skipping"
    exit 0
fi
for f in "$W"/aeb/html/*.html.gz; do
    gunzip -c "$f" >"$W/html/$(basename "$f" .html.gz).html"
done
PAGES=$(ls "$W/html" | wc -l)
log "$PAGES pages"

VENV=${BENCH_VENV:-$REPO/target/bench-extract-venv}
PY_OK=$(extractor_venv "$VENV")
((PY_OK)) || log "the Python extractors could not be installed; their rows are skipped"

build_vellum
if [[ -z ${EXTRACT_BENCH_BIN:-} ]]; then
    log "release build of examples/extract_bench"
    (cd "$REPO" && cargo build --release --locked --quiet --example extract_bench)
    EXTRACT_BENCH_BIN=$REPO/target/release/examples/extract_bench
fi
snapshot_vellum "$W"

declare -A INPROC PROC
log "vellum in-process"
INPROC[vellum]=$("$EXTRACT_BENCH_BIN" "$W/html" 2>&1 >"$W/out/vellum.json" | tail -1)
TOOLS=(vellum)
if ((PY_OK)); then
    for t in trafilatura readability; do
        log "$t in-process"
        INPROC[$t]=$("$VENV/bin/python" "$REPO/scripts/bench-extract-py.py" dir "$t" "$W/html" 2>&1 >"$W/out/$t.json" | tail -1)
        TOOLS+=("$t")
    done
fi

N=${BENCH_PROCESS_PAGES:-40}
mapfile -t SAMPLE < <(ls "$W/html" | head -n "$N")
for t in "${TOOLS[@]}"; do
    log "$t whole process, ${#SAMPLE[@]} pages"
    t0=$(now_ns)
    for p in "${SAMPLE[@]}"; do
        if [[ $t == vellum ]]; then
            "$VELLUM" extract "$W/html/$p" >/dev/null 2>&1 || true
        else
            "$VENV/bin/python" "$REPO/scripts/bench-extract-py.py" one "$t" "$W/html/$p" >/dev/null 2>&1 || true
        fi
    done
    t1=$(now_ns)
    PROC[$t]=$(awk -v ns=$((t1 - t0)) -v n=${#SAMPLE[@]} 'BEGIN {printf "%.1f", ns / 1e6 / n}')
done

echo
echo "article-extraction-benchmark, $PAGES pages; $VELLUM_DESC"
((PY_OK)) && echo "python: $("$VENV/bin/python" -c 'import importlib.metadata as m; print(", ".join(f"{p} {m.version(p)}" for p in ("trafilatura", "readability-lxml", "html-text")))')"
args=()
for t in "${TOOLS[@]}"; do args+=("$t=$W/out/$t.json"); done
python3 "$REPO/scripts/extract-eval.py" "$W/aeb/ground-truth.json" "${args[@]}" >"$W/scores.txt"
printf '%-14s %6s %10s %7s %14s %16s\n' extractor F1 precision recall "ms/page (lib)" "ms/page (process)"
tail -n +2 "$W/scores.txt" | while read -r name f1 p r _; do
    printf '%-14s %6s %10s %7s %14s %16s\n' "$name" "$f1" "$p" "$r" "${INPROC[$name]}" "${PROC[$name]}"
done
