#!/usr/bin/env bash
# Does the cost of one capture stay flat as a vellum archive grows?
#
#   scripts/bench-scale.sh
#
# One store is grown from the corpus to ~1k, 10k and 100k captures (checkpoint
# sizes are configurable). The captures are copies of the corpus with the
# document names suffixed -c0, -c1, ... (28 documents per copy, so 100k
# captures are ~1,100 documents); inside a copy they come document by
# document, each document's versions in captured_at order, so that at every
# checkpoint all documents but one are complete. They are fed with
# `add --batch` in batches of at most BENCH_SCALE_CHUNK captures (one commit
# each). At every checkpoint it measures, each command its own process:
#   add    median of BENCH_SCALE_PROBES single `vellum add FILE --doc --at` of
#          a new version of a document already in the store (its latest
#          corpus text plus one unique line, captured after everything else)
#   log    median of BENCH_SCALE_PROBES `vellum log DOC` of random documents,
#          and median of 5 `vellum log` (all documents)
#   show   median of BENCH_SCALE_PROBES `vellum show DOC@N` of random versions
#   size   the store directory, du -sb and du -sk * 1024
# plus the batch ingest rate of the captures added since the last checkpoint.
#
# Environment:
#   VELLUM_CORPUS        corpus directory (absent -> note, exit 0)
#   VELLUM_BIN           vellum binary to use instead of the release build
#                        (`cargo build-static` on Linux; see bench-lib.sh)
#   BENCH_DIR            parent of the scratch directory (default /tmp)
#   BENCH_KEEP=1         keep the scratch directory (and the store)
#   BENCH_SCALE_SIZES    checkpoints, ascending (default "1000 10000 100000")
#   BENCH_SCALE_NO_100K=1  shorthand for BENCH_SCALE_SIZES="1000 10000"
#                        (the 100k step is the long one: see the timing it
#                        prints)
#   BENCH_SCALE_CHUNK    captures per add --batch commit (default 10000)
#   BENCH_SCALE_PROBES   single adds / logs / shows per checkpoint (default 20)
#   BENCH_SCALE_UNIQUE   1 (default): every copy gets its own texts (the line
#                        "copy of DOC" put before each version, written to
#                        scratch files chunk by chunk), so nothing dedupes
#                        across copies and every capture is compressed; 0: the
#                        corpus files as they are, so copies after the first
#                        are pure content-addressed dedup hits (only capture
#                        records and catalog rows are new)
#
# Verify's peak memory on a large store (`scripts/bench-scale.sh verify-rss`
# runs only this part; it needs no corpus): a store with at least
# BENCH_SCALE_VERIFY_MB (default 500; 0 skips it) MB of packs is generated
# from random base64 text (incompressible, so pack bytes ~= 3/4 of the text):
# 48 documents, each a short first version then versions of ~1.5 MB fresh text
# (stored as level-9 deltas, so building it takes minutes, not an hour of
# level-19 compression), fed by `add --batch` one version per document per
# commit. Then `vellum verify` runs under /usr/bin/time -v: its peak RSS is
# reported against the 100 MB target, with the pack bytes on disk.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

# verify_rss: builds a store of >= VERIFY_MB MB of packs in $W/big and
# measures `vellum verify` on it. Prints one summary line.
verify_rss() {
    local mb=${BENCH_SCALE_VERIFY_MB:-500}
    ((mb > 0)) || return 0
    local big=$W/big files=$W/big-files docs=48 per=1500000
    local versions=$(((mb * 1048576 * 4 / 3) / (docs * per) + 2))
    mkdir -p "$files"
    log "verify-rss: generating $docs documents x $versions versions of ~$((per / 1000)) kB random text (>= $mb MB of packs)"
    local t0 total_text=0 v
    t0=$(now_ns)
    for ((v = 0; v < versions; v++)); do
        python3 - "$files" "$v" "$docs" "$per" >"$W/big-batch.jsonl" <<'PY'
import base64, json, os, sys
files, v, docs, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for d in range(docs):
    path = os.path.join(files, f"d{d}.txt")
    with open(path, "wb") as f:
        if v == 0:
            f.write(f"Document {d}, first version.\n".encode())
        else:
            raw = base64.encodebytes(os.urandom(per * 3 // 4))
            f.write(f"Document {d}, version {v}.\n".encode() + raw)
    at = f"2020-01-01T{v // 60:02d}:{v % 60:02d}:{d:02d}Z"
    print(json.dumps({"path": path, "doc": f"big-{d}", "captured_at": at}))
PY
        total_text=$((total_text + $(du_apparent "$files")))
        "$VELLUM" --store "$big" --quiet add --batch "$W/big-batch.jsonl" >/dev/null
    done
    rm -rf "$files"
    local pack_bytes gen_ms
    pack_bytes=$(du_apparent "$big/objects/packs")
    gen_ms=$((($(now_ns) - t0) / 1000000))
    log "verify-rss: $(fmt_mib "$pack_bytes") MiB of packs in $(ls "$big/objects/packs" | wc -l) packs, built in $(fmt_ms_s "$gen_ms") s; running verify"
    /usr/bin/time -v "$VELLUM" --store "$big" verify >"$W/big-verify.out" 2>"$W/big-verify.time" ||
        die "verify failed on the generated store: $(tail -5 "$W/big-verify.out")"
    local rss wall
    rss=$(rss_kib "$W/big-verify.time")
    wall=$(awk '/Elapsed \(wall clock\)/ {sub(/.*\): */, ""); print}' "$W/big-verify.time")
    VERIFY_RSS_LINE="verify on a store of $(fmt_mib "$pack_bytes") MiB of packs ($docs documents, $((docs * versions)) captures, $(fmt_mib "$total_text") MiB of text): peak RSS $(fmt_kib_mib "$rss") MiB (target < 100 MiB: $(passfail "$rss < 102400")), wall $wall"
    echo "$VERIFY_RSS_LINE"
}

if [[ ${1:-} == verify-rss ]]; then
    ensure_pkgs /usr/bin/time:time
    build_vellum
    make_scratch bench-verify-rss
    snapshot_vellum "$W"
    verify_rss
    exit 0
fi

require_corpus
if [[ ${BENCH_SCALE_NO_100K:-} == 1 ]]; then
    SIZES=${BENCH_SCALE_SIZES:-1000 10000}
else
    SIZES=${BENCH_SCALE_SIZES:-1000 10000 100000}
fi
CHUNK=${BENCH_SCALE_CHUNK:-10000}
PROBES=${BENCH_SCALE_PROBES:-20}
UNIQUE=${BENCH_SCALE_UNIQUE:-1}
ensure_pkgs /usr/bin/time:time
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed and could not be installed"
build_vellum

START=$(now_ns)
LOAD_START=$(load1)
make_scratch bench-scale
snapshot_vellum "$W"
log "scratch dir $W; corpus $CORPUS; vellum $VELLUM; sizes $SIZES"

MAX=0
for n in $SIZES; do ((n > MAX)) && MAX=$n; done

# stream.tsv: DOC PATH CAPTURED_AT SOURCE BYTES, MAX rows: copies c0, c1, ... of
# the corpus, each document by document, versions in captured_at order.
tail -n +2 "$CORPUS/manifest.tsv" | sort -t$'\t' -s -k1,1 -k3,3 >"$W/rows.tsv"
awk -F'\t' -v OFS='\t' -v C="$CORPUS" -v max="$MAX" '
    {doc[NR] = $1; ver[NR] = $2; at[NR] = $3; bytes[NR] = $7; n = NR}
    END {
        out = 0
        for (c = 0; out < max; c++)
            for (i = 1; i <= n && out < max; i++) {
                split(doc[i], p, "__")
                print doc[i] "-c" c, C "/versions/" doc[i] "/" ver[i] ".md", at[i], p[1], bytes[i]
                out++
            }
    }' "$W/rows.tsv" >"$W/stream.tsv"
# last stream line of every document (to know which are complete)
awk -F'\t' '{last[$1] = NR} END {for (d in last) print last[d] "\t" d}' "$W/stream.tsv" | sort -n >"$W/doc-last.tsv"

VS=$W/store
"$VELLUM" --store "$VS" init >/dev/null
: >"$W/versions.txt"     # every DOC@N added so far (new versions only)
declare -a TABLE=()
done_rows=0
probe_seq=0

for n in $SIZES; do
    # ---- grow the store to n captures, in batches of at most CHUNK ----
    seg_ms=0 seg_rss=0 seg_rows=$((n - done_rows))
    seg_bytes=$(sed -n "$((done_rows + 1)),${n}p" "$W/stream.tsv" | awk -F'\t' '{s += $5} END {print s + 0}')
    while ((done_rows < n)); do
        to=$((done_rows + CHUNK < n ? done_rows + CHUNK : n))
        sed -n "$((done_rows + 1)),${to}p" "$W/stream.tsv" >"$W/chunk.tsv"
        if [[ $UNIQUE == 1 ]]; then
            # every copy its own texts: "copy of DOC" as a first line
            rm -rf "$W/files"; mkdir "$W/files"
            awk -F'\t' -v OFS='\t' -v dir="$W/files" '{
                out = dir "/" NR ".md"
                print "copy of " $1 > out
                while ((getline line < $2) > 0) print line > out
                close($2); close(out)
                $2 = out; print
            }' "$W/chunk.tsv" >"$W/chunk2.tsv"
            mv "$W/chunk2.tsv" "$W/chunk.tsv"
        fi
        awk -F'\t' '{
            printf "{\"path\": \"%s\", \"doc\": \"%s\", \"captured_at\": \"%s\", \"source\": \"%s\"}\n", $2, $1, $3, $4
        }' "$W/chunk.tsv" >"$W/batch.jsonl"
        log "add --batch captures $((done_rows + 1))..$to"
        timed ing "$VELLUM" --store "$VS" add --batch "$W/batch.jsonl" >"$W/add.out"
        [[ $(wc -l <"$W/add.out") == $((to - done_rows)) ]] || die "add --batch printed $(wc -l <"$W/add.out") lines for $((to - done_rows)) captures"
        awk '$3 == "new" {print $1}' "$W/add.out" >>"$W/versions.txt"
        seg_ms=$((seg_ms + T_ing))
        ((M_ing > seg_rss)) && seg_rss=$M_ing
        done_rows=$to
        rm -rf "$W/files"
    done
    size_a=$(du_apparent "$VS") size_b=$(du_blocks "$VS")
    ndocs=$(awk -F'\t' -v n="$n" '$1 <= n' "$W/doc-last.tsv" | wc -l)
    partial=$(cut -d@ -f1 "$W/versions.txt" | sort -u | wc -l)

    npacks=$(find "$VS/objects" -type f | wc -l)
    # The same documents and versions are probed at every checkpoint: up to
    # PROBES documents complete at the first checkpoint (single adds cycle
    # through them; log DOC runs on them) and PROBES random versions that
    # existed then (show).
    if [[ ! -s $W/probe-docs ]]; then
        awk -F'\t' -v n="$n" '$1 <= n {print $2}' "$W/doc-last.tsv" | shuf --random-source=<(yes 7) | head -n "$PROBES" >"$W/probe-docs"
        [[ -s $W/probe-docs ]] || die "no complete document at $n captures; raise the first checkpoint"
        shuf -n "$PROBES" --random-source=<(yes 7) "$W/versions.txt" >"$W/show-addrs"
    fi
    # ---- single adds: new versions of those documents ----
    : >"$W/t_add"
    for ((i = 0; i < PROBES; i++)); do
        d=$(sed -n "$((i % $(wc -l <"$W/probe-docs") + 1))p" "$W/probe-docs")
        src=$(awk -F'\t' -v d="$d" '$1 == d {p = $2} END {print p}' "$W/stream.tsv")
        probe_seq=$((probe_seq + 1))
        {
            [[ $UNIQUE == 1 ]] && echo "copy of $d"
            cat "$src"
            printf '\nprobe %d of bench-scale\n' "$probe_seq"
        } >"$W/probe.md"
        at=$(date -u -d "2030-01-01 +$probe_seq seconds" +%Y-%m-%dT%H:%M:%SZ)
        wall_us "$VELLUM" --store "$VS" add "$W/probe.md" --doc "$d" --allow-future --at "$at" >>"$W/t_add"
    done
    # the probes are new versions too
    "$VELLUM" --store "$VS" log --json | sed -n 's/.*"doc":"\([^"]*\)".*"versions":\([0-9]*\).*/\1\t\2/p' >"$W/docs-now.tsv"
    n_docs_store=$(wc -l <"$W/docs-now.tsv")

    # ---- log DOC / log ----
    n_versions=$(awk -F'\t' '{s += $2} END {print s + 0}' "$W/docs-now.tsv")
    : >"$W/t_log"
    for ((i = 0; i < PROBES; i++)); do
        d=$(sed -n "$((i % $(wc -l <"$W/probe-docs") + 1))p" "$W/probe-docs")
        wall_us "$VELLUM" --store "$VS" log "$d" >>"$W/t_log"
    done
    : >"$W/t_logall"
    for ((i = 0; i < 5; i++)); do wall_us "$VELLUM" --store "$VS" log >>"$W/t_logall"; done

    # ---- show DOC@N ----
    : >"$W/t_show"
    while read -r a; do wall_us "$VELLUM" --store "$VS" show "$a" >>"$W/t_show"; done <"$W/show-addrs"

    captures=$((n + probe_seq))
    rate=$(awk -v r="$seg_rows" -v ms="$seg_ms" 'BEGIN {printf "%.0f", ms ? r * 1000 / ms : 0}')
    TABLE+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' \
        "$n" "$captures" "$n_docs_store" "$n_versions" "$npacks" \
        "$(fmt_mib "$size_a")" "$(fmt_mib "$size_b")" \
        "$(awk -v r="$seg_rows" -v ms="$seg_ms" 'BEGIN {printf "%d in %.1f s", r, ms / 1000}')" \
        "$(awk -v r="$seg_rows" -v b="$seg_bytes" -v ms="$seg_ms" 'BEGIN {printf "%.0f/s, %.2f MiB/s", ms ? r * 1000 / ms : 0, ms ? b / 1048576 * 1000 / ms : 0}')" \
        "$(fmt_kib_mib "$seg_rss")" \
        "$(fmt_us_ms "$(median <"$W/t_add")")" "$(fmt_us_ms "$(median <"$W/t_log")")" \
        "$(fmt_us_ms "$(median <"$W/t_logall")")" "$(fmt_us_ms "$(median <"$W/t_show")")")")
    log "checkpoint $n: $captures captures, $n_docs_store documents, $(fmt_mib "$size_b") MiB, batch $rate captures/s; add $(fmt_us_ms "$(median <"$W/t_add")") ms, log DOC $(fmt_us_ms "$(median <"$W/t_log")") ms, show $(fmt_us_ms "$(median <"$W/t_show")") ms"
    # keep the per-probe samples for the report
    for k in add log logall show; do sed "s/^/$n\t/" "$W/t_$k" >>"$W/samples_$k"; done
done

TOTAL_MS=$((($(now_ns) - START) / 1000000))
echo
echo "vellum scale benchmark: copies of corpus $(basename "$CORPUS") ($(wc -l <"$W/rows.tsv") versions of 28 documents per copy, document names suffixed -cK); batches of <= $CHUNK captures"
if [[ $UNIQUE == 1 ]]; then
    echo "texts: each copy made unique by a first line \"copy of DOC\" (BENCH_SCALE_UNIQUE=1): no cross-copy dedup, but copies are near-duplicates of each other"
else
    echo "texts: the corpus files as they are (BENCH_SCALE_UNIQUE=0): copies after the first dedupe to objects already stored"
fi
echo "$("$VELLUM" --version 2>/dev/null | head -1) ($VELLUM_DESC)"
echo "$(nproc) cores; 1-min load average $LOAD_START at start, $(load1) at end$(awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN {if (l > n) print " -- the machine was busy, timings are noisy"}')"
echo "per-command times: median wall ms of $PROBES runs, each its own process (log all: 5 runs), on the same $(wc -l <"$W/probe-docs") documents and $(wc -l <"$W/show-addrs") versions at every size; sizes in MiB"
echo "captures incl. probes: the single adds of earlier checkpoints stay in the store; object files: files under objects/ (one pack per commit)"
echo
{
    printf 'store size (captures)\tcaptures incl. probes\tdocuments\tversions\tobject files\tdu -sb MiB\tdu -sk MiB\tbatch ingest since previous row\tbatch rate\tbatch peak RSS MiB\tadd (1 capture) ms\tlog DOC ms\tlog (all docs) ms\tshow DOC@N ms\n'
    printf '%s\n' "${TABLE[@]}"
} | print_table
echo
echo "p90 over the samples (ms):"
for k in add log show; do
    printf '  %-5s' "$k"
    for n in $SIZES; do
        printf '  %s: %s' "$n" "$(fmt_us_ms "$(awk -F'\t' -v n="$n" '$1 == n {print $2}' "$W/samples_$k" | pct 90)")"
    done
    echo
done
echo "bench-scale.sh took $(fmt_ms_s "$TOTAL_MS") s (build not included)"

verify_rss
