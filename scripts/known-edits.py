#!/usr/bin/env python3
"""Known edits among repeated paragraphs: changed-word F1 of vellum and git.

    scripts/known-edits.py VELLUM_BIN CORPUS_DIR [N_CASES]

Each case takes one corpus text, repeats one of its paragraphs at 3 to 6
places (as cookie notices and legal boilerplate repeat in real policies),
and makes one known edit near the copies: a paragraph inserted after a copy,
a word replaced in a copy or in a paragraph beside one, a paragraph beside a
copy or a copy itself removed, or a copy removed and another put in far away
(identical copies are interchangeable: a removal and an addition, as git
shows it, never a move). The truth is the words that edit removes and
adds. Each tool's changed words are read from its output (`vellum diff
--json`, counting a moved paragraph's own word changes only;
`git diff --no-index --word-diff=porcelain`), and scored against the truth
as F1. The sample is deterministic (seeded). Standard library only.
"""

import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter

WORD = re.compile(r"\w+")
PLAIN = re.compile(r"(?<!\S)[A-Za-z]{3,}(?=[.,;:]?(?:\s|$))")


def words(text):
    return WORD.findall(text)


def paragraphs(text):
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def texts(corpus):
    root = os.path.join(corpus, "versions")
    for doc in sorted(os.listdir(root)):
        names = sorted(os.listdir(os.path.join(root, doc)))
        if names:
            with open(os.path.join(root, doc, names[-1]), encoding="utf-8") as f:
                yield doc, f.read()


def make_case(rng, doc_paras, other_paras, k):
    """Returns (old paragraphs, new paragraphs, truth Counter, edit name)."""
    paras = list(doc_paras)
    fit = [p for p in paras if 12 <= len(words(p)) <= 80]
    rep = rng.choice(fit)
    for _ in range(k - 1):
        paras.insert(rng.randrange(len(paras) + 1), rep)
    copies = [i for i, p in enumerate(paras) if p == rep]
    old = list(paras)
    new = list(paras)
    at = rng.choice(copies)
    truth = Counter()
    edit = rng.choice(
        ["insert", "word-near", "word-in-copy", "remove-near", "remove-copy", "copy-elsewhere"]
    )
    fresh = f"vqz{rng.randrange(10**6)}x"
    if edit == "insert":
        p = rng.choice([q for q in other_paras if len(words(q)) >= 5])
        new.insert(at + 1, p)
        truth.update(("+", w) for w in words(p))
    elif edit in ("word-near", "word-in-copy", "remove-near"):
        if edit == "word-in-copy":
            i = at
        else:
            near = [j for j in (at - 1, at + 1) if 0 <= j < len(new) and new[j] != rep]
            if not near:
                return None
            i = rng.choice(near)
        if edit == "remove-near":
            truth.update(("-", w) for w in words(new[i]))
            del new[i]
        else:
            # A plain word between spaces (not a piece of a link or a URL,
            # which tools split into words differently).
            spans = [m.span() for m in PLAIN.finditer(new[i])]
            if not spans:
                return None
            s, e = rng.choice(spans)
            truth[("-", new[i][s:e])] += 1
            truth[("+", fresh)] += 1
            new[i] = new[i][:s] + fresh + new[i][e:]
    elif edit == "remove-copy":
        truth.update(("-", w) for w in words(rep))
        del new[at]
    else:
        # One copy taken out here and one put in far away: identical copies
        # are interchangeable, so this is a removal and an addition (as git
        # shows it), not a paragraph that moved.
        del new[at]
        far = [j for j in range(len(new) + 1) if abs(j - at) > 3 and new[min(j, len(new) - 1)] != rep]
        if not far:
            return None
        new.insert(rng.choice(far), rep)
        if new == old:
            return None
        truth.update(("-", w) for w in words(rep))
        truth.update(("+", w) for w in words(rep))
    if not truth:
        return None
    return old, new, truth, edit


def vellum_words(out):
    d = json.loads(out)
    got = Counter()
    for op in d["ops"]:
        if op["op"] != "equal" and not op.get("moved"):
            sign = "-" if op["op"] == "delete" else "+"
            got.update((sign, w) for w in words(op["text"]))
    for m in d.get("moves", []):
        for op in m["ops"]:
            if op["op"] != "equal":
                sign = "-" if op["op"] == "delete" else "+"
                got.update((sign, w) for w in words(op["text"]))
    return got


def git_words(out):
    got = Counter()
    for line in out.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line[:1] in "+-":
            got.update((line[0], w) for w in words(line[1:]))
    return got


def f1(got, truth):
    tp = sum((got & truth).values())
    p = tp / max(1, sum(got.values()))
    r = tp / max(1, sum(truth.values()))
    return 0.0 if tp == 0 else 2 * p * r / (p + r)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    vellum, corpus = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    rng = random.Random(29)
    docs = [(d, paragraphs(t)) for d, t in texts(corpus)]
    docs = [(d, p) for d, p in docs if len(p) >= 8 and any(12 <= len(words(q)) <= 80 for q in p)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "old.md"), os.path.join(tmp, "new.md")
        while len(rows) < n:
            doc, paras = rng.choice(docs)
            _, other = rng.choice(docs)
            case = make_case(rng, paras, other, rng.randint(3, 6))
            if case is None:
                continue
            old, new, truth, edit = case
            with open(a, "w", encoding="utf-8") as f:
                f.write("\n\n".join(old) + "\n")
            with open(b, "w", encoding="utf-8") as f:
                f.write("\n\n".join(new) + "\n")
            v = subprocess.run([vellum, "diff", "--json", a, b], capture_output=True, text=True)
            if v.returncode not in (0, 1):
                sys.exit(f"vellum diff failed: {v.stderr}")
            g = subprocess.run(
                ["git", "diff", "--no-index", "--word-diff=porcelain", a, b],
                capture_output=True,
                text=True,
            )
            fv, fg = f1(vellum_words(v.stdout), truth), f1(git_words(g.stdout), truth)
            rows.append((fv, fg, f"{doc}: {edit}"))
    mean = lambda xs: sum(xs) / len(xs)
    fv = [r[0] for r in rows]
    fg = [r[1] for r in rows]
    behind = [r for r in rows if r[0] < r[1] - 0.05]
    print(f"known edits among repeated paragraphs: {len(rows)} cases")
    print(f"  changed-word F1, mean: vellum {mean(fv):.4f}   git {mean(fg):.4f}")
    print(f"  lowest: vellum {min(fv):.3f}   git {min(fg):.3f}")
    print(f"  cases more than 0.05 below git: {len(behind)}")
    for fv_, fg_, name in sorted(behind)[:5]:
        print(f"    vellum {fv_:.3f}  git {fg_:.3f}  {name}")


if __name__ == "__main__":
    main()
