#!/usr/bin/env python3
"""Gathers the public article-extraction benchmarks into one folder for
scripts/bench-extract-all.sh (standard library only).

    extract-data.py MIRRORS OUT

MIRRORS holds bare git mirrors (as the `fetch` tool leaves them:
MIRRORS/owner+name/repo). Each benchmark found there is written to
OUT/html/BENCH__ID.html (the page's bytes as published) and to
OUT/truth.json: {"BENCH__ID": {"bench": ..., "split": "dev"|"holdout",
"text": ground truth}}. Missing mirrors are skipped with a note.

Benchmarks and where their ground truth comes from:
  zyte         scrapinghub/article-extraction-benchmark: ground-truth.json articleBody (MIT)
  cleaneval    j-szulc/html-cleaning-dataset-merged cleaneval-dev + cleaneval-final:
               GoldStandard text, URL line and <p>/<h>/<l> marks removed
  cleanportaleval  same repository, CleanPortalEval-master, same format
  dragnet      same repository, dragnet_data (seomoz/dragnet_data, AGPLv3 data):
               GoldStandard text before the "!@#$%^&*()  COMMENTS" marker
               (the readers' comments are not the article)
  l3s-gn1      same repository, page-signal-master (L3S-GN1 Google News):
               the text of the spans marked x-nc-sel1/2/3 (headline, full text,
               supplemental), as the Web Content Extraction Benchmark reads it
  readability  mozilla/readability test/test-pages (Apache-2.0): the text of
               expected.html
  wcxb         Murrough-Foley/web-content-extraction-benchmark (CC-BY-4.0):
               held-out test split, pages typed "article", main_content

split: a page is "dev" when the first byte of md5("BENCH/ID") is even, else
"holdout" (about half of every benchmark each), so that work on the extractor
can look at dev pages only and be reported on all.
"""
import gzip
import hashlib
import html
import io
import json
import re
import subprocess
import sys
import tarfile
from html.parser import HTMLParser
from pathlib import Path


def git_files(repo, *paths):
    """{path: bytes} of the files under PATHS at HEAD of a bare mirror
    (files the mirror lacks are left out)."""
    p = subprocess.run(["git", "-C", str(repo), "archive", "HEAD", *paths],
                       capture_output=True)
    out = {}
    if not p.stdout:
        return out
    with tarfile.open(fileobj=io.BytesIO(p.stdout)) as t:
        for m in t.getmembers():
            if m.isfile():
                out[m.name] = t.extractfile(m).read()
    return out


def text_of(b):
    return b.decode("utf-8", "replace")


class TextOf(HTMLParser):
    """Text of an HTML fragment, a newline at every block boundary; with
    `classes`, only the text inside elements carrying one of those classes."""
    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr",
              "section", "article", "blockquote", "pre", "ul", "ol", "table",
              "figure", "dd", "dt"}

    def __init__(self, classes=None):
        super().__init__(convert_charrefs=True)
        self.classes, self.out, self.stack = classes, [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.out.append("\n")
        if self.classes is not None and tag not in ("br", "img", "hr", "meta", "link", "input"):
            cls = (dict(attrs).get("class") or "").split()
            self.stack.append(any(c in self.classes for c in cls))

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.out.append("\n")
        if self.classes is not None and tag not in ("br", "img", "hr", "meta", "link", "input") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.classes is None or any(self.stack):
            self.out.append(data)

    def text(self):
        s = "".join(self.out)
        return re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", s)).strip()


def html_text(s, classes=None):
    p = TextOf(classes)
    p.feed(s)
    p.close()
    return p.text()


def split_of(bench, pid):
    return "dev" if hashlib.md5(f"{bench}/{pid}".encode()).digest()[0] % 2 == 0 else "holdout"


def zyte(m):
    repo = m / "scrapinghub+article-extraction-benchmark/repo"
    files = git_files(repo, "html", "ground-truth.json")
    truth = json.loads(files.get("ground-truth.json", b"{}"))
    for pid, v in truth.items():
        raw = files.get(f"html/{pid}.html.gz")
        if raw:
            yield pid, gzip.decompress(raw), v["articleBody"]


CLEANEVAL_MARK = re.compile(r"^\s*URL:[^\n]*\n|<[phl]>|</?text[^>]*>", re.M)


def cleaneval_like(m, folders):
    repo = m / "j-szulc+html-cleaning-dataset-merged/repo"
    for folder in folders:
        files = git_files(repo, folder)
        for name, gold in files.items():
            if "/GoldStandard/" not in name or not name.endswith(".txt"):
                continue
            stem = Path(name).stem
            page = files.get(f"{folder}/input/{stem}.html")
            if page is None:
                continue
            text = html.unescape(CLEANEVAL_MARK.sub("", text_of(gold)))
            yield f"{folder.split('-')[-1]}-{stem}" if len(folders) > 1 else stem, page, text


def dragnet(m):
    repo = m / "j-szulc+html-cleaning-dataset-merged/repo"
    files = git_files(repo, "dragnet_data")
    for name, gold in files.items():
        if "/GoldStandard/" not in name or not name.endswith(".txt"):
            continue
        stem = Path(name).stem
        page = files.get(f"dragnet_data/input/{stem}.html")
        if page is not None:
            yield stem, page, text_of(gold).split("!@#$%^&*()  COMMENTS")[0]


def l3s(m):
    repo = m / "j-szulc+html-cleaning-dataset-merged/repo"
    files = git_files(repo, "page-signal-master")
    for name, gold in files.items():
        if "/GoldStandard/" not in name:
            continue
        stem = Path(name).stem
        page = files.get(f"page-signal-master/input/{stem}.html")
        if page is not None:
            yield stem, page, html_text(text_of(gold), {"x-nc-sel1", "x-nc-sel2", "x-nc-sel3"})


def readability(m):
    repo = m / "mozilla+readability/repo"
    files = git_files(repo, "test/test-pages")
    for name, page in files.items():
        if not name.endswith("/source.html"):
            continue
        d = name[: -len("/source.html")]
        exp = files.get(f"{d}/expected.html")
        if exp is not None:
            yield Path(d).name, page, html_text(text_of(exp))


def wcxb(m):
    repo = m / "Murrough-Foley+web-content-extraction-benchmark/repo"
    files = git_files(repo, "test", "metadata.json")
    meta = json.loads(files.get("metadata.json", b"{}")).get("files", {})
    for pid, info in sorted(meta.items()):
        if info.get("split") != "test" or info.get("page_type") != "article":
            continue
        raw, gt = files.get(f"test/html/{pid}.html.gz"), files.get(f"test/ground-truth/{pid}.json")
        if raw and gt:
            text = json.loads(gt)["ground_truth"].get("main_content") or ""
            yield pid, gzip.decompress(raw), text


BENCHES = {
    "zyte": zyte,
    "cleaneval": lambda m: cleaneval_like(m, ["cleaneval-dev", "cleaneval-final"]),
    "cleanportaleval": lambda m: cleaneval_like(m, ["CleanPortalEval-master"]),
    "dragnet": dragnet,
    "l3s-gn1": l3s,
    "readability": readability,
    "wcxb": wcxb,
}


def main():
    mirrors, out = Path(sys.argv[1]), Path(sys.argv[2])
    (out / "html").mkdir(parents=True, exist_ok=True)
    truth = {}
    for bench, read in BENCHES.items():
        n = 0
        for pid, page, text in read(mirrors):
            if not text.strip():
                continue
            key = f"{bench}__{pid}"
            (out / "html" / f"{key}.html").write_bytes(page)
            truth[key] = {"bench": bench, "split": split_of(bench, pid), "text": text}
            n += 1
        print(f"{bench}: {n} pages" if n else f"{bench}: not found under {mirrors}, skipped",
              file=sys.stderr)
    # No truth.json when nothing was found, so that a later run looks again.
    if truth:
        (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
