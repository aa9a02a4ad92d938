#!/usr/bin/env bash
# CPU time and page faults of whole-process commands, compared on a busy machine (#29).
#
#   scripts/cpu-rounds.sh ROUNDS RUNS LABEL=COMMAND...
#
# Each round runs every command RUNS times under `perf stat -r RUNS -e task-clock,page-faults`,
# the commands in turn, so a burst of load from elsewhere falls on all of them. Prints, per
# command, the median and the lowest of the rounds' mean CPU times and the page faults of a
# run. Wall time is left out on purpose: on a shared machine it measures the neighbours.
# COMMAND is split on spaces (no quoting inside it).
#
# Example:
#   scripts/cpu-rounds.sh 9 30 "before=./vellum-old --store S show DOC@2" \
#       "after=./vellum --store S show DOC@2" "git=git -C R cat-file -p HEAD:article.txt"
set -euo pipefail
(($# >= 3)) || {
    sed -n '2,/^set/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}
ROUNDS=$1 RUNS=$2
shift 2
[[ $ROUNDS =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ ]] || {
    echo "ROUNDS and RUNS are positive numbers" >&2
    exit 2
}
command -v perf >/dev/null || {
    echo "perf is needed (linux-perf)" >&2
    exit 2
}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
labels=()
for spec in "$@"; do
    [[ $spec == *=* ]] || {
        echo "not LABEL=COMMAND: $spec" >&2
        exit 2
    }
    labels+=("${spec%%=*}")
done
for ((r = 0; r < ROUNDS; r++)); do
    i=0
    for spec in "$@"; do
        read -r -a c <<<"${spec#*=}"
        perf stat -x, -r "$RUNS" -e task-clock,page-faults "${c[@]}" 2>&1 >/dev/null |
            awk -F, '$3 ~ /task-clock/ { t = $1 } $3 ~ /page-faults/ { p = $1 } END { print t, p }' >>"$W/$i"
        i=$((i + 1))
    done
done
printf '%-16s %10s %10s %8s   (%s rounds of %s runs, CPU ms = perf task-clock mean of a round)\n' \
    command "median ms" "lowest ms" faults "$ROUNDS" "$RUNS"
for ((i = 0; i < ${#labels[@]}; i++)); do
    sort -n "$W/$i" | awk -v l="${labels[$i]}" '
        BEGIN { n = 0 }
        { t[n] = $1; p[n] = $2; n++ }
        END { printf "%-16s %10.3f %10.3f %8s\n", l, t[int((n - 1) / 2)], t[0], p[int((n - 1) / 2)] }'
done
