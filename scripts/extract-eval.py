#!/usr/bin/env python3
"""Scores article-body extractions against a ground truth, the way the
Zyte/Scrapinghub article-extraction-benchmark does: tokens are \\w+ runs,
compared as 4-token shingles; per page TP/FP/FN are normalised to sum 1;
precision and recall are means over pages; F1 from those means.

    extract-eval.py ground-truth.json NAME=out.json...
"""
import json
import re
import statistics
import sys
from collections import Counter

TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    toks = TOKEN.findall(text or "")
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i:i + n])


def tp_fp_fn(true, pred):
    t, p = shingles(true), shingles(pred)
    tp = fp = fn = 0.0
    for k in set(t) | set(p):
        a, b = t.get(k, 0), p.get(k, 0)
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def precision(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def main():
    truth = json.load(open(sys.argv[1], encoding="utf-8"))
    print(f"{'extractor':<14} {'F1':>6} {'precision':>10} {'recall':>7} {'pages':>6}")
    for arg in sys.argv[2:]:
        name, path = arg.split("=", 1)
        pred = json.load(open(path, encoding="utf-8"))
        rows = [tp_fp_fn(truth[k]["articleBody"], (pred.get(k) or {}).get("articleBody") or "") for k in truth]
        p = statistics.mean(precision(*r) for r in rows if r[0] + r[1] > 0)
        r = statistics.mean(recall(*x) for x in rows if x[0] + x[2] > 0)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:<14} {f1:>6.3f} {p:>10.3f} {r:>7.3f} {len(rows):>6}")


if __name__ == "__main__":
    main()
