#!/usr/bin/env bash
# The monitor at scale: DOCS scheduled documents of which DUE are due,
# served by a local HTTP server on HOSTS loopback addresses (127.0.0.1,
# 127.0.0.2, …: distinct hosts for the politeness rules), with the delay
# between two requests to one host set to 0.
#
#   scripts/bench-monitor.sh [DOCS [DUE [HOSTS]]]     (default 10000 1000 50)
#
# Prints:
#   - building the schedule index from the captures (first `vellum schedule`);
#   - selecting the due documents: `recheck --due` when none is due (opening the
#     index, catching up, the indexed query) and `schedule --json` (all of them);
#   - checking the due ones: `recheck --due --delay 0 --ignore-robots`, its wall
#     time and the overhead per checked document (one in ten pages changed),
#     and the packs in the store before and after it (the round's checks are
#     committed in batches of up to 256).
# Not in CI. VELLUM_BIN=path skips the release build; BENCH_KEEP=1 keeps the
# scratch directory.
set -euo pipefail
source "$(dirname "$0")/bench-lib.sh"

docs=${1:-10000}
due=${2:-1000}
hosts=${3:-50}
((due <= docs)) || die "DUE ($due) is more than DOCS ($docs)"
have python3 || die "python3 is needed"

build_vellum
make_scratch monitor
snapshot_vellum "$W"
port=$((20000 + RANDOM % 20000))

log "writing $docs pages and a batch ($due of them captured a day ago)"
python3 - "$W" "$docs" "$due" "$hosts" "$port" <<'PY'
import datetime, json, os, sys
w, docs, due, hosts, port = sys.argv[1], *map(int, sys.argv[2:])
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
os.makedirs(f"{w}/pages", exist_ok=True)
def page(n, v):
    words = " ".join(f"w{n}x{v}x{i}" for i in range(60))
    return f"<!DOCTYPE html><html><head><meta charset=utf-8><title>Doc {n}</title></head><body><article><h1>Doc {n}</h1><p>{words}.</p></article></body></html>"
with open(f"{w}/batch.jsonl", "w") as b:
    for n in range(docs):
        path = f"{w}/pages/{n}.html"
        with open(path, "w") as f:
            f.write(page(n, 1))
        at = now - (datetime.timedelta(days=1) if n < due else datetime.timedelta(minutes=1))
        url = f"http://127.0.0.{1 + n % hosts}:{port}/d/{n}"
        b.write(json.dumps({"path": path, "doc": f"d{n}", "url": url,
                            "captured_at": at.strftime("%Y-%m-%dT%H:%M:%SZ")}) + "\n")
PY

log "starting the page server on $hosts loopback addresses"
python3 - "$hosts" "$port" >"$W/server.log" 2>&1 <<'PY' &
import http.server, socketserver, sys, threading
hosts, port = int(sys.argv[1]), int(sys.argv[2])
def page(n, v):
    words = " ".join(f"w{n}x{v}x{i}" for i in range(60))
    return f"<!DOCTYPE html><html><head><meta charset=utf-8><title>Doc {n}</title></head><body><article><h1>Doc {n}</h1><p>{words}.</p></article></body></html>"
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if not self.path.startswith("/d/"):
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
        n = int(self.path[3:])
        body = page(n, 2 if n % 10 == 0 else 1).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
for h in range(hosts):
    s = S((f"127.0.0.{1 + h}", port), H)
    threading.Thread(target=s.serve_forever, daemon=True).start()
threading.Event().wait()
PY
server=$!
trap 'kill $server 2>/dev/null; if [[ ${BENCH_KEEP:-} == 1 ]]; then log "kept $W"; else rm -rf "$W"; fi' EXIT
sleep 1

S=$W/store
log "archiving $docs captures (add --batch)"
timed add "$VELLUM" --quiet --store "$S" add --batch "$W/batch.jsonl" >/dev/null
timed build "$VELLUM" --quiet --store "$S" schedule --json >"$W/schedule.jsonl"
scheduled=$(wc -l <"$W/schedule.jsonl")
((scheduled == docs)) || die "$scheduled documents scheduled, not $docs"
past=$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M:%SZ)
timed select env VELLUM_NOW="$past" "$VELLUM" --quiet --store "$S" recheck --due --json >"$W/none.jsonl"
[[ ! -s $W/none.jsonl ]] || die "documents were due two days ago"
timed list "$VELLUM" --quiet --store "$S" schedule --json >/dev/null
packs_before=$(find "$S/objects/packs" -name '*.pack' | wc -l)
timed check "$VELLUM" --quiet --store "$S" recheck --due --json --delay 0 --ignore-robots >"$W/checks.jsonl"
packs_after=$(find "$S/objects/packs" -name '*.pack' | wc -l)
checked=$(wc -l <"$W/checks.jsonl")
changed=$(grep -c '"outcome":"changed"' "$W/checks.jsonl" || true)
((checked == due)) || log "warning: $checked documents checked, $due expected"

echo
echo "monitor benchmark: $docs scheduled documents, $due due, $hosts hosts ($VELLUM_DESC)"
echo
echo "| step | wall | peak RSS |"
echo "| --- | ---: | ---: |"
echo "| add --batch of $docs captures | $(fmt_ms_s "$T_add") s | $(fmt_kib_mib "$M_add") MiB |"
echo "| first \`schedule --json\` (builds monitor.sqlite) | $(fmt_ms_s "$T_build") s | $(fmt_kib_mib "$M_build") MiB |"
echo "| \`recheck --due\`, none due (open, catch up, select) | $T_select ms | $(fmt_kib_mib "$M_select") MiB |"
echo "| \`schedule --json\` (all $docs) | $T_list ms | $(fmt_kib_mib "$M_list") MiB |"
echo "| \`recheck --due\`: $checked checked ($changed changed) | $(fmt_ms_s "$T_check") s | $(fmt_kib_mib "$M_check") MiB |"
echo
echo "packs in the store before and after the round: $packs_before -> $packs_after (small packs are merged at 32)"
awk -v t="$T_check" -v n="$checked" 'BEGIN { if (n > 0) printf "overhead per checked document: %.1f ms (fetch over loopback, extract, archive, check record)\n", t / n }'
