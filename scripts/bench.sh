#!/usr/bin/env bash
# Storage and speed of vellum on a real corpus, measured side by side with
# git, restic, borg and plain zstd, in one run on the same data.
#
#   scripts/bench.sh
#
# Environment:
#   VELLUM_CORPUS   corpus directory (default: ../shared/corpus/pga-versions
#                   beside the repository); absent -> prints a note, exits 0
#   VELLUM_BIN      use this vellum binary instead of the release build
#                   (`cargo build-static` on Linux; see bench-lib.sh)
#   BENCH_DIR       parent of the scratch directory (default: /tmp)
#   BENCH_KEEP=1    keep the scratch directory
#   BENCH_SAMPLES   versions timed one process each for show/cat-file (50)
#   BENCH_ROUNDS    rounds over those samples; the median is over all (3)
#   BENCH_REPS      runs of every verify and read-all; the fastest counts (3)
#   BENCH_INGEST_REPS  runs of every ingest, from scratch; fastest counts (1)
#   BENCH_TOOLS     space-separated subset of: vellum git restic borg zstd
#                   (default: all; vellum and git are needed for the targets)
#
# What is measured (all on warm page cache, 2-core machine, wall clock):
#   vellum  add --batch of every version in captured_at order (one commit);
#           verify; show --batch of every DOC@N listed by `log DOC --json`.
#   git     fast-import of one commit per version (DOCID.md, committer date =
#           captured_at; the stream is built beforehand and holds the file
#           contents, so reading the corpus is not timed for git), then
#           gc --aggressive; fsck --full; cat-file --batch of the blob of
#           every version vellum lists (the same 2,085 texts).
#   restic  one snapshot of versions/ (every version is its own file there).
#           restic deduplicates by content-defined chunks whatever snapshot
#           they are in, so 2,556 snapshots would store the same blobs plus
#           2,556 trees and snapshot files, and take ~2,556 process starts;
#           one snapshot is restic's best case for size and ingest time.
#           check --read-data; restore of the snapshot.
#   borg    likewise one archive of versions/; check --verify-data; extract.
#   zstd    -19 per file (baseline, no dedup, no deltas); solid
#           tar --sort=name | zstd -19 --long=27 (the lower bound).
#           verify = zstd -t; read = decompress everything.
# Sizes: apparent (du -sb) and allocated (du -sk * 1024); vellum = the whole
# store directory, git = the whole .git directory, restic/borg = repository.
# Peak memory: GNU time -v "Maximum resident set size" of the ingest (for git
# the larger of fast-import and gc; for pipelines the largest process).
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

require_corpus
SAMPLES=${BENCH_SAMPLES:-50}
ROUNDS=${BENCH_ROUNDS:-3}
REPS=${BENCH_REPS:-3}
INGEST_REPS=${BENCH_INGEST_REPS:-1}
TOOLS=" ${BENCH_TOOLS:-vellum git restic borg zstd} "
want() { [[ $TOOLS == *" $1 "* ]]; }

ensure_pkgs /usr/bin/time:time git:git restic:restic borg:borgbackup zstd:zstd tar:tar
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed and could not be installed"
build_vellum

BENCH_START=$(now_ns)
LOAD_START=$(load1)
make_scratch bench
snapshot_vellum "$W"
log "scratch dir $W; corpus $CORPUS; vellum $VELLUM"

declare -a NOTES=()
note() { NOTES+=("$*"); log "note: $*"; }

# ---------------------------------------------------------------- inputs ---
manifest_sorted >"$W/rows.tsv"
NROWS=$(wc -l <"$W/rows.tsv")
CORPUS_BYTES=$(awk -F'\t' '{s += $8} END {print s}' "$W/rows.tsv")
log "$NROWS versions, $CORPUS_BYTES bytes"

# vellum batch: doc = doc_id, source = platform (doc_id before "__").
awk -F'\t' -v C="$CORPUS" '{
    split($2, p, "__")
    printf "{\"path\": \"%s/versions/%s/%s.md\", \"doc\": \"%s\", \"captured_at\": \"%s\", \"source\": \"%s\"}\n", C, $2, $3, $2, $4, p[1]
}' "$W/rows.tsv" >"$W/batch.jsonl"

# ------------------------------------------------------------------ vellum ---
VS=$W/vellum-store
declare -A SIZE_A SIZE_B ING VER READ RSS
for ((rep = 1; rep <= INGEST_REPS; rep++)); do
    rm -rf "$VS"
    "$VELLUM" --store "$VS" init >/dev/null
    log "vellum add --batch (run $rep/$INGEST_REPS)"
    timed v_ing "$VELLUM" --store "$VS" add --batch "$W/batch.jsonl" >"$W/add.out"
    keep_min ING vellum "$T_v_ing"; keep_max RSS vellum "$M_v_ing"
done
[[ $(wc -l <"$W/add.out") == "$NROWS" ]] || die "vellum add printed $(wc -l <"$W/add.out") lines for $NROWS captures"
# The store is its objects, catalog and marker; the derived indexes that
# `add` keeps beside them (search, similarity, significance, Memento; each
# rebuilt from the objects when missing) are reported apart.
V_PARTS=("$VS/objects" "$VS/catalog.sqlite" "$VS/VELLUM")
SIZE_A[vellum]=$(du_apparent "${V_PARTS[@]}") SIZE_B[vellum]=$(du_blocks "${V_PARTS[@]}")
V_CATALOG=$(du_blocks "$VS/catalog.sqlite")
V_PACKS=$(du_blocks "$VS/objects")
V_INDEX_FILES=()
for f in search similar significance memento monitor; do
    if [[ -e $VS/$f.sqlite ]]; then V_INDEX_FILES+=("$VS/$f.sqlite"); fi
done
V_INDEXES=0
((${#V_INDEX_FILES[@]} == 0)) || V_INDEXES=$(du_blocks "${V_INDEX_FILES[@]}")
NEW=$(awk '$3 == "new"' "$W/add.out" | wc -l)
log "vellum: $NEW new versions, $((NROWS - NEW)) unchanged sightings"

# versions.tsv: ORDINAL(1-based batch line) DOC@N PATH, one per new version.
paste "$W/rows.tsv" "$W/add.out" | awk -F'\t' -v C="$CORPUS" '{
    split($10, o, " ")
    d = o[1]; sub(/@.*/, "", d)
    if (d != $2) { print "add output out of order at line " NR ": " $10 > "/dev/stderr"; exit 3 }
    if (o[3] == "new") printf "%d\t%s\t%s/versions/%s/%s.md\n", NR, o[1], C, $2, $3
}' >"$W/versions.tsv"

for ((rep = 1; rep <= REPS; rep++)); do
    log "vellum verify (run $rep/$REPS)"
    timed v_ver "$VELLUM" --store "$VS" verify >"$W/verify.out"
    keep_min VER vellum "$T_v_ver"
done

# every DOC@N, as `log DOC --json` lists them (not timed)
"$VELLUM" --store "$VS" log --json | sed -n 's/.*"doc":"\([^"]*\)".*/\1/p' >"$W/docs.txt"
while read -r d; do
    "$VELLUM" --store "$VS" log "$d" --json | sed -n "s/.*\"version\":\([0-9]*\).*/$d@\1/p"
done <"$W/docs.txt" >"$W/addrs.txt"
if ! diff -q <(sort "$W/addrs.txt") <(cut -f2 "$W/versions.tsv" | sort) >/dev/null; then
    note "vellum log lists $(wc -l <"$W/addrs.txt") versions but add reported $NEW new ones"
fi
for ((rep = 1; rep <= REPS; rep++)); do
    log "vellum show --batch ($(wc -l <"$W/addrs.txt") versions, run $rep/$REPS)"
    timed v_read bash -c 'cat "$1" | "$2" --store "$3" show --batch | cat >/dev/null' _ "$W/addrs.txt" "$VELLUM" "$VS"
    keep_min READ vellum "$T_v_read"
done

# --------------------------------------------------------------------- git ---
GIT_OK=
if want git && have git; then
    log "git: building the fast-import stream (not timed)"
    cut -f4 "$W/rows.tsv" | date -u -f - +%s >"$W/epochs"
    {
        i=0
        while IFS=$'\t' read -r _ord doc ver _at _repo _path _commit bytes _b3 epoch; do
            i=$((i + 1))
            printf 'blob\nmark :%d\ndata %d\n' "$i" "$bytes"
            cat "$CORPUS/versions/$doc/$ver.md"
            msg="$doc $ver"
            printf '\ncommit refs/heads/main\ncommitter bench <bench@localhost> %d +0000\ndata %d\n%s\nM 100644 :%d %s.md\n\n' \
                "$epoch" "${#msg}" "$msg" "$i" "$doc"
        done < <(paste "$W/rows.tsv" "$W/epochs")
    } >"$W/fast-import.stream"
    G=$W/git
    best_sum=
    for ((rep = 1; rep <= INGEST_REPS; rep++)); do
        rm -rf "$G"
        git init -q -b main "$G"
        git -C "$G" config gc.auto 0
        log "git fast-import (run $rep/$INGEST_REPS)"
        timed g_fi git -C "$G" fast-import --quiet --export-marks="$W/marks" <"$W/fast-import.stream"
        fi_a=$(du_apparent "$G/.git") fi_b=$(du_blocks "$G/.git")
        log "git gc --aggressive (run $rep/$INGEST_REPS)"
        timed g_gc git -C "$G" gc --aggressive --quiet
        keep_max RSS gitfi "$M_g_fi"
        keep_max RSS git "$((M_g_fi > M_g_gc ? M_g_fi : M_g_gc))"
        if [[ -z $best_sum ]] || ((T_g_fi + T_g_gc < best_sum)); then
            best_sum=$((T_g_fi + T_g_gc)) GIT_FI_MS=$T_g_fi GIT_GC_MS=$T_g_gc
            GIT_FI_RSS=$M_g_fi GIT_GC_RSS=$M_g_gc
        fi
    done
    SIZE_A[gitfi]=$fi_a SIZE_B[gitfi]=$fi_b ING[gitfi]=$GIT_FI_MS
    SIZE_A[git]=$(du_apparent "$G/.git") SIZE_B[git]=$(du_blocks "$G/.git")
    ING[git]=$best_sum
    # blob of every version vellum lists, in the same order as versions.tsv
    awk 'NR == FNR {sha[substr($1, 2)] = $2; next} {print sha[$1]}' "$W/marks" "$W/versions.tsv" >"$W/blobs.txt"
    # the same blobs in the order vellum reads them (addrs.txt: document by
    # document, versions in order), so both read all with the same locality
    paste "$W/versions.tsv" "$W/blobs.txt" |
        awk -F'\t' 'NR == FNR {blob[$2] = $4; next} {print blob[$1]}' - "$W/addrs.txt" >"$W/blobs-read.txt"
    for ((rep = 1; rep <= REPS; rep++)); do
        log "git fsck --full (run $rep/$REPS)"
        timed g_ver git -C "$G" fsck --full --no-progress
        keep_min VER git "$T_g_ver"
        log "git cat-file --batch ($(wc -l <"$W/blobs-read.txt") blobs, run $rep/$REPS)"
        timed g_read bash -c 'cat "$1" | git -C "$2" cat-file --batch | cat >/dev/null' _ "$W/blobs-read.txt" "$G"
        keep_min READ git "$T_g_read"
    done
    rm -f "$W/fast-import.stream"
    GIT_OK=1
elif want git; then
    note "git is not installed: git rows and git targets skipped"
fi

# ------------------------------------------------------------------ restic ---
if want restic && have restic; then
    export RESTIC_PASSWORD=vellum-bench RESTIC_CACHE_DIR=$W/restic-cache
    R=$W/restic
    for ((rep = 1; rep <= INGEST_REPS; rep++)); do
        rm -rf "$R" "$RESTIC_CACHE_DIR"
        restic init -q -r "$R" --repository-version 2 >/dev/null
        log "restic backup --compression max (run $rep/$INGEST_REPS)"
        cd "$CORPUS"
        timed r_ing restic -q -r "$R" backup --compression max --host bench versions >/dev/null
        cd "$W"
        keep_min ING restic "$T_r_ing"; keep_max RSS restic "$M_r_ing"
    done
    SIZE_A[restic]=$(du_apparent "$R") SIZE_B[restic]=$(du_blocks "$R")
    for ((rep = 1; rep <= REPS; rep++)); do
        log "restic check --read-data (run $rep/$REPS)"
        timed r_ver restic -q -r "$R" check --read-data >/dev/null
        keep_min VER restic "$T_r_ver"
        log "restic restore (run $rep/$REPS)"
        rm -rf "$W/restic-out"; mkdir "$W/restic-out"
        timed r_read restic -q -r "$R" restore latest --target "$W/restic-out" >/dev/null
        keep_min READ restic "$T_r_read"
    done
    rm -rf "$W/restic-out" "$RESTIC_CACHE_DIR"
elif want restic; then
    note "restic is not installed: restic row skipped"
fi

# -------------------------------------------------------------------- borg ---
if want borg && have borg; then
    export BORG_BASE_DIR=$W/borg-home BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes
    B=$W/borg
    for ((rep = 1; rep <= INGEST_REPS; rep++)); do
        rm -rf "$B" "$BORG_BASE_DIR"
        borg init -e none "$B" >/dev/null 2>&1
        log "borg create --compression zstd,19 (run $rep/$INGEST_REPS)"
        cd "$CORPUS"
        timed b_ing borg create --compression zstd,19 "$B::pga" versions
        cd "$W"
        keep_min ING borg "$T_b_ing"; keep_max RSS borg "$M_b_ing"
    done
    SIZE_A[borg]=$(du_apparent "$B") SIZE_B[borg]=$(du_blocks "$B")
    for ((rep = 1; rep <= REPS; rep++)); do
        log "borg check --verify-data (run $rep/$REPS)"
        timed b_ver borg check --verify-data "$B"
        keep_min VER borg "$T_b_ver"
        log "borg extract (run $rep/$REPS)"
        rm -rf "$W/borg-out"; mkdir "$W/borg-out"
        cd "$W/borg-out"
        timed b_read borg extract "$B::pga"
        cd "$W"
        keep_min READ borg "$T_b_read"
    done
    rm -rf "$W/borg-out" "$BORG_BASE_DIR"
elif want borg; then
    note "borg is not installed: borg row skipped"
fi

# -------------------------------------------------------------------- zstd ---
if want zstd && have zstd; then
    for ((rep = 1; rep <= INGEST_REPS; rep++)); do
        rm -rf "$W/zstd"
        log "zstd -19 per file (run $rep/$INGEST_REPS)"
        timed z_ing zstd -19 -q -r "$CORPUS/versions" --output-dir-mirror "$W/zstd"
        keep_min ING zstd "$T_z_ing"; keep_max RSS zstd "$M_z_ing"
    done
    SIZE_A[zstd]=$(du_apparent "$W/zstd") SIZE_B[zstd]=$(du_blocks "$W/zstd")
    for ((rep = 1; rep <= REPS; rep++)); do
        timed z_ver zstd -t -q -r "$W/zstd"
        keep_min VER zstd "$T_z_ver"
        timed z_read zstd -d -c -q -r "$W/zstd" >/dev/null
        keep_min READ zstd "$T_z_read"
    done
    rm -rf "$W/zstd"

    for ((rep = 1; rep <= INGEST_REPS; rep++)); do
        rm -f "$W/pga.tar.zst"
        log "tar | zstd -19 --long=27 (run $rep/$INGEST_REPS)"
        timed t_ing bash -c 'set -o pipefail; tar --sort=name -C "$1" -cf - versions | zstd -19 --long=27 -q -o "$2"' _ "$CORPUS" "$W/pga.tar.zst"
        keep_min ING tar "$T_t_ing"; keep_max RSS tar "$M_t_ing"
    done
    SIZE_A[tar]=$(du_apparent "$W/pga.tar.zst") SIZE_B[tar]=$(du_blocks "$W/pga.tar.zst")
    for ((rep = 1; rep <= REPS; rep++)); do
        timed t_ver zstd -t -q --long=27 "$W/pga.tar.zst"
        keep_min VER tar "$T_t_ver"
        rm -rf "$W/tar-out"; mkdir "$W/tar-out"
        timed t_read bash -c 'set -o pipefail; zstd -d -c -q --long=27 "$1" | tar -x -C "$2"' _ "$W/pga.tar.zst" "$W/tar-out"
        keep_min READ tar "$T_t_read"
    done
    rm -rf "$W/tar-out" "$W/pga.tar.zst"
elif want zstd; then
    note "zstd is not installed: zstd rows skipped"
fi

# ------------------------------------- whole-process show vs cat-file -p ---
SHOW_V=NA SHOW_G=NA SHOW_V_P99=NA SHOW_G_P99=NA MISMATCH=0
if [[ -n $GIT_OK ]]; then
    log "whole-process vellum show DOC@N vs git cat-file -p BLOB, $SAMPLES random versions"
    paste "$W/versions.tsv" "$W/blobs.txt" |
        shuf -n "$SAMPLES" --random-source=<(yes 1234) >"$W/sample.tsv"
    # warm-up (and byte-exactness check of vellum show against the corpus file)
    while IFS=$'\t' read -r _ord addr path blob; do
        if ! cmp -s <("$VELLUM" --store "$VS" show "$addr") "$path"; then MISMATCH=$((MISMATCH + 1)); fi
        git -C "$G" cat-file -p "$blob" >/dev/null
    done <"$W/sample.tsv"
    ((MISMATCH == 0)) || note "vellum show output differs from the corpus file for $MISMATCH of $SAMPLES sampled versions"
    : >"$W/show_v" ; : >"$W/show_g"
    for ((round = 1; round <= ROUNDS; round++)); do
        while IFS=$'\t' read -r _ord addr _path blob; do
            wall_us "$VELLUM" --store "$VS" show "$addr" >>"$W/show_v"
            wall_us git -C "$G" cat-file -p "$blob" >>"$W/show_g"
        done <"$W/sample.tsv"
    done
    SHOW_V=$(median <"$W/show_v") SHOW_G=$(median <"$W/show_g")
    SHOW_V_P99=$(pct 99 <"$W/show_v") SHOW_G_P99=$(pct 99 <"$W/show_g")
fi

# ------------------------------------------------------------------ report ---
BENCH_MS=$(((($(now_ns) - BENCH_START)) / 1000000))
echo
echo "vellum storage benchmark: corpus $(basename "$CORPUS"), $NROWS versions of $(wc -l <"$W/docs.txt") documents, $(fmt_mib "$CORPUS_BYTES") MiB raw; vellum kept $NEW distinct versions ($((NROWS - NEW)) unchanged sightings)"
echo "$(nproc) cores; $("$VELLUM" --version 2>/dev/null | head -1) ($VELLUM_DESC); git $(git --version 2>/dev/null | awk '{print $3}'); $(restic version 2>/dev/null | awk '{print "restic " $2}'); $(borg --version 2>/dev/null); zstd $(zstd -V 2>/dev/null | sed -n 's/.* v\([0-9.]*\),.*/\1/p')"
echo "times in seconds (wall; ingest: fastest of $INGEST_REPS run(s); verify and read all: fastest of $REPS); sizes in MiB; ratios are vellum / tool (below 1: vellum smaller or faster)"
echo "1-min load average: $LOAD_START at start, $(load1) at end, on $(nproc) cores$(awk -v l="$LOAD_START" -v n="$(nproc)" 'BEGIN {if (l > n) print " -- the machine was busy, timings are noisy"}')"
echo

declare -A LABEL=(
    [vellum]="vellum (add --batch)"
    [gitfi]="git fast-import only (before gc)"
    [git]="git fast-import + gc --aggressive"
    [restic]="restic (1 snapshot, compression max)"
    [borg]="borg (1 archive, zstd,19)"
    [zstd]="zstd -19 per file"
    [tar]="tar | zstd -19 --long=27 (solid)"
)
{
    printf 'tool\tdu -sb MiB\tdu -sk MiB\tingest s\tverify s\tread all s\tingest peak RSS MiB\tvellum/x size (blocks)\tvellum/x ingest\tvellum/x verify\tvellum/x read\n'
    for t in vellum gitfi git restic borg zstd tar; do
        [[ -n ${SIZE_B[$t]:-} ]] || continue
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${LABEL[$t]}" \
            "$(fmt_mib "${SIZE_A[$t]}")" "$(fmt_mib "${SIZE_B[$t]}")" \
            "$(fmt_ms_s "${ING[$t]:-}")" "$(fmt_ms_s "${VER[$t]:-}")" "$(fmt_ms_s "${READ[$t]:-}")" \
            "$(fmt_kib_mib "${RSS[$t]:-}")" \
            "$(ratio "${SIZE_B[vellum]}" "${SIZE_B[$t]}")" "$(ratio "${ING[vellum]}" "${ING[$t]:-}")" \
            "$(ratio "${VER[vellum]}" "${VER[$t]:-}")" "$(ratio "${READ[vellum]}" "${READ[$t]:-}")"
    done
} | print_table
echo
if [[ -n $GIT_OK ]]; then
    echo "git ingest split: fast-import $(fmt_ms_s "$GIT_FI_MS") s + gc --aggressive $(fmt_ms_s "$GIT_GC_MS") s = $(fmt_ms_s "${ING[git]}") s (peak RSS fast-import $(fmt_kib_mib "$GIT_FI_RSS") MiB, gc $(fmt_kib_mib "$GIT_GC_RSS") MiB)"
    echo "read all: vellum show --batch of $(wc -l <"$W/addrs.txt") DOC@N vs git cat-file --batch of the same $(wc -l <"$W/blobs-read.txt") blobs in the same order (both fed and read through pipes); restic/borg/tar write every file of versions/ to disk, zstd per file decompresses to /dev/null"
    echo "whole-process read of one version: $SAMPLES random versions x $ROUNDS rounds, interleaved, each read its own process (warm cache):"
    echo "  vellum show DOC@N:      median $(fmt_us_ms "$SHOW_V") ms  (p99 $(fmt_us_ms "$SHOW_V_P99") ms)"
    echo "  git cat-file -p BLOB:   median $(fmt_us_ms "$SHOW_G") ms  (p99 $(fmt_us_ms "$SHOW_G_P99") ms)"
    echo "  ratio vellum/git (median): $(ratio "$SHOW_V" "$SHOW_G")"
    echo
    echo "targets:"
    printf '  %-4s vellum store %s MiB (blocks) < git .git %s MiB (blocks)\n' \
        "$(passfail "${SIZE_B[vellum]} < ${SIZE_B[git]}")" "$(fmt_mib "${SIZE_B[vellum]}")" "$(fmt_mib "${SIZE_B[git]}")"
    printf '  %-4s vellum store %s MiB (blocks) <= 0.8x git .git %s MiB (blocks): %sx (#29)\n' \
        "$(passfail "${SIZE_B[vellum]} <= 0.8 * ${SIZE_B[git]}")" "$(fmt_mib "${SIZE_B[vellum]}")" "$(fmt_mib "${SIZE_B[git]}")" "$(ratio "${SIZE_B[vellum]}" "${SIZE_B[git]}")"
    printf '  %-4s vellum store %s MB (blocks) <= 1.0 MB\n' \
        "$(passfail "${SIZE_B[vellum]} <= 1000000")" "$(awk -v b="${SIZE_B[vellum]}" 'BEGIN {printf "%.2f", b / 1e6}')"
    printf '  %-4s vellum show --batch %s s within 1.5x of git cat-file --batch %s s (%sx), %s items\n' \
        "$(passfail "${READ[vellum]} <= 1.5 * ${READ[git]}")" "$(fmt_ms_s "${READ[vellum]}")" "$(fmt_ms_s "${READ[git]}")" "$(ratio "${READ[vellum]}" "${READ[git]}")" "$(wc -l <"$W/addrs.txt")"
    printf '  %-4s vellum ingest %s s < git fast-import+gc %s s\n' \
        "$(passfail "${ING[vellum]} < ${ING[git]}")" "$(fmt_ms_s "${ING[vellum]}")" "$(fmt_ms_s "${ING[git]}")"
    printf '  %-4s vellum verify %s s at least 2x faster than git fsck --full %s s (%sx)\n' \
        "$(passfail "${VER[vellum]} * 2 <= ${VER[git]}")" "$(fmt_ms_s "${VER[vellum]}")" "$(fmt_ms_s "${VER[git]}")" "$(ratio "${VER[git]}" "${VER[vellum]}")"
    printf '  %-4s vellum show median %s ms within 1.5x of git cat-file -p %s ms (%sx)\n' \
        "$(passfail "$SHOW_V <= 1.5 * $SHOW_G")" "$(fmt_us_ms "$SHOW_V")" "$(fmt_us_ms "$SHOW_G")" "$(ratio "$SHOW_V" "$SHOW_G")"
else
    echo "targets:"
    echo "  SKIP git targets (git not measured)"
fi
printf '  %-4s vellum ingest peak RSS %s MB < 100 MB\n' \
    "$(passfail "${RSS[vellum]} * 1024 < 100000000")" "$(awk -v k="${RSS[vellum]}" 'BEGIN {printf "%.1f", k * 1024 / 1e6}')"
echo
echo "vellum store: catalog.sqlite $(fmt_mib "$V_CATALOG") MiB + objects/ $(fmt_mib "$V_PACKS") MiB (blocks); apart from it, derived indexes ${V_INDEX_FILES[*]##*/} $(fmt_mib "$V_INDEXES") MiB"
echo "vellum verify said: $(tail -1 "$W/verify.out")"
for n in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note: $n"; done
echo "bench.sh took $(fmt_ms_s "$BENCH_MS") s (build not included)"
