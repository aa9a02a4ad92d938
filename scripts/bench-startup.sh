#!/usr/bin/env bash
# Start-up and whole-process times (issue #29): vellum against git, in one run,
# for the default release build and the static one.
#
#   scripts/bench-startup.sh [RUNS]
#
# RUNS: runs of each command (default 40); the median counts.
#
# Targets (median wall time of RUNS whole-process runs):
#   vellum --version                     <= git --version
#   vellum --store S show DOC@N          <= git -C R cat-file -p HEAD:FILE
#                                           (R: a one-file repository holding the same text)
#   vellum diff --color never OLD NEW    <= 0.8 x git diff --no-index --word-diff=porcelain
#                                           (a pass over BENCH_PAIRS corpus pairs, per pair)
#
# Environment:
#   VELLUM_RELEASE_BIN  the `cargo build --release` binary to time (no build)
#   VELLUM_STATIC_BIN   the `cargo build-static` binary to time (no build)
#                       (when neither is set, both are built here, one after the other:
#                       both write target/release/vellum, so each is copied aside)
#   BENCH_DOC           the address shown (default us-coalition-isis-deal@2, of store/)
#   BENCH_PAIRS         corpus version pairs per diff pass (default 20)
#   VELLUM_CORPUS       corpus directory (default ../shared/corpus/pga-versions); absent ->
#                       the diff rows are skipped
#   BENCH_TIMER         hyperfine (default when installed) or loop (bash, $EPOCHREALTIME,
#                       the commands interleaved run by run)
#   BENCH_DIR, BENCH_KEEP=1  scratch directory parent / keep it
#
# Also printed when the tools are there: minor page faults per run (GNU time), relocations
# the loader or the static start-up code applies and the shared libraries it loads (readelf),
# file and code sizes.
set -euo pipefail

# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
RUNS=${1:-40}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, got '$RUNS'"
PAIRS=${BENCH_PAIRS:-20}
DOC=${BENCH_DOC:-us-coalition-isis-deal@2}

ensure_pkgs git:git hyperfine:hyperfine /usr/bin/time:time readelf:binutils
have git || die "git is needed"
TIMER=${BENCH_TIMER:-}
if [[ -z $TIMER ]]; then
    if have hyperfine; then TIMER=hyperfine; else TIMER=loop; fi
fi
[[ $TIMER == hyperfine || $TIMER == loop ]] || die "BENCH_TIMER is hyperfine or loop"
[[ $TIMER == loop ]] || have hyperfine || die "BENCH_TIMER=hyperfine but hyperfine is missing"

make_scratch bench-startup

# ------------------------------------------------------------------ builds ---
declare -A BIN
if [[ -n ${VELLUM_RELEASE_BIN:-} || -n ${VELLUM_STATIC_BIN:-} ]]; then
    [[ -n ${VELLUM_RELEASE_BIN:-} ]] && cp "$VELLUM_RELEASE_BIN" "$W/vellum-release" && BIN[release]=$W/vellum-release
    [[ -n ${VELLUM_STATIC_BIN:-} ]] && cp "$VELLUM_STATIC_BIN" "$W/vellum-static" && BIN[static]=$W/vellum-static
else
    log "cargo build --release"
    (cd "$REPO" && cargo build --release --locked --quiet)
    cp "$REPO/target/release/vellum" "$W/vellum-release"
    BIN[release]=$W/vellum-release
    if [[ $(uname -s) == Linux ]]; then
        log "cargo build-static"
        (cd "$REPO" && cargo --quiet build-static)
        cp "$REPO/target/release/vellum" "$W/vellum-static"
        BIN[static]=$W/vellum-static
    fi
fi
BUILDS=()
for b in release static; do [[ -n ${BIN[$b]:-} ]] && BUILDS+=("$b"); done
((${#BUILDS[@]})) || die "no binary to time"
DESC="$(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown) tree"

# ------------------------------------------------------------------ inputs ---
# A copy of the bundled store (a read may leave a lock file; the repository's stays clean).
cp -r "$REPO/store" "$W/store"
# Its catalog is brought to this vellum's schema, as a user's store is by its first write
# (an older catalog is otherwise rebuilt in memory by every read).
"${BIN[${BUILDS[0]}]}" --store "$W/store" reindex >/dev/null
"${BIN[${BUILDS[0]}]}" --store "$W/store" show "$DOC" >"$W/article.txt" ||
    die "vellum show $DOC failed on the bundled store (set BENCH_DOC)"
mkdir "$W/repo"
cp "$W/article.txt" "$W/repo/article.txt"
(
    cd "$W/repo"
    git init -q
    git add article.txt
    git -c user.name=bench -c user.email=bench@localhost commit -q -m article
)
git -C "$W/repo" cat-file -p HEAD:article.txt | cmp -s - "$W/article.txt" ||
    die "git cat-file does not give back the text vellum showed"

HAVE_CORPUS=
if [[ -d $CORPUS/versions ]]; then
    version_pairs "$CORPUS" >"$W/all-pairs.tsv"
    TOTAL=$(wc -l <"$W/all-pairs.tsv")
    if ((TOTAL > 0)); then
        # Evenly spread, deterministic (as bench-diff.sh picks its sample).
        awk -v n="$PAIRS" -v t="$TOTAL" '
            BEGIN { for (k = 0; k < n; k++) want[int(k * t / n) + 1] = 1 }
            NR in want' "$W/all-pairs.tsv" >"$W/pairs.tsv"
        NP=$(wc -l <"$W/pairs.tsv")
        cut -f1,2 --output-delimiter=$'\n' "$W/pairs.tsv" | xargs cat >/dev/null
        HAVE_CORPUS=1
        # One pass: every pair through one tool, one process each (exit 1 = differences).
        {
            echo '#!/usr/bin/env bash'
            echo 'while IFS=$'"'"'\t'"'"' read -r a b; do "$@" "$a" "$b" >/dev/null || [[ $? == 1 ]] || exit 2; done <'"$W/pairs.tsv"
        } >"$W/pass"
        chmod +x "$W/pass"
    fi
else
    log "corpus not found at $CORPUS (set VELLUM_CORPUS): no diff rows"
fi

# ------------------------------------------------------------------ timing ---
# Commands by key; each row of the table compares keys.
declare -A CMD
CMD[git-version]="git --version"
CMD[git-show]="git -C $W/repo cat-file -p HEAD:article.txt"
[[ -n $HAVE_CORPUS ]] && CMD[git-diff]="$W/pass git -c core.quotepath=off diff --no-index --no-color --word-diff=porcelain"
[[ -n $HAVE_CORPUS ]] && CMD[bash-pass]="$W/pass /bin/true"
for b in "${BUILDS[@]}"; do
    CMD[$b-version]="${BIN[$b]} --version"
    CMD[$b-show]="${BIN[$b]} --store $W/store show $DOC"
    [[ -n $HAVE_CORPUS ]] && CMD[$b-diff]="$W/pass ${BIN[$b]} diff --color never"
done
# Each command once, to check it works and to warm the page cache.
for k in "${!CMD[@]}"; do
    read -r -a c <<<"${CMD[$k]}"
    "${c[@]}" >/dev/null || die "$k failed: ${CMD[$k]}"
done

declare -A MED # key -> median microseconds
GROUPS_=(version show)
[[ -n $HAVE_CORPUS ]] && GROUPS_+=(diff)
for g in "${GROUPS_[@]}"; do
    keys=(git-$g)
    for b in "${BUILDS[@]}"; do keys+=("$b-$g"); done
    [[ $g == diff ]] && keys+=(bash-pass)
    log "timing $g: ${keys[*]} ($RUNS runs each, $TIMER)"
    if [[ $TIMER == hyperfine ]]; then
        args=()
        for k in "${keys[@]}"; do args+=(-n "$k" "${CMD[$k]}"); done
        hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$W/$g.json" "${args[@]}" >/dev/null
        while IFS=$'\t' read -r k us; do MED[$k]=$us; done < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], round(r["median"] * 1e6), sep="\t")' "$W/$g.json")
    else
        for k in "${keys[@]}"; do : >"$W/$k.us"; done
        for ((r = 0; r < RUNS; r++)); do
            for k in "${keys[@]}"; do
                read -r -a c <<<"${CMD[$k]}"
                wall_us "${c[@]}" >>"$W/$k.us"
            done
        done
        for k in "${keys[@]}"; do MED[$k]=$(median <"$W/$k.us"); done
    fi
done

# ------------------------------------------------------------------ report ---
ms() { awk -v u="$1" -v n="${2:-1}" 'BEGIN { printf "%.2f", u / 1000 / n }'; }
# One table row: the git time and each build's time, ratio and verdict, read
# from the associative array named $1 (MED: wall medians, CPU: perf means).
row() { # array label group per target-ratio
    local -n times=$1
    local label=$2 g=$3 per=$4 target=$5 gus vus r
    gus=${times[git-$g]}
    printf '%s\t%s' "$label" "$(ms "$gus" "$per")"
    for b in "${BUILDS[@]}"; do
        vus=${times[$b-$g]}
        r=$(ratio "$vus" "$gus")
        printf '\t%s\t%s\t%s' "$(ms "$vus" "$per")" "$r" "$(passfail "$vus <= $target * $gus") (<= $target)"
    done
    printf '\n'
}

echo
echo "== Start-up (#29): median of $RUNS whole-process runs, $DESC, timer: $TIMER =="
{
    printf 'command\tgit ms'
    for b in "${BUILDS[@]}"; do printf '\tvellum %s ms\tratio\ttarget' "$b"; done
    printf '\n'
    row MED "--version" version 1 1
    row MED "show $DOC / cat-file -p" show 1 1
    if [[ -n $HAVE_CORPUS ]]; then
        # The pass's own cost (bash reading the list, forking `true`) is in both tools' times.
        row MED "word diff, per pair ($NP pairs)" diff "$NP" 0.8
    fi
} | print_table
if [[ -n $HAVE_CORPUS ]]; then
    echo "(a diff pass of $NP pairs running /bin/true instead of a tool: $(ms "${MED[bash-pass]}" "$NP") ms a pair, in every diff row)"
fi

# CPU time (perf stat task-clock, user + system, the mean of RUNS runs): on a loaded
# machine wall time includes waiting for a core, CPU time much less.
if have perf && perf stat -x, -e task-clock true >/dev/null 2>&1; then
    declare -A CPU
    for k in "${!CMD[@]}"; do
        read -r -a c <<<"${CMD[$k]}"
        CPU[$k]=$(perf stat -x, -e task-clock -r "$RUNS" "${c[@]}" 2>&1 >/dev/null |
            awk -F, '$3 ~ /task-clock/ { printf "%d", $1 * 1000 }')
    done
    echo
    echo "== The same commands' CPU time: mean of $RUNS runs (perf stat task-clock) =="
    {
        printf 'command\tgit ms'
        for b in "${BUILDS[@]}"; do printf '\tvellum %s ms\tratio\ttarget' "$b"; done
        printf '\n'
        row CPU "--version" version 1 1
        row CPU "show $DOC / cat-file -p" show 1 1
        [[ -n $HAVE_CORPUS ]] && row CPU "word diff, per pair ($NP pairs)" diff "$NP" 0.8
    } | print_table
    [[ -n $HAVE_CORPUS ]] && echo "(the diff pass's own CPU, /bin/true for a tool: $(ms "${CPU[bash-pass]}" "$NP") ms a pair, in every diff row)"
fi

echo
echo "== What happens before main =="
{
    printf 'binary\tfile MB\tcode MB\trelocations\tshared libraries\tminor faults (--version)\tminor faults (show)\n'
    faults() { # median minor page faults of a command (GNU time %R)
        local i
        for ((i = 0; i < 9; i++)); do
            /usr/bin/time -f '%R' -o "$W/faults" "$@" >/dev/null 2>&1 || true
            tail -n 1 "$W/faults"
        done | median
    }
    for b in "${BUILDS[@]}" git; do
        if [[ $b == git ]]; then f=$(command -v git); else f=${BIN[$b]}; fi
        size=$(awk -v s="$(stat -L -c %s "$f")" 'BEGIN { printf "%.1f", s / 1048576 }')
        code=- relocs=- libs=-
        if have readelf; then
            # The libraries the loader maps (NEEDED entries; ld.so itself not counted).
            libs=$(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | { grep -v '^ld-linux' || true; } |
                sed 's/\.so.*//' | paste -sd, -)
            libs=${libs:-none}
            code=$(readelf -SW "$f" | sed 's/^ *\[ *[0-9]*\]//' | awk '$1 == ".text" { print $5 }')
            code=$(awk -v s="$((16#${code:-0}))" 'BEGIN { printf "%.1f", s / 1048576 }')
            relocs=$(readelf -rW "$f" | grep -c '^[0-9a-f]\+ \+[0-9a-f]\+ \+R_' || true)
        fi
        fv=- fs=-
        if [[ -x /usr/bin/time ]]; then
            if [[ $b == git ]]; then
                fv=$(faults git --version)
                fs=$(faults git -C "$W/repo" cat-file -p HEAD:article.txt)
            else
                fv=$(faults "$f" --version)
                fs=$(faults "$f" --store "$W/store" show "$DOC")
            fi
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$b" "$size" "$code" "$relocs" "$libs" "$fv" "$fs"
    done
} | print_table
echo "(relocations: entries readelf -r lists, applied at start by ld.so or, in a static-pie,"
echo " by the program's own start-up code; a static non-PIE binary has none)"
# build.rs hands the linker src/startup-order.txt (the functions everyday commands run, in
# the order they run them); names it lists that a binary lacks were skipped.
if have nm && [[ -f $REPO/src/startup-order.txt ]]; then
    listed=$(grep -c . "$REPO/src/startup-order.txt")
    for b in "${BUILDS[@]}"; do
        found=$(nm "${BIN[$b]}" 2>/dev/null | awk 'NR == FNR { want[$0] = 1; next } $NF in want && !seen[$NF]++ { n++ } END { print n + 0 }' \
            "$REPO/src/startup-order.txt" -)
        echo "startup order ($b): $found of $listed listed functions are in the binary (scripts/startup-order.sh regenerates the list)"
    done
fi
