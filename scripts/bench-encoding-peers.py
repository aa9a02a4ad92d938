#!/usr/bin/env python3
"""The peers of scripts/bench-encoding.sh: python chardet and
charset-normalizer on the same test files, judged the same way (the text
decoded with the detector's guess equals the text decoded with the encoding
the suite names; here both decoded by Python's codecs). Prints a Markdown
table per encoding, with the same encoding names as vellum's table.

    python3 scripts/bench-encoding-peers.py DATA_DIR
"""
import codecs
import sys
from collections import defaultdict
from pathlib import Path

import chardet
import charset_normalizer

# Suite label -> (vellum's name for the row, Python codec).
ROWS = {
    "ascii": ("windows-1252", "cp1252"), "iso-8859-1": ("windows-1252", "latin-1"),
    "windows-1252": ("windows-1252", "cp1252"), "utf-8-sig": ("UTF-8", "utf-8-sig"),
    "iso-8859-9": ("windows-1254", "iso8859-9"), "tis-620": ("windows-874", "tis-620"),
    "iso-8859-11": ("windows-874", "iso8859-11"), "maccyrillic": ("x-mac-cyrillic", "mac-cyrillic"),
    "mac-cyrillic": ("x-mac-cyrillic", "mac-cyrillic"), "macroman": ("macintosh", "mac-roman"),
    "cp932": ("Shift_JIS", "cp932"), "cp949": ("EUC-KR", "cp949"), "uhc": ("EUC-KR", "cp949"),
    "shift_jis": ("Shift_JIS", "shift_jis"), "euc-kr": ("EUC-KR", "euc-kr"),
    "gb2312": ("GBK", "gb2312"), "gb18030": ("gb18030", "gb18030"), "big5": ("Big5", "big5"),
    "euc-jp": ("EUC-JP", "euc-jp"), "iso-2022-jp": ("ISO-2022-JP", "iso2022-jp"),
    "koi8-r": ("KOI8-R", "koi8-r"), "ibm866": ("IBM866", "cp866"), "ibm855": ("IBM855", "cp855"),
    "ibm852": ("IBM852", "cp852"), "ibm865": ("IBM865", "cp865"), "ibm737": ("IBM737", "cp737"),
    "cp737": ("IBM737", "cp737"), "ibm862": ("IBM862", "cp862"),
    "ibm862.logical": ("IBM862", "cp862"), "ibm862.visual": ("IBM862", "cp862"),
    "mac-centraleurope": ("x-mac-ce", "mac-latin2"), "utf-8": ("UTF-8", "utf-8"),
    "utf-16": ("UTF-16LE", "utf-16"), "utf-16le": ("UTF-16LE", "utf-16"),
    "utf-16be": ("UTF-16BE", "utf-16"), "utf-16be.": ("UTF-16BE", "utf-16"),
    "windows-1258": ("windows-1258", "cp1258"),
}
for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 15, 16):
    ROWS.setdefault(f"iso-8859-{n}", (f"ISO-8859-{n}", f"iso8859-{n}"))
for n in range(1250, 1258):
    ROWS.setdefault(f"windows-{n}", (f"windows-{n}", f"cp{n}"))
SUFFIXES = ["-arabic", "-bulgarian", "-croatian", "-czech", "-greek", "-hebrew", "-hungarian",
            "-polish", "-romanian", "-russian", "-slovak", "-slovene", "-turkish"]


def files(data):
    for f in sorted((data / "uchardet" / "test").glob("*/*")):
        name = f.name
        label = name[:-4] if name.endswith(".txt") else name.split(".")[0]
        if label.startswith("utf-") and not name.endswith(".txt"):
            label = name.replace(".", "")
        yield label.lower(), f
    for d in sorted((data / "chardet" / "tests").glob("*")):
        if not d.is_dir():
            continue
        label = d.name.lower()
        for s in SUFFIXES:
            if label.endswith(s):
                label = label[: -len(s)]
        for f in sorted(d.iterdir()):
            yield label, f


def decode(b, enc):
    if not enc:
        return None
    try:
        codecs.lookup(enc)
    except LookupError:
        return None
    return b.decode(enc, errors="replace")


def main():
    data = Path(sys.argv[1])
    rows = defaultdict(lambda: [0, 0, 0])
    for label, f in files(data):
        if label not in ROWS:
            continue
        name, codec = ROWS[label]
        b = f.read_bytes()
        try:
            truth = b.decode(codec)
        except UnicodeDecodeError:
            truth = b.decode(codec, errors="replace")
        r = rows[name]
        r[0] += 1
        r[1] += decode(b, chardet.detect(b)["encoding"]) == truth
        best = charset_normalizer.from_bytes(b).best()
        r[2] += decode(b, best.encoding if best else None) == truth
    print(f"| encoding | files | chardet {chardet.__version__} | % "
          f"| charset-normalizer {charset_normalizer.__version__} | % |")
    print("|---|---:|---:|---:|---:|---:|")
    tot = [0, 0, 0]
    for name in sorted(rows):
        n, a, c = rows[name]
        tot = [tot[0] + n, tot[1] + a, tot[2] + c]
        print(f"| {name} | {n} | {a} | {100 * a / n:.0f} | {c} | {100 * c / n:.0f} |")
    n, a, c = tot
    print(f"| **all** | {n} | {a} | {100 * a / n:.1f} | {c} | {100 * c / n:.1f} |")


main()
