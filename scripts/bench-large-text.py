#!/usr/bin/env python3
"""Builds the large texts of scripts/bench-large.sh from the corpus.

    bench-large-text.py CORPUS OUT_DIR BYTES MARKER

Writes two texts of about BYTES bytes, both made only of the corpus's
Markdown paragraphs (real legal/news text, no generated words):

  versions.md   the corpus's versions concatenated in manifest order (the
                paragraphs repeat as they do from one version to the next,
                the case of a big page captured whole);
  distinct.md   every distinct paragraph once, then again with its words in
                a shuffled order (seeded), until BYTES: no paragraph
                repeats, the worst case for an index that keeps each
                distinct paragraph once.

MARKER (one word) is put in the last paragraph of each, so a search for it
proves that the end of the text was indexed.
"""

import os
import random
import re
import sys


def paragraphs(corpus):
    with open(os.path.join(corpus, "manifest.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    for row in rows:
        path = os.path.join(corpus, "versions", row[0], row[1] + ".md")
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for p in re.split(r"\n\s*\n", text):
            p = p.strip()
            if p:
                yield p


def write(path, paras, size, marker):
    out, n = [], 0
    for p in paras:
        if n >= size:
            break
        out.append(p)
        n += len(p.encode("utf-8")) + 2
    out.append("The end of this long text, " + marker + ".")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n\n".join(out) + "\n")


def distinct(corpus):
    seen, uniq = set(), []
    for p in paragraphs(corpus):
        if p not in seen:
            seen.add(p)
            uniq.append(p)
    yield from uniq
    rng = random.Random(29)
    while True:
        for p in uniq:
            words = p.split()
            if len(words) < 4:
                continue
            rng.shuffle(words)
            q = " ".join(words)
            if q not in seen:
                seen.add(q)
                yield q


def main():
    corpus, out, size, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    def cycle():
        while True:
            yield from paragraphs(corpus)

    write(os.path.join(out, "versions.md"), cycle(), size, marker)
    write(os.path.join(out, "distinct.md"), distinct(corpus), size, marker)


if __name__ == "__main__":
    main()
