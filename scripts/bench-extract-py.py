#!/usr/bin/env python3
"""The Python extractors of scripts/bench-extract.sh, run the way the
benchmark runs them (trafilatura.extract; readability-lxml's summary turned
into text by html_text).

    bench-extract-py.py dir NAME DIR > out.json   (mean ms/page in-process on stderr)
    bench-extract-py.py one NAME FILE > text      (one page, for whole-process timing)
"""
import json
import sys
import time
from pathlib import Path


def extractor(name):
    if name == "trafilatura":
        import trafilatura
        return lambda html: trafilatura.extract(html, include_comments=False) or ""
    if name == "readability":
        import html_text
        from readability import Document
        return lambda html: html_text.extract_text(Document(html).summary(html_partial=True))
    raise SystemExit(f"unknown extractor {name}")


def main():
    mode, name, target = sys.argv[1:4]
    f = extractor(name)
    if mode == "one":
        sys.stdout.write(f(Path(target).read_bytes().decode("utf-8", "replace")))
        return
    out, total = {}, 0.0
    pages = sorted(Path(target).glob("*.html"))
    for p in pages:
        html = p.read_bytes().decode("utf-8", "replace")
        t = time.perf_counter()
        out[p.stem] = {"articleBody": f(html)}
        total += time.perf_counter() - t
    print(f"{total * 1000 / max(1, len(pages)):.2f}", file=sys.stderr)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
