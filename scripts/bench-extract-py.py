#!/usr/bin/env python3
"""The Python extractors of scripts/bench-extract.sh, run the way the
benchmark runs them (trafilatura.extract; readability-lxml's summary turned
into text by html_text).

    bench-extract-py.py dir NAME DIR > out.json   (mean ms/page in-process on stderr)
    bench-extract-py.py raw NAME DIR > out.json   (the same, pages given as bytes)
    bench-extract-py.py one NAME FILE > text      (one page, for whole-process timing)

`dir` decodes every page as UTF-8 (the Zyte pages all are); `raw` hands the
bytes to the extractor, which detects the encoding itself (older benchmarks
hold Latin-1 and Windows-1252 pages). Each page's entry in out.json carries
its in-process milliseconds as "ms".
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
        html = p.read_bytes()
        if mode != "raw":
            html = html.decode("utf-8", "replace")
        t = time.perf_counter()
        try:
            text = f(html)
        except Exception:  # a page the tool cannot read scores as empty
            text = ""
        dt = time.perf_counter() - t
        out[p.stem] = {"articleBody": text, "ms": round(dt * 1000, 3)}
        total += dt
    print(f"{total * 1000 / max(1, len(pages)):.2f}", file=sys.stderr)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
