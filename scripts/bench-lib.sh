# Shared helpers for scripts/bench.sh, bench-scale.sh and bench-diff.sh.
# Source it; it defines functions and a few variables and runs nothing heavy.
#
#   REPO            repository root
#   CORPUS          ${VELLUM_CORPUS:-$REPO/../shared/corpus/pga-versions}
#
# Timing helpers record wall time in milliseconds (date +%s%N) and peak RSS in
# KiB (GNU time -v, "Maximum resident set size": the largest single process of
# the command and everything it waited for, not the sum).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${VELLUM_CORPUS:-$REPO/../shared/corpus/pga-versions}
# canonical path (zstd --output-dir-mirror refuses paths with ..)
if [[ -d $CORPUS ]]; then CORPUS=$(cd "$CORPUS" && pwd -P); fi

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

now_ns() { date +%s%N; }

# require_corpus: exit 0 (not a failure) when the corpus is absent.
require_corpus() {
    if [[ ! -f $CORPUS/manifest.tsv || ! -d $CORPUS/versions ]]; then
        echo "corpus not found at $CORPUS (set VELLUM_CORPUS), skipping"
        exit 0
    fi
}

# have CMD: true when CMD is on PATH.
have() { command -v "$1" >/dev/null 2>&1; }

# ensure_pkgs CMD:PKG ...: install the Debian package of every missing command
# (apt-get update once, only when something is missing). Never fails; callers
# check `have CMD` afterwards and skip what is still missing.
_apt_updated=
ensure_pkgs() {
    local pair cmd pkg missing=()
    for pair in "$@"; do
        cmd=${pair%%:*} pkg=${pair#*:}
        if [[ $cmd == /* ]]; then [[ -x $cmd ]] && continue
        else have "$cmd" && continue; fi
        missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    if ! have apt-get || [[ $(id -u) != 0 ]]; then
        log "missing ${missing[*]} and cannot apt-get install them here"
        return 0
    fi
    if [[ -z $_apt_updated ]]; then
        log "apt-get update"
        apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed"
        _apt_updated=1
    fi
    log "apt-get install -y ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
        || log "apt-get install ${missing[*]} failed (some rows will be skipped)"
}

# The release build as shipped: `cargo build-static` (see .cargo/config.toml)
# on Linux, a plain release build elsewhere. Both leave target/release/vellum.
release_build() {
    if [[ $(uname -s) == Linux ]]; then
        cargo --quiet build-static
    else
        cargo build --release --locked --quiet
    fi
}

# build_vellum: sets VELLUM to the binary. VELLUM_BIN overrides (no build).
build_vellum() {
    if [[ -n ${VELLUM_BIN:-} ]]; then
        VELLUM=$VELLUM_BIN
    else
        local try
        for try in 1 2 3; do
            log "release build (try $try)"
            if (cd "$REPO" && release_build); then break; fi
            ((try < 3)) || die "the release build failed 3 times"
            log "build failed (others may be editing src/); retrying in 60 s"
            sleep 60
        done
        VELLUM=$REPO/target/release/vellum
    fi
    [[ -x $VELLUM ]] || die "no vellum binary at $VELLUM"
    VELLUM=$(cd "$(dirname "$VELLUM")" && pwd -P)/$(basename "$VELLUM")
    local linking=dynamic
    file -L "$VELLUM" 2>/dev/null | grep -q 'static' && linking=static
    VELLUM_DESC="$(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo unknown) tree, $linking binary built $(date -u -r "$VELLUM" +%Y-%m-%dT%H:%M:%SZ)"
}

# make_scratch NAME: sets W to a new scratch directory under $BENCH_DIR (else
# /tmp), removed at exit unless BENCH_KEEP=1.
make_scratch() {
    mkdir -p "${BENCH_DIR:-/tmp}"
    W=$(mktemp -d "${BENCH_DIR:-/tmp}/vellum-$1.XXXXXX")
    trap 'if [[ ${BENCH_KEEP:-} == 1 ]]; then log "kept $W"; else rm -rf "$W"; fi' EXIT
}

# snapshot_vellum DIR: copy the binary into DIR and use the copy, so that a
# rebuild by someone else in the middle of a run cannot change what is
# measured.
snapshot_vellum() {
    cp "$VELLUM" "$1/vellum"
    VELLUM=$1/vellum
}

# timed KEY CMD...: run CMD (stdout/stderr as given by the caller), record
# T_KEY (wall ms) and M_KEY (peak RSS KiB). Fails like CMD fails.
timed() {
    local key=$1; shift
    local tf t0 t1 rc=0
    tf=$(mktemp)
    t0=$(now_ns)
    /usr/bin/time -v -o "$tf" "$@" || rc=$?
    t1=$(now_ns)
    printf -v "T_$key" '%s' $(((t1 - t0) / 1000000))
    printf -v "M_$key" '%s' "$(rss_kib "$tf")"
    rm -f "$tf"
    if ((rc)); then
        log "command for $key failed (exit $rc): $*"
        return "$rc"
    fi
}

# rss_kib FILE: "Maximum resident set size (kbytes)" from a GNU time -v report.
rss_kib() { awk -F': *' '/Maximum resident set size/ {print $2}' "$1"; }

# du_apparent DIR|FILE...: bytes (du -sb, summed).  du_blocks: du -sk * 1024.
du_apparent() { du -sbc "$@" | awk 'END {print $1}'; }
du_blocks() { du -skc "$@" | awk 'END {print $1 * 1024}'; }

# median: read integers (one a line) on stdin, print the median.
median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) {print "NA"; exit} if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
# pct P: P-th percentile (nearest rank) of integers on stdin.
pct() { sort -n | awk -v p="$1" '{a[NR] = $1} END {if (NR == 0) {print "NA"; exit} i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print a[i]}'; }

# wall_us CMD...: one run of CMD with stdout to /dev/null, prints wall
# microseconds.
# Uses bash's $EPOCHREALTIME (no fork for the clock) when there is one, so
# the time is the command's fork+exec+run as the shell sees it.
wall_us() {
    local t0 t1
    if [[ -n ${EPOCHREALTIME:-} ]]; then
        t0=${EPOCHREALTIME//[!0-9]/}
        "$@" >/dev/null
        t1=${EPOCHREALTIME//[!0-9]/}
        echo $((10#$t1 - 10#$t0))
    else
        t0=$(now_ns)
        "$@" >/dev/null
        t1=$(now_ns)
        echo $(((t1 - t0) / 1000))
    fi
}

# Formatting.
fmt_ms_s() { [[ -z ${1:-} || $1 == NA ]] && { echo "-"; return; }; awk -v v="$1" 'BEGIN {printf "%.2f", v / 1000}'; }
fmt_mib() { [[ -z ${1:-} || $1 == NA ]] && { echo "-"; return; }; awk -v v="$1" 'BEGIN {printf "%.2f", v / 1048576}'; }
fmt_kib_mib() { [[ -z ${1:-} || $1 == NA ]] && { echo "-"; return; }; awk -v v="$1" 'BEGIN {printf "%.1f", v / 1024}'; }
fmt_us_ms() { [[ -z ${1:-} || $1 == NA ]] && { echo "-"; return; }; awk -v v="$1" 'BEGIN {printf "%.2f", v / 1000}'; }
# ratio A B: A/B with two decimals, "-" when either is missing or B is 0.
ratio() {
    [[ -z ${1:-} || -z ${2:-} || $1 == NA || $2 == NA || $2 == 0 || $1 == - || $2 == - ]] && { echo "-"; return; }
    awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'
}
# passfail COND-EXIT-STATUS: PASS when the awk expression is true.
passfail() { if awk "BEGIN {exit !($1)}"; then echo PASS; else echo FAIL; fi; }

# print_table: reads TSV on stdin (first line header), prints an aligned
# Markdown-style table: first column left-aligned, the rest right-aligned.
print_table() {
    awk -F'\t' '
        { for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } if (NF > nf) nf = NF; n = NR }
        END {
            for (r = 1; r <= n; r++) {
                line = "|"
                for (i = 1; i <= nf; i++) {
                    if (i == 1) line = line sprintf(" %-" w[i] "s |", c[r, i])
                    else line = line sprintf(" %" w[i] "s |", c[r, i])
                }
                print line
                if (r == 1) {
                    line = "|"
                    for (i = 1; i <= nf; i++) { s = ""; for (k = 0; k < w[i]; k++) s = s "-"; line = line (i == 1 ? " " s " |" : " " substr(s, 2) ": |") }
                    print line
                }
            }
        }'
}

# manifest_sorted: manifest rows (no header) in captured_at order, ties kept in
# manifest order (stable), with the row's ordinal prepended as column 0:
# ORD doc_id version captured_at ... (tab-separated).
manifest_sorted() {
    tail -n +2 "$CORPUS/manifest.tsv" | awk -F'\t' -v OFS='\t' '{print NR, $0}' | sort -t$'\t' -s -k4,4 -k1,1n
}

# keep_min ARRAY KEY VALUE: ARRAY[KEY] = min(ARRAY[KEY], VALUE).
keep_min() {
    local -n _arr=$1
    if [[ -z ${_arr[$2]:-} ]] || (($3 < _arr[$2])); then _arr[$2]=$3; fi
}
# keep_max ARRAY KEY VALUE: ARRAY[KEY] = max(ARRAY[KEY], VALUE).
keep_max() {
    local -n _arr=$1
    if [[ -z ${_arr[$2]:-} ]] || (($3 > _arr[$2])); then _arr[$2]=$3; fi
}

# load1: the 1-minute load average.
load1() { cut -d' ' -f1 /proc/loadavg; }

# The Python extractors (trafilatura, readability-lxml with html-text) in the
# venv $1, pip-installed when missing; prints 1 when usable, 0 otherwise.
extractor_venv() {
    local venv=$1 mods='import trafilatura, readability, html_text'
    if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c "$mods" 2>/dev/null; then
        log "pip install trafilatura readability-lxml html-text into $venv"
        { python3 -m venv "$venv" && "$venv/bin/pip" install -q -U pip &&
            "$venv/bin/pip" install -q trafilatura readability-lxml html-text; } >&2 || true
    fi
    if "$venv/bin/python" -c "$mods" 2>/dev/null; then echo 1; else echo 0; fi
}

# Every pair of consecutive versions of every corpus document, as
# "OLD<TAB>NEW" lines (the corpus directory is $1).
version_pairs() {
    local d f prev
    for d in "$1"/versions/*/; do
        prev=
        for f in "$d"*.md; do
            [[ -n $prev ]] && printf '%s\t%s\n' "$prev" "$f"
            prev=$f
        done
    done
}
