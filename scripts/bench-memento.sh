#!/usr/bin/env bash
# Memento TimeGate latency with N archived URLs.
#
#   scripts/bench-memento.sh [N]      (default 100000; `scripts/bench-memento.sh 1000` is a quick run)
#
# Builds a store of N documents, each a small text archived at its own URL
# (https://siteK.example/news/I, 100 sites; every tenth URL captured a
# second time a year later), with one `add --batch`. Starts `vellum serve`
# on a free loopback port, then:
#   - first request: the first TimeGate request (memento.sqlite was built by
#     `add --batch`; this opens it on a server thread);
#   - TimeGate: p50/p99/max of 500 sequential requests for random URLs with
#     an Accept-Datetime (one client, keep-alive off, time until the 302's
#     head is read: the lookup and the answer, over loopback);
#   - TimeMap (link format): the same for 200 requests.
# The target (issue #26): a TimeGate lookup under 10 ms with 100,000 URLs.
#
# VELLUM_BIN=path skips the release build; BENCH_KEEP=1 keeps the scratch
# directory.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"

n=${1:-100000}
build_vellum
make_scratch memento
snapshot_vellum "$W"

log "writing $n pages and a batch file"
python3 - "$W" "$n" <<'PY'
import json, os, sys
w, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{w}/pages", exist_ok=True)
with open(f"{w}/batch.jsonl", "w") as batch:
    for i in range(n):
        url = f"https://site{i % 100}.example/news/{i}"
        for k in range(2 if i % 10 == 0 else 1):
            path = f"{w}/pages/{i}-{k}.txt"
            with open(path, "w") as f:
                f.write(f"Story {i}, version {k}: what was reported.\n")
            at = f"{2020 + k}-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z"
            batch.write(json.dumps({"path": path, "doc": f"story-{i}", "captured_at": at, "url": url}) + "\n")
PY
t0=$(now_ns)
"$VELLUM" --quiet --store "$W/store" add --batch "$W/batch.jsonl" >/dev/null
log "archived $(wc -l <"$W/batch.jsonl") captures of $n URLs in $(( ($(now_ns) - t0) / 1000000 )) ms"

"$VELLUM" --quiet --store "$W/store" serve --addr 127.0.0.1:0 >"$W/addr" 2>"$W/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; if [[ ${BENCH_KEEP:-} == 1 ]]; then log "kept $W"; else rm -rf "$W"; fi' EXIT
for _ in $(seq 100); do [[ -s $W/addr ]] && break; sleep 0.1; done
base=$(head -n1 "$W/addr")
base=${base%/}
[[ $base == http://127.0.0.1:* ]] || die "serve did not start: $(cat "$W/serve.err")"

python3 - "$base" "$n" <<'PY'
import http.client, random, sys, time, urllib.parse
base, n = sys.argv[1], int(sys.argv[2])
host = urllib.parse.urlsplit(base).netloc

def get(path, headers=None):
    c = http.client.HTTPConnection(host, timeout=120)
    t = time.perf_counter()
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    r.read()
    took = (time.perf_counter() - t) * 1000
    c.close()
    return r.status, took

def url(i):
    return f"https://site{i % 100}.example/news/{i}"

status, took = get("/web/" + url(0))
assert status == 302, status
print(f"first TimeGate request: {took:.0f} ms")

def series(name, paths, want, headers=None):
    times = []
    for p in paths:
        status, took = get(p, headers)
        assert status == want, (p, status)
        times.append(took)
    times.sort()
    pct = lambda q: times[min(len(times) - 1, int(len(times) * q / 100 + 0.999999) - 1)]
    print(f"{name}: p50 {pct(50):.2f} ms, p99 {pct(99):.2f} ms, max {times[-1]:.2f} ms ({len(times)} requests)")
    return pct(99)

rnd = random.Random(7)
p99 = series("TimeGate", ["/web/" + url(rnd.randrange(n)) for _ in range(500)], 302,
             {"Accept-Datetime": "Wed, 01 Jul 2020 00:00:00 GMT"})
series("TimeMap (link)", ["/timemap/link/" + url(rnd.randrange(n)) for _ in range(200)], 200)
print(f"target: TimeGate p99 under 10 ms with {n} URLs: {'PASS' if p99 < 10 else 'FAIL'}")
PY
