#!/usr/bin/env bash
# Checks, with the Wayback tools themselves, that:
#   - `vellum export --pywb DIR` writes a collection pywb replays as it is:
#     pywb's own server (`wayback`, on 127.0.0.1) answers a URL at two
#     timestamps with the capture archived at each time (a resource record
#     and a fetched page's response records), and its TimeGate redirects to
#     the closest one;
#   - the export's CDXJ is what pywb's own indexer (`cdx-indexer -j`) makes
#     of the same WARC (SURT keys, timestamps, digests, offsets, lengths);
#   - vellum's TimeGate and TimeMap read right with a Memento client (the
#     `memento_client` package) and pywb's link-header parser;
# and prints the time of pywb's TimeGate beside vellum's, on the same captures.
#
#   scripts/check-pywb.sh        (needs python3 with venv; installs pywb and
#                                 memento_client from PyPI into target/pywb-venv)
#
# VELLUM_BIN=path tests a given binary instead of building one; KEEP=1 keeps
# the work directory.
set -euo pipefail
NAME=pywb
# shellcheck source=scripts/test-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-lib.sh"

venv=$root/target/pywb-venv
if [[ ! -x $venv/bin/wayback ]] || ! "$venv/bin/python" -c 'import memento_client' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pywb memento_client
fi
py=$venv/bin/python
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
stop_all() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    cleanup
}
trap stop_all EXIT

# The bundled sample store, plus one URL archived at two times.
cp -r "$root/store" "$work/store"
url=https://news.example/story
printf 'The truce holds, officials said.\n' >"$work/v1.txt"
printf 'The truce collapsed overnight, officials said.\n' >"$work/v2.txt"
"$vellum" --store "$work/store" add --doc story --at 2019-02-12T08:00:00Z --url "$url" "$work/v1.txt" >/dev/null
"$vellum" --store "$work/store" add --doc story --at 2020-06-01T12:00:00Z --url "$url" "$work/v2.txt" >/dev/null
# The first text again: its bytes are exported once, then as a revisit.
"$vellum" --store "$work/store" add --doc story --at 2021-01-01T00:00:00Z --url "$url" "$work/v1.txt" >/dev/null

# A page fetched twice from a local server (response records, HTTP heads).
mkdir -p "$work/site"
page() {
    printf '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Local page</title></head>
<body><article><h1>Local page</h1><p>%s edition of a page served by a local HTTP server, so that
the export holds response records with the heads vellum archived when it fetched them.</p>
</article></body></html>\n' "$1" >"$work/site/page.html"
}
site_port=$(free_port)
python3 -m http.server "$site_port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
pids+=($!)
page First
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$site_port/page.html')" 2>/dev/null && break
    sleep 0.1
done
local_url=http://127.0.0.1:$site_port/page.html
"$vellum" --store "$work/store" add "$local_url" >/dev/null || fail "could not fetch the local page"
sleep 1.2 # the second fetch in another second: another 14-digit timestamp
page Second
"$vellum" --store "$work/store" add "$local_url" >/dev/null || fail "could not fetch the local page again"

coll=$work/pywb/collections/vellum
"$vellum" --store "$work/store" export --pywb "$coll"
printf 'enable_memento: true\nframed_replay: false\n' >"$work/pywb/config.yaml"

# pywb's indexer on the same WARC: the same lines.
"$venv/bin/cdx-indexer" -j -s -o "$work/pywb-index.cdxj" "$coll"/archive/*.warc.gz >/dev/null
"$py" - "$coll/indexes" "$work/pywb-index.cdxj" <<'PY' || fail "the CDXJ differs from pywb's own indexer"
import glob, json, sys
ours = [l for f in sorted(glob.glob(sys.argv[1] + "/*.cdxj")) for l in open(f).read().splitlines()]
assert ours == sorted(ours), "the index is not sorted"
def rows(lines):
    out = {}
    for l in lines:
        key, ts, j = l.split(" ", 2)
        j = json.loads(j)
        if not j["url"].startswith("http"):
            continue
        out[(key, ts, j["offset"])] = {k: j.get(k) for k in ("url", "mime", "status", "digest", "length")}
    return out
# pywb's indexer also lists the conversion (text) and metadata (capture
# record) records; vellum's index leaves them out, so that a URL and time
# replay the capture, never its extracted text or record.
theirs = rows(open(sys.argv[2]).read().splitlines())
mine = rows(ours)
bad = [k for k in mine if mine[k] != theirs.get(k)]
for k in bad:
    print("vellum:", k, mine[k], "\npywb:  ", k, theirs.get(k), file=sys.stderr)
captures = [k for k, v in theirs.items() if v["mime"] != "application/vnd.vellum.capture+json"
            and not any(o[2] == k[2] for o in mine) and v["mime"] != "text/plain"]
revisits = sum(v["mime"] == "warc/revisit" for v in mine.values())
if bad or captures or len(mine) < 5 or revisits < 1:
    print("missing from vellum's index:", captures, file=sys.stderr)
    sys.exit(1)
print(f"CDXJ: {len(mine)} lines ({revisits} revisit), each as pywb's cdx-indexer writes it")
PY

# pywb's own server on the collection.
wb_port=$(free_port)
(cd "$work/pywb" && exec "$venv/bin/wayback" -p "$wb_port" -b 127.0.0.1 >"$work/wayback.log" 2>&1) &
pids+=($!)
# vellum's server on the same store.
"$vellum" --store "$work/store" serve --addr 127.0.0.1:0 >"$work/serve.addr" 2>"$work/serve.err" &
pids+=($!)
for _ in $(seq 150); do
    [[ -s $work/serve.addr ]] && python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$wb_port/vellum/')" 2>/dev/null && break
    sleep 0.2
done
vbase=$(head -n1 "$work/serve.addr")
vbase=${vbase%/}

"$py" - "http://127.0.0.1:$wb_port/vellum" "$vbase" "$url" "$local_url" "$coll/indexes" <<'PY' || fail "replay or Memento check failed"
import glob, statistics, sys, time
from datetime import datetime
import requests
from memento_client import MementoClient

wb, vb, url, local_url, index_dir = sys.argv[1:6]
ok = True
def check(cond, what):
    global ok
    print(("ok   " if cond else "FAIL ") + what)
    ok &= bool(cond)

# Each answer is the capture archived at that time.
local = sorted(l.split(" ")[1] for f in glob.glob(index_dir + "/*.cdxj")
               for l in open(f) if l.startswith("1,0,0,127:"))
cases = [("20190212080000", url, "The truce holds"),
         ("20200601120000", url, "The truce collapsed overnight"),
         ("20210101000000", url, "The truce holds"),  # a revisit record
         (local[0], local_url, "First edition"),
         (local[-1], local_url, "Second edition")]
for ts, u, want in cases:
    r = requests.get(f"{wb}/{ts}id_/{u}", allow_redirects=False)
    check(r.status_code == 200 and want in r.text, f"pywb {ts}id_/{u}: {r.status_code}, {want!r}")
    r = requests.get(f"{wb}/{ts}/{u}")
    check(r.status_code == 200 and want in r.text, f"pywb replay {ts}/{u}: {r.status_code}")

# pywb's TimeGate and vellum's: the closest memento.
# (pywb in frameless mode answers 200 with the memento itself, RFC 7089
# pattern 2.2's "200-style" negotiation; vellum redirects.)
dates = {"20190212080000": "Tue, 12 Feb 2019 08:00:00 GMT",
         "20200601120000": "Mon, 01 Jun 2020 12:00:00 GMT"}
for accept, ts in [("Fri, 01 Mar 2019 00:00:00 GMT", "20190212080000"),
                   ("Wed, 01 Jul 2020 00:00:00 GMT", "20200601120000")]:
    for name, gate in [("pywb", f"{wb}/{url}"), ("vellum", f"{vb}/web/{url}")]:
        r = requests.get(gate, headers={"Accept-Datetime": accept}, allow_redirects=False)
        loc = r.headers.get("Location", "")
        got = (r.status_code in (302, 307) and f"/{ts}/" in loc) or \
              (r.status_code == 200 and r.headers.get("Memento-Datetime") == dates[ts])
        check(got and "accept-datetime" in r.headers.get("Vary", "").lower(),
              f"{name} TimeGate at {accept}: {r.status_code} {loc or r.headers.get('Memento-Datetime')}")

# vellum's TimeGate through a Memento client.
mc = MementoClient(timegate_uri=vb + "/web/", check_native_timegate=False)
# (The original is not on the network here: no HEAD to it.)
no_head = requests.Response()
no_head.status_code = 200
info = mc.get_memento_info(url, datetime(2019, 3, 1), req_uri_response=no_head)
closest = info.get("mementos", {}).get("closest", {})
check(closest.get("datetime") == datetime(2019, 2, 12, 8, 0, 0)
      and "/web/20190212080000/" in closest.get("uri", [""])[0],
      f"memento_client: closest {closest}")
m = info.get("mementos", {})
check(m.get("first", {}).get("datetime") == datetime(2019, 2, 12, 8)
      and m.get("last", {}).get("datetime") == datetime(2021, 1, 1),
      "memento_client: first and last from the TimeGate's Link header")
check(MementoClient.is_memento(closest.get("uri", [""])[0]), "memento_client: the memento is a memento")

# vellum's TimeMap through the client's link-header parser and pywb's.
tm = requests.get(f"{vb}/timemap/link/{url}")
links = MementoClient.parse_link_header(tm.text.replace("\n", ""))
mementos = {u: v for u, v in links.items() if "memento" in " ".join(v.get("rel", []))}
check(len(mementos) == 3 and any("original" in v.get("rel", []) for v in links.values()),
      f"TimeMap: {len(mementos)} mementos, original named ({tm.headers.get('content-type')})")
from pywb.utils.memento import MementoUtils
parsed = MementoUtils.parse_links(tm.text)
check(len(parsed.get("mementos", [])) == 3, f"pywb's link parser reads {len(parsed.get('mementos', []))} mementos")

# Timings: pywb's TimeGate beside vellum's.
def timed(gate, n=50):
    s = requests.Session()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        s.get(gate, headers={"Accept-Datetime": "Fri, 01 Mar 2019 00:00:00 GMT"}, allow_redirects=False)
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return statistics.median(out), out[int(len(out) * 0.99) - 1]
for name, gate in [("pywb", f"{wb}/{url}"), ("vellum", f"{vb}/web/{url}")]:
    p50, p99 = timed(gate)
    print(f"TimeGate {name:7s} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms (50 requests)")
sys.exit(0 if ok else 1)
PY

if ((failures)); then
    tail -n 20 "$work/wayback.log" >&2 || true
    exit 1
fi
echo "pywb check passed"
