#!/usr/bin/env bash
# Exact decoding of undeclared legacy text, measured on the public test files
# of two encoding detectors, per encoding: vellum now (src/ingest/charset)
# against chardetng alone (what vellum used before), and optionally python
# chardet and charset-normalizer as peers (--peers: installs them in a venv).
#
#   scripts/bench-encoding.sh [--peers] [--list]
#
# Data: $VELLUM_ENCODING_DATA (default target/encoding-data) holding
#   uchardet/test/<lang>/<encoding>.txt   uchardet's test suite (MPL/GPL/LGPL)
#   chardet/tests/<ENCODING>[-lang]/*     chardet's test files (each copyright
#                                         its publisher: not committed here)
# Neither is downloaded by this script (no network at run time): bring them
# with any git client, e.g. the `test/` folder of uchardet (gitlab
# freedesktop, or its GitHub mirror GerHobbelt/uchardet) and the `tests/`
# folder of github.com/chardet/chardet. Without the folder: a note, exit 0.
#
# A file counts as exact when the text decoded without any declaration equals
# the file decoded with the encoding its suite names. --list prints each miss.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
DATA=${VELLUM_ENCODING_DATA:-$REPO/target/encoding-data}
peers=0
args=()
for a in "$@"; do
    case $a in
        --peers) peers=1 ;;
        --list) args+=(--list) ;;
        *) die "unknown argument $a" ;;
    esac
done
if [[ ! -d $DATA/uchardet/test && ! -d $DATA/chardet/tests ]]; then
    echo "no encoding test files at $DATA (set VELLUM_ENCODING_DATA), skipping"
    exit 0
fi
log "building the benchmark (release)"
(cd "$REPO" && cargo build --release --quiet --example encoding_bench)
"$REPO/target/release/examples/encoding_bench" "$DATA" "${args[@]}"
if [[ $peers == 1 ]]; then
    venv=${BENCH_DIR:-/tmp}/vellum-encoding-venv
    log "python chardet and charset-normalizer in $venv"
    [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet chardet charset-normalizer
    "$venv/bin/python" "$REPO/scripts/bench-encoding-peers.py" "$DATA"
fi
