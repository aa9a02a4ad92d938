#!/usr/bin/env bash
# Fuzzes vellum's parsers and decoders with cargo-fuzz (libFuzzer + ASan).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default: 30 seconds, every target)
#
# Targets (fuzz/fuzz_targets/): object_decode pack_scan record_parse
# address_parse batch_line diff warc_read proof_check web_ingest feed_parse search_query serve_request republish_text store_url pack_index log_segment record_set. Each target starts from its committed seeds
# (fuzz/seeds/<target>/), copied into a scratch corpus (fuzz/corpus/<target>/,
# git-ignored, kept between runs so coverage accumulates). Known crashing
# inputs in fuzz/regressions/<target>/ are replayed first.
#
# Prints, per target, the executions run and whether it crashed; crashing
# inputs land in fuzz/artifacts/<target>/. Exits 1 if any target crashed or
# any regression input still crashes.
#
# Stable Rust: cargo-fuzz needs nightly flags (-Zsanitizer), so this runs it
# with RUSTC_BOOTSTRAP=1. Installs cargo-fuzz when missing.
#
# Environment:
#   FUZZ_DEBUG_ASSERTIONS=1  build with debug assertions (overflow checks)
#   FUZZ_ROUNDTRIP=1         object_decode also runs encode->decode round trips
#                            (off: gcc-built zstd + ASan gives a false report)
#   FUZZ_ARGS="..."          extra libFuzzer arguments (e.g. "-jobs=4")
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
all_targets=(object_decode pack_scan record_parse address_parse batch_line diff warc_read proof_check web_ingest feed_parse search_query serve_request republish_text store_url pack_index log_segment record_set)
if (($#)); then
    targets=("$@")
else
    targets=("${all_targets[@]}")
fi

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install --locked cargo-fuzz
fi

# One build for all targets. FUZZ_DEBUG_ASSERTIONS=1 adds debug assertions
# (overflow checks), at the price of a full rebuild.
build=(--release)
if [[ -n ${FUZZ_DEBUG_ASSERTIONS:-} ]]; then
    build+=(--debug-assertions)
fi
echo "fuzz.sh: building fuzz targets" >&2
cargo fuzz build "${build[@]}" >&2

logs=fuzz/artifacts/logs
mkdir -p "$logs"
failed=0
report=()
for t in "${targets[@]}"; do
    corpus=fuzz/corpus/$t
    mkdir -p "$corpus" "fuzz/artifacts/$t"
    cp -n fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null || true

    # Known crashing inputs: each one is a bug until it stops crashing.
    regress="ok"
    if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
        for f in fuzz/regressions/"$t"/*; do
            rlog=$logs/$t.regression-${f##*/}.log
            if ! cargo fuzz run "${build[@]}" "$t" "$f" -- -runs=1 >"$rlog" 2>&1; then
                regress="FAILS ($f)"
                failed=1
                echo "fuzz.sh: $t: regression input $f still crashes:" >&2
                grep -m1 -A2 "panicked at" "$rlog" >&2 || true
            fi
        done
    fi

    echo "fuzz.sh: fuzzing $t for ${seconds}s" >&2
    log=$logs/$t.log
    status=0
    extra=()
    if [[ $t == diff ]]; then
        # Diffing is costly (~100 execs/s at 3 KB): favour many small inputs.
        extra=(-max_len=1500)
    fi
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of words
    cargo fuzz run "${build[@]}" "$t" "$corpus" -- \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=20 \
        "${extra[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
    execs=$( (grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" || true) |
        grep -o '[0-9]*$' | awk '{s += $1} END {print s + 0}')
    if ((status != 0)) && grep -q 'could not compile' "$log"; then
        failed=1
        result="BUILD FAILED (see $log)"
        echo "fuzz.sh: $t: build failed:" >&2
        grep -m1 -A3 '^error' "$log" >&2 || true
    elif ((status != 0)); then
        failed=1
        crash=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
        result="CRASHED (exit $status) input: ${crash:-see $log}"
        echo "fuzz.sh: $t crashed:" >&2
        grep -m1 -A3 -E "panicked at|ERROR: (AddressSanitizer|libFuzzer)" "$log" >&2 || tail -20 "$log" >&2
    else
        result="ok"
    fi
    report+=("$(printf '%-14s %12s execs  regressions: %-8s  %s' "$t" "$execs" "$regress" "$result")")
done

echo
echo "fuzz.sh: ${seconds}s per target (logs in $logs/)"
printf '%s\n' "${report[@]}"
if ((failed)); then
    echo "fuzz.sh: FAILED" >&2
    exit 1
fi
echo "fuzz.sh: no crashes"
