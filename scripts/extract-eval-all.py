#!/usr/bin/env python3
"""Scores extractions of scripts/bench-extract-all.sh against the ground
truth of scripts/extract-data.py, per benchmark and pooled (standard library).

    extract-eval-all.py truth.json BASE NAME=out.json... [--split dev|holdout]
                        [--resamples 1000] [--worst N]

Metric: the Zyte article-extraction-benchmark's token-shingle score, the same
for every tool and benchmark (scripts/extract-eval.py): tokens are \\w+ runs,
compared as bags of 4-token shingles; per page TP, FP, FN are normalised to
sum 1; precision is the mean over pages that extracted something, recall the
mean over pages whose truth has text; F1 from those two means.

BASE (e.g. vellum) is compared with every other NAME: the difference in F1
(BASE minus NAME) with a 95% percentile bootstrap interval from resampling the
pages (with replacement, the same resample for both tools; per benchmark
within it, pooled over all pages). An interval below zero marks BASE as
significantly worse on that set ("worse"), above zero as better ("better").
out.json is {"ID": {"articleBody": text, "ms": milliseconds}}.
"""
import importlib.util
import json
import random
import statistics
import sys
from pathlib import Path

# The scorer is extract-eval.py's (one definition for both scripts).
_spec = importlib.util.spec_from_file_location(
    "extract_eval", Path(__file__).with_name("extract-eval.py"))
_eval = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_eval)
shingles, tp_fp_fn = _eval.shingles, _eval.tp_fp_fn


def page_pr(row):
    """(precision or None, recall or None) of one page, as extract-eval.py."""
    tp, fp, fn = row
    if fp == fn == 0:
        return 1.0, 1.0
    p = tp / (tp + fp) if tp + fp > 0 else None
    r = tp / (tp + fn) if tp + fn > 0 else None
    return p, r


def score(prs):
    ps = [p for p, _ in prs if p is not None]
    rs = [r for _, r in prs if r is not None]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def bootstrap(a, b, n, rng):
    """95% interval of F1(a) - F1(b) over page resamples."""
    k = len(a)
    diffs = []
    for _ in range(n):
        idx = rng.choices(range(k), k=k)
        diffs.append(score([a[i] for i in idx])[0] - score([b[i] for i in idx])[0])
    diffs.sort()
    return diffs[int(0.025 * n)], diffs[min(n - 1, int(0.975 * n))]


def main():
    args = [a for a in sys.argv[1:]]
    opts = {"--split": None, "--resamples": "1000", "--worst": "0"}
    for o in list(opts):
        if o in args:
            i = args.index(o)
            opts[o] = args[i + 1]
            del args[i:i + 2]
    truth = json.load(open(args[0], encoding="utf-8"))
    base = args[1]
    tools = dict(a.split("=", 1) for a in args[2:])
    keys = sorted(k for k, v in truth.items() if opts["--split"] in (None, v["split"]))
    outs = {name: json.load(open(path, encoding="utf-8")) for name, path in tools.items()}
    prs, ms = {}, {}
    for name, out in outs.items():
        prs[name] = {k: page_pr(tp_fp_fn(truth[k]["text"], (out.get(k) or {}).get("articleBody") or ""))
                     for k in keys}
        ms[name] = [out[k]["ms"] for k in keys if k in out and "ms" in out[k]]
    benches = sorted({truth[k]["bench"] for k in keys})
    rng = random.Random(28)
    n = int(opts["--resamples"])
    others = [t for t in tools if t != base]
    split = f", {opts['--split']} pages only" if opts["--split"] else ""
    print(f"token-shingle F1 (Zyte benchmark's definition){split}; {base} minus each other tool "
          f"with a 95% bootstrap interval over {n} page resamples")
    head = f"{'benchmark':<16} {'pages':>5} " + " ".join(f"{t + ' F1/P/R':>22}" for t in tools)
    head += " " + " ".join(f"{base + '-' + t:>28}" for t in others)
    print(head)
    for bench in benches + ["pooled"]:
        ks = keys if bench == "pooled" else [k for k in keys if truth[k]["bench"] == bench]
        cells = []
        for t in tools:
            f, p, r = score([prs[t][k] for k in ks])
            cells.append(f"{f:.3f} {p:.3f} {r:.3f}".rjust(22))
        for t in others:
            a = [prs[base][k] for k in ks]
            b = [prs[t][k] for k in ks]
            d = score(a)[0] - score(b)[0]
            lo, hi = bootstrap(a, b, n, rng)
            mark = "worse" if hi < 0 else "better" if lo > 0 else "same"
            cells.append(f"{d:+.3f} [{lo:+.3f},{hi:+.3f}] {mark}".rjust(28))
        print(f"{bench:<16} {len(ks):>5} " + " ".join(cells))
    print()
    print("ms per page, in-process (mean / median / max):")
    for t in tools:
        v = ms[t]
        if v:
            print(f"  {t:<14} {statistics.mean(v):8.1f} {statistics.median(v):8.1f} {max(v):9.1f}")
    worst = int(opts["--worst"])
    if worst and others:
        def f1(pr):
            return score([pr])[0]
        rows = sorted(keys, key=lambda k: f1(prs[base][k]) - f1(prs[others[0]][k]))[:worst]
        print(f"\npages where {base} trails {others[0]} most (F1 {base} / {others[0]}, P/R of {base}):")
        for k in rows:
            p, r = prs[base][k]
            print(f"  {k:<60} {f1(prs[base][k]):.2f} / {f1(prs[others[0]][k]):.2f}   P {p} R {r}")


if __name__ == "__main__":
    main()
