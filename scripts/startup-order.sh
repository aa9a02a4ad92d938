#!/usr/bin/env bash
# Regenerates src/startup-order.txt: the functions vellum's everyday commands run, in the
# order they are first run, which build.rs hands the linker (lld's --symbol-ordering-file)
# so that they sit together at the start of the release binary's code (#29).
#
#   scripts/startup-order.sh
#
# Why: the release binary has 15 MB of code. A short command (`show`, `diff` of two
# files, `--version`) runs about a thousand functions spread over all of it, and each
# 64 KB window of code it touches is a page fault (the kernel maps 16 pages a fault):
# 89 of `show`'s 224 faults. Placed together they take 16 (docs/performance.md,
# "Start-up of the default build: code in the order it runs").
#
# How: each command runs once under `valgrind --tool=callgrind` (every function it
# executes is listed, not a sample), on a copy of the bundled store and two of its
# texts; the names are the linker's (mangled) names of the functions of the vellum
# binary. Symbol names carry a hash of their crate's build settings, so a new Rust
# toolchain or dependency versions leave some names unmatched; the linker skips those
# silently, and scripts/bench-startup.sh prints how many still match. Run this again
# after such a change, or when that count drops.
#
# Environment: VELLUM_BIN  the release binary to profile (default: built here with
#                          `cargo build --release`).
set -euo pipefail

# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"
ensure_pkgs valgrind:valgrind
have valgrind || die "valgrind is needed"

if [[ -z ${VELLUM_BIN:-} ]]; then
    log "cargo build --release"
    (cd "$REPO" && cargo build --release --locked --quiet)
    VELLUM_BIN=$REPO/target/release/vellum
fi
[[ -x $VELLUM_BIN ]] || die "no binary at $VELLUM_BIN"

W=$(mktemp -d "${TMPDIR:-/tmp}/vellum-order.XXXXXX")
trap 'rm -rf "$W"' EXIT
cp -r "$REPO/store" "$W/store"
V=("$VELLUM_BIN" --store "$W/store")
"${V[@]}" reindex >/dev/null
"${V[@]}" show us-coalition-isis-deal@1 >"$W/a.txt"
"${V[@]}" show us-coalition-isis-deal@2 >"$W/b.txt"

# The commands, most common first: their functions come first in the file.
n=0
run() {
    n=$((n + 1))
    valgrind --tool=callgrind --demangle=no --dump-instr=no \
        --callgrind-out-file="$W/cg.$(printf %02d $n)" "$@" >/dev/null 2>&1 || true
}
run "$VELLUM_BIN" --version
run "${V[@]}" show us-coalition-isis-deal@2
run "$VELLUM_BIN" diff --color never "$W/a.txt" "$W/b.txt"
run "${V[@]}" diff --color always us-coalition-isis-deal@1 us-coalition-isis-deal@2
# Diffs of files that take the paths the corpus pairs of scripts/bench-diff.sh take
# (Markdown links and lists, hyphenated words, edits spread over several paragraphs,
# a paragraph moved, a page replaced by a stub): the code of the paragraph pairing,
# the move check and Myers then sits next to the rest instead of being faulted in
# window by window.
F=$REPO/tests/fixtures/articles
python3 - "$F/globalresearch-2018-11-24.md" "$W/edited.md" "$W/stub.md" <<'PY'
import sys
paras = open(sys.argv[1], encoding="utf-8").read().split("\n\n")
# A paragraph moved to the end, a word changed in every fifth paragraph, a link added.
moved = paras[:2] + paras[3:] + [paras[2]]
edited = [p.replace(" the ", " a ", 1) if i % 5 == 0 else p for i, p in enumerate(moved)]
edited[1] += " See [the well-known report](https://example.org/a-b-c)."
open(sys.argv[2], "w", encoding="utf-8").write("\n\n".join(edited))
open(sys.argv[3], "w", encoding="utf-8").write(paras[0] + "\n\nThis page has moved.\n")
PY
run "$VELLUM_BIN" diff --color never "$F/globalresearch-2017-10-12.md" "$F/globalresearch-2018-11-24.md"
run "$VELLUM_BIN" diff --color never "$F/globalresearch-2018-11-24.md" "$W/edited.md"
run "$VELLUM_BIN" diff --color never "$F/globalresearch-2018-11-24.md" "$W/stub.md"
run "${V[@]}" log
run "${V[@]}" log us-coalition-isis-deal
run "${V[@]}" show --json us-coalition-isis-deal@1
run "${V[@]}" verify

python3 - "$VELLUM_BIN" "$W"/cg.* >"$REPO/src/startup-order.txt" <<'EOF'
import os, re, sys

binary = os.path.realpath(sys.argv[1])
seen, out = set(), []
for path in sys.argv[2:]:
    # callgrind's compressed names: "fn=(N) name" defines N, "fn=(N)" reuses it;
    # "ob=" is the object the following functions belong to; c-prefixed lines
    # name callees (their own costs come in their own fn= blocks).
    names = {"ob": {}, "fn": {}}
    ob = None
    for line in open(path, errors="replace"):
        m = re.match(r"^(c?)(ob|fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not m:
            continue
        callee, kind, num, name = m.groups()
        if name is not None:
            names[kind][num] = name
        if callee:
            continue
        if kind == "ob":
            ob = names["ob"].get(num)
        elif ob and os.path.realpath(ob) == binary:
            f = names["fn"].get(num)
            # Unnamed code (callgrind gives it as an address) cannot be ordered.
            if f and not f.startswith("0x") and f not in seen:
                seen.add(f)
                out.append(f)
print("\n".join(out))
EOF
log "wrote $(wc -l <"$REPO/src/startup-order.txt") symbols to src/startup-order.txt"
