#!/usr/bin/env bash
# Crash test: kill -9 `vellum add --batch` at random moments and check that
# nothing acknowledged is ever lost and the store stays clean.
#
#   scripts/crash-test.sh [TRIALS] [SEED]        (defaults: 20 trials, seed 1)
#
# One store accumulates over all trials. Per trial:
#   1. make a few hundred distinct captures: small texts cut deterministically
#      from tests/fixtures/articles/* (many documents, several versions each,
#      some repeated content), plus real documents sampled from
#      ${VELLUM_CORPUS:-../shared/corpus/pga-versions} when that exists;
#   2. write them as several batch files and run `vellum add --batch` on them
#      one after another, each batch's stdout going to its own file;
#   3. kill -9 the whole run (setsid process group) during a seeded batch, at
#      a seeded moment of it (batch time measured first on a scratch store);
#   4. check: `vellum verify` exits 0 right after the kill; the next writer (a
#      small `vellum add`) succeeds, leaves no `.tmp-*` file, and verify still
#      exits 0; every capture whose line was printed is there, with `vellum
#      show CAPTURE_ID` byte-for-byte equal to its source file.
# Captures are checked with one `vellum show --batch` (parsed by python3; one
# `vellum show` per capture without python3) plus `vellum show CAPTURE_ID` on
# a 3% sample. At the end every capture acknowledged in any trial is checked
# again.
#
# Environment:
#   VELLUM_BIN      binary to test (default: target/release/vellum, built here)
#   VELLUM_CORPUS   real corpus directory (versions/, manifest.tsv)
#   CRASH_CAPTURES  fixture-derived captures per trial (default 300)
#   CRASH_CORPUS    corpus captures per trial (default 60; 0 to skip)
#   CRASH_BATCH     mean batch size (default 40)
#   CRASH_INIT_EVERY  every Nth trial also kills an `add` creating a new store
#                   (default 3; 0 to skip): afterwards there must be no store
#                   or a whole one that verifies (init is atomic)
#   KEEP=1          keep the work directory (always kept on failure)
#
# A failing trial keeps its directory (trial-T/: batches, outputs, verify
# output) and a copy of the store as the failure found it
# (trial-T/store-after-kill/ or trial-T/store-at-failure/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

trials=${1:-20}
seed=${2:-1}
n_fixture=${CRASH_CAPTURES:-300}
n_corpus=${CRASH_CORPUS:-60}
batch_mean=${CRASH_BATCH:-40}
init_every=${CRASH_INIT_EVERY:-3}
corpus=${VELLUM_CORPUS:-../shared/corpus/pga-versions}

NAME=crash
# shellcheck source=scripts/test-lib.sh
source "$root/scripts/test-lib.sh"

RANDOM=$seed
store=$work/store
acked=$work/acked.tsv # CAPTURE_ID <tab> source file, every acknowledged capture
: >"$acked"

have_corpus=0
if ((n_corpus > 0)) && [[ -f $corpus/manifest.tsv && -d $corpus/versions ]]; then
    have_corpus=1
    corpus=$(realpath "$corpus")
fi

# gen_trial T DIR: writes DIR/files/* and DIR/batch-NN.jsonl for trial T.
gen_trial() {
    local t=$1 dir=$2
    mkdir -p "$dir/files"
    # Fixture-derived captures: a header line, then a window of lines of one
    # article. Every 10th capture repeats the previous one's text in the same
    # document (an "unchanged" sighting), every 10th+4 repeats it in another
    # document; times are unique per (trial, capture).
    awk -v t="$t" -v n="$n_fixture" -v dir="$dir" -v seed="$seed" '
        FNR == 1 { nf++ }
        { line[nf, FNR] = $0; len[nf] = FNR }
        END {
            for (i = 0; i < n; i++) {
                k = i % nf + 1
                f = sprintf("%s/files/fx-%d-%04d.txt", dir, t, i)
                if (i % 10 == 9 || i % 10 == 4) {
                    src = prev
                    doc = (i % 10 == 9) ? prevdoc : sprintf("fx-copy-%d", i % 7)
                    while ((getline l < src) > 0) print l > f
                    close(src)
                } else {
                    doc = sprintf("fx-%d-%d", k, (i * 7 + seed) % 23)
                    if (i % 3 == 0) print "Trial " t ", capture " i > f
                    else print "Capture " i " of " doc > f
                    start = (i * 37 + t * 11) % len[k]
                    w = 3 + (i * 13 + t) % 25
                    for (j = 0; j < w; j++) print line[k, (start + j) % len[k] + 1] > f
                }
                close(f)
                prev = f; prevdoc = doc
                printf "{\"path\": \"%s\", \"doc\": \"%s\", \"captured_at\": \"%04d-01-01T%02d:%02d:%02dZ\", \"source\": \"fixture-%d\"}\n",
                    f, doc, 1001 + t, int(i / 3600) % 24, int(i / 60) % 60, i % 60, k
            }
        }' "$root"/tests/fixtures/articles/*.txt "$root"/tests/fixtures/articles/*-20*.md \
        >"$dir/lines.jsonl"
    if ((have_corpus)); then
        # Real documents: a seeded sample of the corpus, at their real times.
        awk -F'\t' -v n="$n_corpus" -v s="$((seed * 1000 + t))" -v c="$corpus" '
            NR == 1 { srand(s); next }
            { row[++m] = $0 }
            END {
                for (i = 0; i < n && m > 0; i++) {
                    r = int(rand() * m) + 1
                    split(row[r], f, "\t")
                    printf "{\"path\": \"%s/versions/%s/%s.md\", \"doc\": \"pga-%s\", \"captured_at\": \"%s\", \"source\": \"pga\"}\n",
                        c, f[1], f[2], f[1], f[3]
                }
            }' "$corpus/manifest.tsv" >>"$dir/lines.jsonl"
    fi
    # Shuffle-free split into batches of seeded, varying sizes.
    local total i=0 b=0 size
    total=$(wc -l <"$dir/lines.jsonl")
    while ((i < total)); do
        size=$((batch_mean / 2 + RANDOM % (batch_mean + 1)))
        sed -n "$((i + 1)),$((i + size))p" "$dir/lines.jsonl" >"$dir/batch-$(printf %02d $b).jsonl"
        i=$((i + size))
        b=$((b + 1))
    done
}

# run_batches DIR STORE: the writer under test, one batch after another.
# Writes DIR/out-NN (acknowledgements) and DIR/rc-NN (exit status).
run_batches() {
    local dir=$1 st=$2 b
    for b in "$dir"/batch-*.jsonl; do
        b=${b##*/batch-}
        b=${b%.jsonl}
        "$vellum" --store "$st" add --batch "$dir/batch-$b.jsonl" \
            >"$dir/out-$b" 2>"$dir/err-$b" && echo 0 >"$dir/rc-$b" || echo $? >"$dir/rc-$b"
    done
}
export -f run_batches
export vellum


# check_captures PAIRS: checks every "CAPTURE_ID <tab> SOURCE_FILE" line of
# PAIRS with one `vellum show --batch`, and a sample of them with `vellum show
# CAPTURE_ID`; prints the number missing or different (details on stderr).
check_captures() {
    local pairs=$1 lost=0 id path
    if command -v python3 >/dev/null; then
        lost=$(cut -f1 "$pairs" | "$vellum" --store "$store" show --batch | python3 -c '
import sys
pairs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
out = sys.stdin.buffer
lost = 0
for cid, path in pairs:
    head = out.readline().decode()
    want = open(path, "rb").read()
    parts = head.split()
    if len(parts) != 3 or parts[0] != cid or " missing: " in head:
        print(f"capture {cid} ({path}): {head.strip()}", file=sys.stderr)
        lost += 1
        continue
    body = out.read(int(parts[2]))
    out.read(1)
    if body != want:
        print(f"capture {cid} differs from {path}", file=sys.stderr)
        lost += 1
print(lost)' "$pairs")
    else
        while IFS=$'\t' read -r id path; do
            if ! "$vellum" --store "$store" show "$id" 2>/dev/null | cmp -s - "$path"; then
                echo "capture $id ($path) is missing or differs" >&2
                lost=$((lost + 1))
            fi
        done <"$pairs"
    fi
    # The single-capture command too, on a sample.
    while IFS=$'\t' read -r id path; do
        if ! "$vellum" --store "$store" show "$id" 2>/dev/null | cmp -s - "$path"; then
            echo "capture $id ($path): vellum show differs" >&2
            lost=$((lost + 1))
        fi
    done < <(awk -v s="$RANDOM" 'BEGIN { srand(s) } rand() < 0.03' "$pairs")
    echo "$lost"
}

# check_acks DIR: maps each acknowledged line to its batch line (output lines
# are in batch order) and checks the captures. Appends to $acked; sets n_ack
# and n_lost.
check_acks() {
    local dir=$1 out b
    : >"$dir/pairs"
    for out in "$dir"/out-*; do
        [[ -e $out ]] || continue
        b=${out##*/out-}
        paste -d '\t' "$out" <(head -n "$(wc -l <"$out")" "$dir/batch-$b.jsonl") |
            awk -F'\t' -v pairs="$dir/pairs" '
                {
                    ok = match($1, /^[a-z0-9][a-z0-9._-]*@[0-9]+ [0-9a-f]+ (new|unchanged)$/)
                    split($1, a, " ")
                    doc = a[1]; sub(/@[0-9]+$/, "", doc)
                    match($2, /"path": "[^"]*"/); path = substr($2, RSTART + 9, RLENGTH - 10)
                    match($2, /"doc": "[^"]*"/); want = substr($2, RSTART + 8, RLENGTH - 9)
                    if (!ok || length(a[2]) != 64) print "unexpected output line: " $1
                    else if (doc != want) print "ack \"" $1 "\" is for doc " want
                    else print a[2] "\t" path >> pairs
                }' >"$dir/ack-errors"
        while read -r e; do fail "trial dir $dir: $e"; done <"$dir/ack-errors"
    done
    cat "$dir/pairs" >>"$acked"
    n_ack=$(wc -l <"$dir/pairs")
    n_lost=$(check_captures "$dir/pairs" 2>"$dir/lost")
    if ((n_lost)); then
        fail "$dir: $n_lost acknowledged capture(s) missing or different: $(head -5 "$dir/lost")"
    fi
}

# Calibration: how long does an uninterrupted trial take?
# keep_store DIR NAME: a copy of the store as a failure found it.
keep_store() {
    [[ -e $1/$2 ]] || cp -a "$store" "$1/$2"
}

# init_trial DIR SPAN_MS: kills an `add` creating a new store at a seeded
# moment, then checks there is no store or a whole one.
init_trials=0 init_whole=0
init_trial() {
    local dir=$1 span=$2 st=$1/new-store delay pid
    printf 'new store\n' >"$dir/first.txt"
    delay=$((span / 3 + RANDOM % (span + 1)))
    setsid "$vellum" --store "$st" add "$dir/first.txt" --doc first >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    init_trials=$((init_trials + 1))
    [[ -e $st ]] || return 0
    init_whole=$((init_whole + 1))
    if [[ ! -f $st/VELLUM ]]; then
        fail "$dir: the killed init left $st without its VELLUM marker: $(ls -A "$st" | tr '\n' ' ')"
    fi
    if ! "$vellum" --store "$st" verify >"$dir/init-verify" 2>&1; then
        fail "$dir: verify of the store whose creation was killed: $(head -c 1000 "$dir/init-verify")"
    fi
    if ! "$vellum" --store "$st" log >"$dir/init-log" 2>&1; then
        fail "$dir: log of the store whose creation was killed: $(head -c 1000 "$dir/init-log")"
    fi
}

gen_trial 0 "$work/calib"
t0=$(now_ms)
run_batches "$work/calib" "$work/calib-store"
span=$(($(now_ms) - t0))
n_batches=$(ls "$work"/calib/batch-*.jsonl | wc -l)
n_lines=$(cat "$work"/calib/batch-*.jsonl | wc -l)
for rc in "$work"/calib/rc-*; do
    if [[ $(cat "$rc") != 0 ]]; then
        fail "calibration batch ${rc##*/rc-} failed: $(head -c 500 "$work/calib/err-${rc##*/rc-}")"
    fi
done
((failures)) && exit 1
batch_ms=$((span / n_batches))
echo "crash-test: $n_lines captures in $n_batches batches per trial; an uninterrupted run takes ${span} ms"
rm -rf "$work/calib" "$work/calib-store"
mkdir -p "$work/init-calib"
t0=$(now_ms)
printf 'new store\n' >"$work/init-calib/first.txt"
"$vellum" --store "$work/init-calib/s" add "$work/init-calib/first.txt" --doc first >/dev/null 2>&1
init_span=$(($(now_ms) - t0 + 5))
rm -rf "$work/init-calib"

total_ack=0 total_lost=0 mid_write=0 tmp_seen=0 uncataloged=0
start=$(now_ms)
for ((t = 1; t <= trials; t++)); do
    dir=$work/trial-$t
    gen_trial "$t" "$dir"
    # Kill during a seeded batch, at a seeded moment of it (assuming batches
    # take as long as in the calibration run).
    nb=$(ls "$dir"/batch-*.jsonl | wc -l)
    kill_batch=$((RANDOM % nb))
    delay=$((RANDOM % (batch_ms + 1)))
    setsid bash -c 'run_batches "$1" "$2"' _ "$dir" "$store" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null && (($(ls "$dir" | grep -c '^rc-') < kill_batch)); do
        sleep 0.01
    done
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 -- "-$pid" 2>/dev/null || true
        mid_write=$((mid_write + 1))
    fi
    wait "$pid" 2>/dev/null || true
    done_batches=0
    for rc in "$dir"/rc-*; do
        [[ -e $rc ]] || continue
        done_batches=$((done_batches + 1))
        if [[ $(cat "$rc") != 0 ]]; then
            fail "trial $t: batch ${rc##*/rc-} failed (exit $(cat "$rc")): $(head -c 500 "$dir/err-${rc##*/rc-}")"
        fi
    done

    # Right after the kill: readers see a clean store.
    tmps=0
    if [[ -e $store ]]; then tmps=$(find "$store" -name '.tmp-*' | wc -l); fi
    tmp_seen=$((tmp_seen + tmps))
    if [[ ! -e $store ]]; then
        # Killed while the first batch created the store (atomic): no store.
        echo "no store: its creation was killed" >"$dir/verify1"
    elif ! "$vellum" --store "$store" verify >"$dir/verify1" 2>&1; then
        keep_store "$dir" store-after-kill
        fail "trial $t: verify after the kill reports damage: $(head -c 1000 "$dir/verify1") (store kept in $dir/store-after-kill)"
    fi
    # The next writer cleans up and succeeds.
    printf 'trial %d marker\n' "$t" >"$dir/marker.txt"
    if ! "$vellum" --store "$store" add "$dir/marker.txt" --doc crash-marker \
        --at "$(printf '%04d-06-01T00:00:00Z' $((2001 + t)))" >"$dir/marker.out" 2>&1; then
        keep_store "$dir" store-at-failure
        fail "trial $t: the next writer failed: $(head -c 1000 "$dir/marker.out")"
    fi
    left=$(find "$store" -name '.tmp-*' | wc -l)
    if ((left)); then
        fail "trial $t: $left .tmp-* file(s) left after the next writer: $(find "$store" -name '.tmp-*' | head -3)"
    fi
    if ! "$vellum" --store "$store" verify >"$dir/verify2" 2>&1; then
        keep_store "$dir" store-at-failure
        fail "trial $t: verify after the next writer reports damage: $(head -c 1000 "$dir/verify2")"
    fi
    before=$failures
    check_acks "$dir"
    ((failures == before)) || keep_store "$dir" store-at-failure
    if ((init_every > 0 && t % init_every == 0)); then
        init_trial "$dir" "$init_span"
    fi
    total_ack=$((total_ack + n_ack))
    total_lost=$((total_lost + n_lost))
    if grep -q 'not in the catalog yet' "$dir/verify1"; then
        uncataloged=$((uncataloged + 1))
    fi
    printf 'crash-test: trial %2d: kill in batch %2d +%4d ms, %2d batch(es) done, %4d acknowledged, %d lost, %d .tmp file(s) after the kill\n' \
        "$t" "$kill_batch" "$delay" "$done_batches" "$n_ack" "$n_lost" "$tmps"
done

# Every capture acknowledged in any trial, once more at the end.
final_lost=$(check_captures "$acked" 2>"$work/final-lost")
if ((final_lost)); then
    fail "final check: $final_lost acknowledged capture(s) missing or different: $(head -5 "$work/final-lost")"
fi
if ! "$vellum" --store "$store" verify >"$work/verify-final" 2>&1; then
    fail "final verify reports damage: $(head -c 1000 "$work/verify-final")"
fi
captures=$("$vellum" --store "$store" log --json | grep -o '"captures":[0-9]*' | cut -d: -f2 |
    awk '{s += $1} END {print s + 0}')

echo
echo "crash-test: seed $seed, $(($(now_ms) - start)) ms"
echo "  trials run:               $trials ($mid_write killed mid-run)"
echo "  captures acknowledged:    $total_ack (distinct: $(cut -f1 "$acked" | sort -u | wc -l))"
echo "  captures lost:            $total_lost (final re-check: $final_lost)"
echo "  .tmp-* files after kills: $tmp_seen (all removed by the next writer)"
echo "  kills that left a durable, uncataloged pack (indexed by the next writer): $uncataloged"
echo "  captures in the store:    $captures"
echo "  store creations killed:   $init_trials ($init_whole left a whole store, $((init_trials - init_whole)) none; never half of one unless FAIL above)"
echo "  final verify:             $(tail -1 "$work/verify-final")"
if ((failures)); then
    echo "crash-test: FAILED ($failures failure(s))" >&2
    exit 1
fi
echo "crash-test: ok"
