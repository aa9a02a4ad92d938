#!/usr/bin/env python3
"""Regenerates src/ingest/charset/model_data.rs and src/ingest/charset/tables.rs.

model_data.rs: per language, letter frequencies and the frequencies of letter
pairs that involve a non-ASCII letter, counted from the Universal Declaration
of Human Rights in that language (public domain; the `udhr2` corpus of
nltk_data, one UTF-8 file per language). The detector scores each candidate
decoding of the bytes >= 0x80 against these (src/ingest/charset/mod.rs).

tables.rs: the 128 upper characters of the single-byte code pages that the
WHATWG Encoding Standard (encoding_rs) lacks, from Python's own codecs.

    python3 scripts/gen-charset-model.py [UDHR2_DIR]

UDHR2_DIR defaults to $VELLUM_UDHR_DIR, else target/encoding-data/udhr2
(the unpacked packages/corpora/udhr2.zip of github.com/nltk/nltk_data).
Nothing is downloaded; the output is deterministic for the same input.
"""
import math
import os
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "ingest" / "charset"

# (language code used by vellum, UDHR file)
LANGS = [
    ("cs", "ces"), ("sk", "slk"), ("pl", "pol"), ("hu", "hun"), ("sl", "slv"),
    ("hr", "hrv"), ("ro", "ron"), ("et", "est"), ("lv", "lav"), ("lt", "lit"),
    ("mt", "mlt"), ("eo", "epo"), ("tr", "tur"), ("ga", "gle"), ("da", "dan"),
    ("no", "nob"), ("sv", "swe"), ("fi", "fin"), ("is", "isl"), ("de", "deu"),
    ("nl", "nld"), ("fr", "fra"), ("es", "spa"), ("ca", "cat"), ("it", "ita"),
    ("pt", "por_PT"), ("en", "eng"), ("ru", "rus"), ("uk", "ukr"), ("be", "bel"),
    ("bg", "bul"), ("mk", "mkd"), ("sr", "srp_cyrl"), ("el", "ell_monotonic"),
    ("he", "heb"), ("ar", "arb"), ("th", "tha"), ("vi", "vie"),
]

# Code pages encoding_rs does not have: (vellum label, Python codec).
TABLES = [
    ("ibm852", "cp852"), ("ibm855", "cp855"), ("ibm865", "cp865"),
    ("ibm862", "cp862"), ("ibm737", "cp737"), ("x-mac-ce", "mac_latin2"),
]

MAX_Q = 255

# Letters of each alphabet (CLDR's main exemplar characters) that a short
# text like the UDHR may lack or hardly use: counted as at least 1 in 2000
# letters, so a text that has them is not priced as if they were foreign.
ALPHABETS = {
    "cs": "áčďéěíňóřšťúůýž", "sk": "áäčďéíĺľňóôŕšťúýž", "pl": "ąćęłńóśźż",
    "hu": "áéíóöőúüű", "sl": "čšžćđ", "hr": "čćđšž", "ro": "ăâîșțşţ",
    "et": "äõöüšž", "lv": "āčēģīķļņšūž", "lt": "ąčęėįšųūž", "mt": "ċġħżàèìòù",
    "eo": "ĉĝĥĵŝŭ", "tr": "çğıöşüâî", "ga": "áéíóú", "da": "æøåéó", "no": "æøåéóò",
    "sv": "åäöé", "fi": "åäöšž", "is": "áðéíóúýþæö", "de": "äöüß", "nl": "éëïèö",
    "fr": "àâæçéèêëîïôœùûüÿ", "es": "áéíñóúü", "ca": "àçéèíïòóúü", "it": "àèéìíîòóùú",
    "pt": "áâãàçéêíóôõú", "ru": "ё", "uk": "ґєіїʼ", "be": "ёіў", "mk": "ѓѕјљњќџ",
    "sr": "ђјљњћџ", "el": "άέήίόύώϊϋΐΰς",
}

# Romanian is written with both the comma-below letters (the standard's, in
# ISO-8859-16) and the cedilla ones (the only ones windows-1250 has).
ROMANIAN = str.maketrans("șțȘȚ", "şţŞŢ")

# windows-1258 writes Vietnamese tones as combining marks after the letter.
TONES = "\u0300\u0301\u0303\u0309\u0323"


def as_cp1258(text):
    """Vietnamese as windows-1258 decodes it: precomposed where the code
    page has the letter, else the base letter and a combining tone mark."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = "".join(c for c in d if c not in TONES)
            tones = "".join(c for c in d if c in TONES)
            out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out)


def q(p):
    """-ln(p) in quarter nats, as a byte."""
    return min(MAX_Q, round(-math.log(p) * 4))


def is_letter(ch):
    """Letters and combining marks (Thai vowels and tones, Hebrew points)."""
    return ch.isalpha() or unicodedata.category(ch).startswith("M")


def count(text, code):
    if code == "ro":
        text = text + "\n" + text.translate(ROMANIAN)
    text = unicodedata.normalize("NFC", text)
    if code == "vi":
        text = as_cp1258(text)
    text = text.lower()
    seq = []
    for ch in text:
        c = ch if is_letter(ch) else " "
        if c == " " and seq and seq[-1] == " ":
            continue
        seq.append(c)
    uni = Counter(c for c in seq if c != " ")
    bi = Counter()
    for a, b in zip(seq, seq[1:]):
        if (a != " " and ord(a) > 127) or (b != " " and ord(b) > 127):
            bi[a + b] += 1
    floor = max(1, sum(uni.values()) // 2000)
    for c in ALPHABETS.get(code, ""):
        uni[c] = max(uni[c], floor)
    return uni, bi, max(1, len(seq) - 1)


def rust_str(s):
    out = []
    for ch in s:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127 or (ord(ch) > 160 and ch.isalpha()):
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    return '"' + "".join(out) + '"'


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else
               os.environ.get("VELLUM_UDHR_DIR", ROOT / "target" / "encoding-data" / "udhr2"))
    if not src.is_dir():
        sys.exit(f"no UDHR texts at {src} (see this script's docstring)")
    lines = [
        "// @generated by scripts/gen-charset-model.py from the Universal Declaration",
        "// of Human Rights (public domain; nltk_data's udhr2). Do not edit.",
        "",
        "/// One language's statistics: its letters and its letter pairs that involve",
        "/// a non-ASCII letter (' ' is a word boundary), most frequent first, each",
        "/// with its cost: -ln(frequency) in quarter nats.",
        "pub(crate) struct LangData {",
        "    pub code: &'static str,",
        "    pub letters: &'static str,",
        "    pub letter_q: &'static [u8],",
        "    pub pairs: &'static str,",
        "    pub pair_q: &'static [u8],",
        "}",
        "",
        "pub(super) const LANG_DATA: &[LangData] = &[",
    ]
    for code, f in LANGS:
        text = (src / f"{f}.txt").read_text(encoding="utf-8")
        uni, bi, nbi = count(text, code)
        total = sum(uni.values())
        unis = sorted(uni.items(), key=lambda kv: (-kv[1], kv[0]))
        bis = sorted(((k, v) for k, v in bi.items() if v >= 1), key=lambda kv: (-kv[1], kv[0]))
        lines.append("    LangData {")
        lines.append(f"        code: {rust_str(code)},")
        lines.append(f"        letters: {rust_str(''.join(c for c, _ in unis))},")
        lines.append(f"        letter_q: &{[q(n / total) for _, n in unis]},")
        lines.append(f"        pairs: {rust_str(''.join(k for k, _ in bis))},")
        lines.append(f"        pair_q: &{[q(n / nbi) for _, n in bis]},")
        lines.append("    },")
    lines.append("];")
    (OUT / "model_data.rs").write_text("\n".join(lines) + "\n", encoding="utf-8")

    t = [
        "// @generated by scripts/gen-charset-model.py from Python's codecs. Do not edit.",
        "",
        "/// The characters of bytes 0x80..=0xFF of code pages encoding_rs lacks.",
        "pub(super) const TABLES: &[(&str, &str)] = &[",
    ]
    for label, codec in TABLES:
        chars = []
        for b in range(128, 256):
            try:
                chars.append(bytes([b]).decode(codec))
            except UnicodeDecodeError:
                chars.append("\ufffd")
        assert len(chars) == 128
        t.append(f"    ({rust_str(label)}, {rust_str(''.join(chars))}),")
    t.append("];")
    (OUT / "tables.rs").write_text("\n".join(t) + "\n", encoding="utf-8")
    print(f"wrote {OUT / 'model_data.rs'} ({len(LANGS)} languages) and {OUT / 'tables.rs'}")


main()
