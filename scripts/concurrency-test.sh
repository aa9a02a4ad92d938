#!/usr/bin/env bash
# Concurrency test: several writers and readers on one store at once.
#
#   scripts/concurrency-test.sh [PROCS] [PER_PROC]     (defaults: 4 and 500)
#
# PROCS writer processes each archive PER_PROC captures into one store at the
# same time, alternating `vellum add --batch` (batches of 5-40) and single
# `vellum add FILE --doc D --at T`. Some documents are shared by all writers,
# some belong to one writer; some captures repeat content already sent (by the
# same or another writer). Meanwhile readers run `log`, `log --json`,
# `log DOC`, `show DOC`, `show CAPTURE` and `verify` in a loop; every reader
# command must succeed.
#
# At the end: every writer command succeeded; the store holds exactly the
# captures sent (summed from `log --json`); every acknowledged capture id
# resolves (`show --batch`); each document's versions are numbered 1..n in
# order; `verify` is clean.
#
# Environment: VELLUM_BIN (default: target/release/vellum, built here),
# KEEP=1 to keep the work directory (always kept on failure).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

procs=${1:-4}
per_proc=${2:-500}

NAME=concurrency
# shellcheck source=scripts/test-lib.sh
source "$root/scripts/test-lib.sh"

store=$work/store
"$vellum" init "$store" >/dev/null

# Capture files: writer p, capture i. A header line and a window of one
# article's lines. Every 8th capture repeats content sent before (by this
# writer: i-1; or the same shared text all writers send); times are unique
# per (p, i) and interleave across writers, so shared documents get versions
# from every writer in captured-at order regardless of commit order.
gen_writer() {
    local p=$1 dir=$work/w$p
    mkdir -p "$dir/files"
    awk -v p="$p" -v n="$per_proc" -v procs="$procs" -v dir="$dir" '
        FNR == 1 { nf++ }
        { line[nf, FNR] = $0; len[nf] = FNR }
        END {
            for (i = 0; i < n; i++) {
                k = (i + p) % nf + 1
                f = sprintf("%s/files/c-%04d.txt", dir, i)
                if (i % 4 == 0) doc = sprintf("shared-%d", i % 9)
                else doc = sprintf("w%d-doc-%d", p, i % 13)
                if (i % 8 == 7) {
                    src = prev
                    while ((getline l < src) > 0) print l > f
                    close(src)
                } else if (i % 8 == 3) {
                    # Identical text from every writer, into a shared document.
                    doc = "shared-common"
                    print "The same text, sent by every writer." > f
                    print line[k, 1] > f
                } else {
                    print "Writer " p ", capture " i > f
                    start = (i * 31 + p * 7) % len[k]
                    w = 2 + (i * 11 + p) % 20
                    for (j = 0; j < w; j++) print line[k, (start + j) % len[k] + 1] > f
                }
                close(f)
                prev = f
                s = i * procs + p
                printf "%s\t%s\t2010-01-01T%02d:%02d:%02dZ\n", f, doc, int(s / 3600) % 24, int(s / 60) % 60, s % 60
            }
        }' "$root"/tests/fixtures/articles/*.txt "$root"/tests/fixtures/articles/*-20*.md \
        >"$dir/plan.tsv"
}

# run_writer P: works through its plan, alternating a batch and a few singles.
# Appends acknowledgements to w$P/acks and failures to w$P/errors.
run_writer() {
    local p=$1 dir=$work/w$p i=0 n size b=0 f doc at
    n=$(wc -l <"$dir/plan.tsv")
    RANDOM=$((p * 7919 + 17))
    : >"$dir/acks"
    : >"$dir/errors"
    while ((i < n)); do
        if ((b % 2 == 0)); then
            size=$((5 + RANDOM % 36))
            sed -n "$((i + 1)),$((i + size))p" "$dir/plan.tsv" |
                awk -F'\t' '{ printf "{\"path\": \"%s\", \"doc\": \"%s\", \"captured_at\": \"%s\"}\n", $1, $2, $3 }' \
                    >"$dir/batch-$b.jsonl"
            if ! "$vellum" --store "$store" add --batch "$dir/batch-$b.jsonl" \
                >>"$dir/acks" 2>"$dir/err"; then
                echo "batch $b: $(grep -v 'waiting for another writer' "$dir/err" | head -c 500)" >>"$dir/errors"
            fi
            i=$((i + size))
        else
            size=$((1 + RANDOM % 4))
            while IFS=$'\t' read -r f doc at; do
                if ! "$vellum" --store "$store" add "$f" --doc "$doc" --at "$at" \
                    >>"$dir/acks" 2>"$dir/err"; then
                    echo "single $f: $(grep -v 'waiting for another writer' "$dir/err" | head -c 500)" >>"$dir/errors"
                fi
            done < <(sed -n "$((i + 1)),$((i + size))p" "$dir/plan.tsv")
            i=$((i + size))
        fi
        b=$((b + 1))
    done
}

# run_reader KIND: one reader command in a loop until the stop file exists.
run_reader() {
    local kind=$1 dir=$work/readers ok=0 bad=0 rc
    mkdir -p "$dir"
    while [[ ! -e $work/stop ]]; do
        rc=0
        case $kind in
        log) "$vellum" --store "$store" log >/dev/null 2>"$dir/$kind.err" || rc=$? ;;
        log-json) "$vellum" --store "$store" log --json >/dev/null 2>"$dir/$kind.err" || rc=$? ;;
        log-doc) "$vellum" --store "$store" log shared-0 >/dev/null 2>"$dir/$kind.err" || rc=$? ;;
        show-doc) "$vellum" --store "$store" show shared-0 >/dev/null 2>"$dir/$kind.err" || rc=$? ;;
        show-id)
            "$vellum" --store "$store" show "$seed_id" >"$dir/$kind.out" 2>"$dir/$kind.err" || rc=$?
            if ((rc == 0)) && ! cmp -s "$dir/$kind.out" "$work/seed.txt"; then rc=99; fi
            ;;
        verify) "$vellum" --store "$store" verify >"$dir/$kind.out" 2>"$dir/$kind.err" || rc=$? ;;
        esac
        if ((rc == 0)); then
            ok=$((ok + 1))
        else
            bad=$((bad + 1))
            { echo "exit $rc"; cat "$dir/$kind.err" "$dir/$kind.out" 2>/dev/null; } |
                head -c 2000 >"$dir/$kind.failure-$bad"
        fi
    done
    echo "$ok $bad" >"$dir/$kind.count"
}

for ((p = 0; p < procs; p++)); do gen_writer "$p"; done

# A first capture, so readers have a document and a capture to read.
printf 'Seed capture for the readers.\n' >"$work/seed.txt"
seed_line=$("$vellum" --store "$store" add "$work/seed.txt" --doc shared-0 --at 2000-01-01T00:00:00Z)
seed_id=$(cut -d' ' -f2 <<<"$seed_line")

readers=(log log-json log-doc show-doc show-id verify)
reader_pids=()
for r in "${readers[@]}"; do
    run_reader "$r" &
    reader_pids+=($!)
done

start=$(now_ms)
writer_pids=()
for ((p = 0; p < procs; p++)); do
    run_writer "$p" &
    writer_pids+=($!)
done
for pid in "${writer_pids[@]}"; do wait "$pid"; done
elapsed=$(($(now_ms) - start))
touch "$work/stop"
for pid in "${reader_pids[@]}"; do wait "$pid"; done

# Writers: every command succeeded, every capture acknowledged.
acked=0
for ((p = 0; p < procs; p++)); do
    if [[ -s $work/w$p/errors ]]; then
        fail "writer $p: $(wc -l <"$work/w$p/errors") command(s) failed, first: $(head -1 "$work/w$p/errors")"
    fi
    a=$(wc -l <"$work/w$p/acks")
    acked=$((acked + a))
    if ((a != per_proc)); then
        fail "writer $p: $a captures acknowledged, expected $per_proc"
    fi
done

# Readers: no errors.
reader_report=()
for r in "${readers[@]}"; do
    read -r ok bad <"$work/readers/$r.count"
    reader_report+=("$r: $ok ok, $bad failed")
    if ((bad)); then
        fail "reader '$r' failed $bad time(s); first: $(head -c 600 "$work/readers/$r.failure-1")"
    fi
done

# The store: every capture present.
expected=$((procs * per_proc + 1))
"$vellum" --store "$store" log --json >"$work/log.json"
captures=$(grep -o '"captures":[0-9]*' "$work/log.json" | cut -d: -f2 | awk '{s += $1} END {print s + 0}')
docs=$(wc -l <"$work/log.json")
if ((captures != expected)); then
    fail "store holds $captures captures, expected $expected"
fi
cat "$work"/w*/acks | cut -d' ' -f2 | sort -u >"$work/ack-ids"
missing=$("$vellum" --store "$store" show --batch <"$work/ack-ids" | grep -cE '^[0-9a-f]{64} missing: ' || true)
if ((missing)); then
    fail "$missing acknowledged capture(s) do not resolve"
fi

# Versions numbered 1..n per document, in captured-at order.
versions=0
while read -r doc; do
    "$vellum" --store "$store" log "$doc" --json >"$work/doc.json"
    nums=$(grep -o '"version":[0-9]*' "$work/doc.json" | cut -d: -f2 | tr '\n' ' ')
    n=$(wc -l <"$work/doc.json")
    want=$(seq 1 "$n" | tr '\n' ' ')
    if [[ $nums != "$want" ]]; then
        fail "document $doc: versions numbered '$nums', expected '$want'"
    fi
    times=$(grep -o '"captured_at":"[^"]*"' "$work/doc.json")
    if [[ $times != "$(sort <<<"$times")" ]]; then
        fail "document $doc: versions not in captured-at order"
    fi
    n_meta=$(grep -o "\"doc\":\"$doc\"[^}]*\"versions\":[0-9]*" "$work/log.json" | grep -o '"versions":[0-9]*$' | cut -d: -f2)
    if [[ $n_meta != "$n" ]]; then
        fail "document $doc: log says $n_meta versions, log $doc lists $n"
    fi
    versions=$((versions + n))
done < <(grep -o '"doc":"[^"]*"' "$work/log.json" | cut -d'"' -f4)

if ! "$vellum" --store "$store" verify >"$work/verify" 2>&1; then
    fail "final verify reports damage: $(head -c 1000 "$work/verify")"
fi

echo "concurrency-test: $procs writers x $per_proc captures (+1 seed), readers: ${readers[*]}"
echo "  writing took:          ${elapsed} ms ($((procs * per_proc * 1000 / (elapsed + 1))) captures/s)"
echo "  captures acknowledged: $acked"
echo "  captures in the store: $captures (expected $expected)"
echo "  documents / versions:  $docs / $versions"
echo "  unresolved acks:       $missing"
printf '  reader %s\n' "${reader_report[@]}"
echo "  final verify:          $(tail -1 "$work/verify")"
if ((failures)); then
    echo "concurrency-test: FAILED ($failures failure(s))" >&2
    exit 1
fi
echo "concurrency-test: ok"
