#!/usr/bin/env bash
# Instructions of whole-process word diffs, counted by callgrind: a figure that does not
# move with the machine's load, for comparing two builds of the diff (#29).
#
#   scripts/diff-instructions.sh [N_PAIRS] [TOOL...]
#
# Runs `TOOL OLD NEW` under `valgrind --tool=callgrind` for N_PAIRS (default 30)
# consecutive version pairs of the corpus, spread evenly as scripts/bench-diff.sh picks
# them, and prints the total of the instructions counted ("Collected"). TOOL defaults to
# `$VELLUM_BIN diff --color never` (VELLUM_BIN: default target/release/vellum, built
# when missing); give `git diff --no-index --word-diff` to count git on the same pairs.
# Skips cleanly when the corpus is absent.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
N_PAIRS=${1:-30}
shift || true
require_corpus
ensure_pkgs valgrind:valgrind
have valgrind || die "valgrind is needed"
if (($# == 0)); then
    if [[ -z ${VELLUM_BIN:-} ]]; then
        [[ -x $REPO/target/release/vellum ]] ||
            (cd "$REPO" && cargo build --release --locked --quiet)
        VELLUM_BIN=$REPO/target/release/vellum
    fi
    set -- "$VELLUM_BIN" diff --color never
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/vellum-diffinstr.XXXXXX")
trap 'rm -rf "$W"' EXIT
version_pairs "$CORPUS" >"$W/all.tsv"
TOTAL=$(wc -l <"$W/all.tsv")
awk -v n="$N_PAIRS" -v t="$TOTAL" '
    BEGIN { for (k = 0; k < n; k++) want[int(k * t / n) + 1] = 1 }
    NR in want' "$W/all.tsv" >"$W/pairs.tsv"
sum=0
while IFS=$'\t' read -r old new; do
    # A diff exits 1 when the texts differ: not a failure here.
    n=$({ valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" "$old" "$new" </dev/null \
        2>&1 >/dev/null || true; } | awk '/Collected :/ { print $NF }')
    [[ -n $n ]] || die "no count for $old $new"
    sum=$((sum + n))
done <"$W/pairs.tsv"
printf '%d instructions over %d of %d pairs: %s\n' "$sum" "$(wc -l <"$W/pairs.tsv")" "$TOTAL" "$*"
