#!/usr/bin/env bash
# Article extraction on several public annotated benchmarks in one run:
# vellum, trafilatura and readability-lxml on every page of every benchmark,
# scored the same way (the Zyte benchmark's token-shingle F1, precision and
# recall; scripts/extract-eval-all.py), per benchmark and pooled, with
# vellum-minus-other F1 differences and their 95% bootstrap intervals
# (1,000 page resamples), and the in-process milliseconds per page.
#
#   scripts/bench-extract-all.sh [--split dev|holdout]
#
# The benchmarks (scripts/extract-data.py says where each comes from and how
# its ground truth is read): Zyte/Scrapinghub, CleanEval (dev + final),
# CleanPortalEval, Dragnet, L3S-GN1, Mozilla Readability's test pages and the
# WCXB's held-out article pages. They are read from bare git mirrors of their
# public repositories (as the `fetch` tool leaves them) and gathered once into
# a data folder; nothing of them is committed here.
#
# Environment:
#   VELLUM_EXTRACT_DATA  the data folder (default target/extract-data); built
#                 from VELLUM_MIRRORS when it has no truth.json
#   VELLUM_MIRRORS  the mirrors (default ../.mirror beside the repository);
#                 no data and no mirrors -> prints a note, exits 0
#   VELLUM_BIN, EXTRACT_BENCH_BIN  use these binaries instead of building
#   BENCH_VENV    the Python virtual environment (default target/bench-extract-venv);
#                 created and filled with pip when missing
#   BENCH_FRESH=1 rerun the Python extractors even when the data folder holds
#                 their output for the installed versions (their outputs are
#                 kept per tool version in DATA/out/, timings included)
#   BENCH_RESAMPLES  bootstrap resamples (default 1000)
#   BENCH_DIR, BENCH_KEEP=1  scratch directory parent / keep it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

SPLIT=()
if [[ ${1:-} == --split ]]; then SPLIT=(--split "$2"); fi

DATA=${VELLUM_EXTRACT_DATA:-$REPO/target/extract-data}
MIRRORS=${VELLUM_MIRRORS:-$REPO/../.mirror}
if [[ ! -f $DATA/truth.json ]]; then
    if [[ ! -d $MIRRORS ]]; then
        echo "no benchmark data at $DATA and no mirrors at $MIRRORS (set VELLUM_EXTRACT_DATA or VELLUM_MIRRORS), skipping"
        exit 0
    fi
    log "gathering the benchmarks from $MIRRORS into $DATA"
    python3 "$REPO/scripts/extract-data.py" "$MIRRORS" "$DATA"
fi
PAGES=$(ls "$DATA/html" 2>/dev/null | wc -l)
if ((PAGES == 0)); then
    echo "no benchmark pages found (mirrors at $MIRRORS), skipping"
    exit 0
fi
make_scratch extract-all
mkdir -p "$W/out" "$DATA/out"

VENV=${BENCH_VENV:-$REPO/target/bench-extract-venv}
PY_OK=$(extractor_venv "$VENV")
((PY_OK)) || log "the Python extractors could not be installed; their columns are skipped"

if [[ -z ${EXTRACT_BENCH_BIN:-} ]]; then
    log "release build of examples/extract_bench"
    (cd "$REPO" && cargo build --release --locked --quiet --example extract_bench)
    EXTRACT_BENCH_BIN=$REPO/target/release/examples/extract_bench
fi

log "vellum on $PAGES pages"
"$EXTRACT_BENCH_BIN" "$DATA/html" >"$W/out/vellum.json" 2>"$W/vellum.ms"
args=("vellum=$W/out/vellum.json")
if ((PY_OK)); then
    for t in trafilatura readability; do
        pkg=$t
        [[ $t == readability ]] && pkg=readability-lxml
        ver=$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$pkg'))")
        out=$DATA/out/$t-$ver.json
        if [[ -n ${BENCH_FRESH:-} || ! -s $out ]]; then
            log "$t $ver on $PAGES pages"
            "$VENV/bin/python" "$REPO/scripts/bench-extract-py.py" raw "$t" "$DATA/html" >"$out.part" 2>/dev/null
            mv "$out.part" "$out"
        else
            log "$t $ver: reusing $out"
        fi
        args+=("$t=$out")
    done
fi

echo
echo "article extraction, $PAGES pages; vellum $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?') (release), mean $(cat "$W/vellum.ms") ms/page"
((PY_OK)) && echo "python: $("$VENV/bin/python" -c 'import importlib.metadata as m; print(", ".join(f"{p} {m.version(p)}" for p in ("trafilatura", "readability-lxml", "html-text")))')"
python3 "$REPO/scripts/extract-eval-all.py" "$DATA/truth.json" vellum "${args[@]}" \
    --resamples "${BENCH_RESAMPLES:-1000}" "${SPLIT[@]}"
