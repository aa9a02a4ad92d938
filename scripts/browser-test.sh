#!/usr/bin/env bash
# End-to-end check of `vellum serve` in headless Chromium.
#
#   scripts/browser-test.sh
#
# Starts `serve` on a copy of the sample store plus a hostile document (text
# and metadata that try to run script: `<script>` changing document.title,
# `"><img onerror=…>` adding an element, a `javascript:` URL, U+202E), loads
# each kind of page in headless Chromium (Debian's `chromium`, installed when
# missing), and checks the DOM Chromium built after running the page:
# expected content is there, no script from archived text ran (the title is
# ours, no element was added), the bidi override is shown visibly.
# Screenshots land in target/browser-test/. Exits 1 on a failed check, 0 with
# a note when Chromium cannot be had.
#
# VELLUM_BIN=path uses that binary instead of building target/debug/vellum.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/target/browser-test
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

browser=
for b in chromium chromium-browser; do command -v "$b" >/dev/null && browser=$b && break; done
if [[ -z $browser && $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing chromium (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || true
    command -v chromium >/dev/null && browser=chromium
fi
if [[ -z $browser ]]; then
    echo "chromium not available, skipping the browser test"
    exit 0
fi

if [[ -n ${VELLUM_BIN:-} ]]; then
    VELLUM=$VELLUM_BIN
else
    (cd "$REPO" && cargo build --quiet)
    VELLUM=$REPO/target/debug/vellum
fi

W=$(mktemp -d /tmp/vellum-browser.XXXXXX)
server=
cleanup() {
    # The server dies of the TERM we send: its status (143) is not this
    # script's (under `set -e` a failing last command here would become it).
    if [[ -n $server ]] && kill "$server" 2>/dev/null; then
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$W"
}
trap cleanup EXIT
cp -r "$REPO/store" "$W/store"
printf '%s\n\n%s\n\n%s\n' \
    "Breaking <script>document.title='pwned'</script> news." \
    "A quote \"><img src=x onerror=\"document.body.appendChild(document.createElement('h6'))\"> here." \
    "Price $(printf '\u202e')0.01\$ reversed." >"$W/h1.md"
{ cat "$W/h1.md"; printf '\n%s\n' "<iframe src=javascript:document.title='iframe'></iframe> added, and <svg onload=\"document.title='svg'\"></svg>."; } >"$W/h2.md"
for i in 1 2; do
    "$VELLUM" --quiet --store "$W/store" add --doc hostile --at "2020-01-0${i}T00:00:00Z" \
        --title "\"><script>document.title='meta'</script>" --source '<b onmouseover=alert(1)>evil</b>' \
        --url "https://evil.example/?q=\"><script>document.title='url'</script>" "$W/h$i.md" >/dev/null
done

"$VELLUM" --quiet --store "$W/store" serve --addr 127.0.0.1:0 >"$W/addr" 2>"$W/serve.err" &
server=$!
for _ in $(seq 100); do [[ -s $W/addr ]] && break; sleep 0.1; done
base=$(head -n1 "$W/addr")
base=${base%/}
[[ $base == http://127.0.0.1:* ]] || { cat "$W/serve.err"; exit 2; }
log "serving at $base"

mkdir -p "$OUT"
chrome() {
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$W/profile.XXXXXX")" --window-size=1280,900 "$@" 2>/dev/null
}

failed=0
check() { # NAME PATH EXPECTED-TITLE-PART CONTENT...
    local name=$1 path=$2 title=$3
    shift 3
    local dom=$W/$name.html
    chrome --dump-dom "$base$path" >"$dom" || true
    chrome --screenshot="$OUT/$name.png" "$base$path" >/dev/null || true
    local got
    got=$(grep -o '<title>[^<]*</title>' "$dom" | head -n1)
    if [[ $got != *"$title"* ]]; then
        echo "FAIL $name: title is '$got', expected '$title' (did archived script run?)"
        failed=1
    fi
    for bad in "<script>document.title" "document.title='meta'</script>" '<h6' '<img' '<iframe' '<svg onload' '<b onmouseover'; do
        if grep -qF -- "$bad" "$dom"; then
            echo "FAIL $name: '$bad' in the DOM"
            failed=1
        fi
    done
    local want
    for want in "$@"; do
        if ! grep -qF -- "$want" "$dom"; then
            echo "FAIL $name: '$want' missing from the DOM"
            failed=1
        fi
    done
    [[ -s $OUT/$name.png ]] || { echo "FAIL $name: no screenshot"; failed=1; }
    echo "checked $name ($path)"
}

check documents / "Documents · vellum" 'href="/doc/us-coalition-isis-deal"' '&lt;script&gt;document.title'
check timeline /doc/hostile "document.title=" '<svg class="chart"' '&lt;b onmouseover=alert(1)&gt;evil&lt;/b&gt;' 'href="/doc/hostile/2"'
check version /doc/hostile/2 "hostile@2 · vellum" '⟨U+202E⟩' '✓ intact' '&lt;iframe src=javascript:' 'download the raw evidence'
check diff "/diff?a=hostile@1&b=hostile@2" "hostile: @1 → @2" '<ins' '⟨U+202E⟩' 'ignore case'
check diff-side "/diff?a=hostile@1&b=hostile@2&view=side" "hostile: @1 → @2" 'class="sbs"' '<div class="old">'
check serve-diff "/diff?a=us-coalition-isis-deal@1&b=us-coalition-isis-deal@2&ignore-typography=1&ignore-markup=1" \
    "us-coalition-isis-deal: @1 → @2" 'troops' '☑ ignore typography'
check search "/search?q=pwned&all=1" "Search: pwned" '<mark>' 'href="/doc/hostile'
check not-found /doc/no-such-doc "404" 'no document is named'

if ((failed)); then
    cp "$W"/*.html "$OUT"/ 2>/dev/null || true
    echo "browser test FAILED (DOMs and screenshots in $OUT)"
    exit 1
fi
echo "browser test passed: 8 pages, screenshots in $OUT"
