# Shared set-up of the long-running check scripts (crash-test.sh,
# concurrency-test.sh). Source it after setting NAME; it sets root, vellum,
# work, failures, and defines fail(). The work directory is removed at exit
# unless a check failed or KEEP is set.
# shellcheck shell=bash

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
export NO_COLOR=1
unset VELLUM_STORE

if [[ -n ${VELLUM_BIN:-} ]]; then
    vellum=$(realpath "$VELLUM_BIN")
else
    cargo build --release --quiet
    vellum=$root/target/release/vellum
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vellum-$NAME.XXXXXX")
failures=0
cleanup() {
    if ((failures)) || [[ -n ${KEEP:-} ]]; then
        echo "$NAME-test: work directory kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
fail() {
    echo "$NAME-test: FAIL: $*" >&2
    failures=$((failures + 1))
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
