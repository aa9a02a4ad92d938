"""warcio's reading of WARC and ARC files against vellum's captures of them.

Called by scripts/check-warc-oracle.sh (in the venv holding warcio):

    warc_oracle.py CAPTURES IMPORT_OUT SUITE FILE...

CAPTURES has one JSON [url, captured_at, sha1 of the bytes] per vellum
capture; IMPORT_OUT is `vellum import --json`'s output (its summary lists the
records vellum could not read). Prints the counts; exits 1 on a difference.
"""

import base64
import gzip
import hashlib
import io
import json
import sys
import zlib
from datetime import datetime, timezone

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader


def norm_date(s):
    d = datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.astimezone(timezone.utc).isoformat()


def norm_uri(u):
    # warcio writes spaces in a Target-URI as %20; vellum keeps the URI given.
    return u.strip().strip("<>").replace(" ", "%20")


def records(path):
    """warcio's iterator over a file, and whether the file was decompressed
    first: a gzip file is (warcio refuses to iterate one gzip member holding
    several records, as it could not seek to them), unless it does not
    decompress whole (truncated, bytes between members): then warcio reads
    it as it is."""
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b" and not reads_through(data):
        try:
            plain = gzip.decompress(data)
            if reads_through(plain):
                return ArchiveIterator(io.BytesIO(plain), arc2warc=True), True
        except Exception:
            pass
    return ArchiveIterator(io.BytesIO(data), arc2warc=True), False


def reads_through(data):
    """Whether warcio iterates all of `data` without an error."""
    try:
        for rec in ArchiveIterator(io.BytesIO(data), arc2warc=True):
            rec.raw_stream.read()
        return True
    except Exception:
        return False


def body_of(rec):
    """The payload as warcio decodes it, and whether it was read whole."""
    raw = rec.raw_stream.read()
    whole = getattr(rec.raw_stream, "limit", 0) <= 0
    h = rec.http_headers
    enc = (h.get_header("content-encoding") or "").lower() if h else ""
    if enc not in BufferedReader.get_supported_decompressors():
        enc = None
    chunked = bool(h) and (h.get_header("transfer-encoding") or "").lower() == "chunked"
    if chunked:
        payload = ChunkedDataReader(io.BytesIO(raw), decomp_type=enc).read()
        body = ChunkedDataReader(io.BytesIO(raw)).read()
    elif enc:
        payload = BufferedReader(io.BytesIO(raw), decomp_type=enc).read()
        body = raw
    else:
        payload = body = raw
    if enc in ("gzip", "x-gzip", "deflate"):
        d = zlib.decompressobj(47)
        try:
            d.decompress(body)
            whole = whole and d.eof
        except zlib.error:
            whole = False
    return payload, whole


def digest_forms(payload):
    sha1 = hashlib.sha1(payload).digest()
    return {
        "sha1:" + base64.b32encode(sha1).decode(),
        "sha1:" + sha1.hex(),
    }


def main():
    captures_path, out_path, suite, *files = sys.argv[1:]
    actual = {tuple(json.loads(line)) for line in open(captures_path)}
    actual = {(norm_uri(u or ""), norm_date(d), s) for (u, d, s) in actual}
    summary = next(
        json.loads(line)["summary"]
        for line in open(out_path)
        if line.startswith('{"summary"')
    )
    unreadable = {(u["file"], u["offset"]): u["error"] for u in summary["unreadable"]}

    expected = set()  # what vellum must have archived
    partial = []  # records warcio reads only in part
    seen_id, seen_digest, seen_at = {}, {}, {}
    revisits = []
    per_file = {}

    def resolve(rv):
        """The payload a revisit refers to, among the records read so far."""
        _, _, _, refers_to, declared, refers_date, refers_uri = rv
        payload = seen_id.get(refers_to)
        if payload is None and declared:
            payload = seen_digest.get(declared.upper())
        if payload is None and refers_date:
            payload = seen_at.get((refers_uri, norm_date(refers_date)))
        return payload

    bad = 0
    for path in files:
        count = 0
        if True:
            it, decompressed = records(path)
            try:
                for rec in it:
                    h = rec.rec_headers
                    uri = norm_uri(h.get_header("WARC-Target-URI") or "")
                    date = h.get_header("WARC-Date")
                    kind = rec.rec_type
                    if kind in ("response", "resource"):
                        if uri.lower().startswith("metadata://"):
                            continue
                        status = rec.http_headers.get_statuscode() if rec.http_headers else None
                        if status and not status.startswith("2"):
                            continue
                        payload, whole = body_of(rec)
                        # (The offset is known once the record is read.)
                        offset = None if decompressed else it.get_record_offset()
                        no_http = kind == "response" and not (
                            rec.http_headers and rec.http_headers.protocol
                        )
                        whole = whole and not no_http
                        key = (uri, norm_date(date), hashlib.sha1(payload).hexdigest())
                        if not whole:
                            partial.append((path, offset, key))
                            continue
                        expected.add(key)
                        count += 1
                        rid = h.get_header("WARC-Record-ID")
                        if rid:
                            seen_id[rid] = payload
                        declared = h.get_header("WARC-Payload-Digest")
                        for d in digest_forms(payload) | ({declared} if declared else set()):
                            seen_digest[d.upper()] = payload
                        seen_at[(uri, norm_date(date))] = payload
                    elif kind == "revisit":
                        rv = (path, uri, date, h.get_header("WARC-Refers-To") or "",
                              h.get_header("WARC-Payload-Digest"),
                              h.get_header("WARC-Refers-To-Date"),
                              norm_uri(h.get_header("WARC-Refers-To-Target-URI") or uri))
                        payload = resolve(rv)
                        if payload is None:
                            # Tried again once every file is read: revisits
                            # resolve across the files of one import.
                            revisits.append(rv)
                            continue
                        expected.add((uri, norm_date(date), hashlib.sha1(payload).hexdigest()))
                        count += 1
            except Exception as e:  # warcio stops here; vellum must have said why
                print(f"  {suite}: warcio stops reading {path}: {e}")
        per_file[path] = count
    for rv in revisits:
        payload = resolve(rv)
        if payload is None:
            continue
        path, uri, date = rv[:3]
        expected.add((uri, norm_date(date), hashlib.sha1(payload).hexdigest()))
        per_file[path] += 1

    # Records warcio reads only in part (cut short), or in which it finds no
    # HTTP response (an http URL's ARC record of garbage): vellum must not
    # archive them; it lists them as unreadable (by offset, where warcio
    # knows it).
    listed = 0
    for path, offset, key in partial:
        name = path.split("/")[-1]
        why = unreadable.get((path, offset))
        if why:
            listed += 1
        print(f"  {suite}: warcio reads {name} @ {offset} only in part; vellum: {why or 'not archived'}")
        if key in actual and key not in expected:
            print(f"  {suite}: ARCHIVED by vellum though warcio reads it only in part: {key}")
            bad += 1
    missing = expected - actual
    extra = actual - expected
    for k in sorted(missing):
        print(f"  {suite}: MISSING in vellum: {k}")
        bad += 1
    for k in sorted(extra):
        print(f"  {suite}: EXTRA in vellum (warcio has no such capture): {k}")
        bad += 1
    files_with = sum(1 for n in per_file.values() if n)
    print(
        f"{suite}: {len(files)} files ({files_with} with captures), {len(expected)} captures "
        f"warcio reads matched {len(expected & actual)} in vellum; {len(partial)} records warcio reads "
        f"only in part or without an HTTP response, none archived ({listed} listed by offset as unreadable); "
        f"{len(unreadable)} records listed unreadable in all; {bad} differences"
    )
    sys.exit(1 if bad else 0)


main()
