#!/usr/bin/env bash
# Screenshots of the web page for the README (docs/serve-*.png): indexes sample_corpus into a
# temporary folder, starts `newsdex serve` on a free port and has headless chromium draw the
# main views. Needs chromium (Debian: apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/newsdex
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
"$bin" --index "$tmp/index" index sample_corpus >/dev/null 2>&1
"$bin" --index "$tmp/index" serve --port 0 >"$tmp/out" 2>/dev/null &
server=$!
for _ in $(seq 50); do grep -q http "$tmp/out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/out")
id=$(curl -s "${url}api/search?q=caravan&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])')
shot() { # name width height path
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile-$1" --hide-scrollbars --window-size="$2,$3" \
    --virtual-time-budget=4000 --screenshot="docs/$1.png" "$url$4" 2>/dev/null
}
shot serve-results 1280 1000 "?q=caravan"
shot serve-article 1280 900 "?q=caravan&article=$id"
shot serve-kwic 1280 800 "?q=caravan&tab=kwic"
shot serve-phone 390 844 "?q=caravan"
ls -la docs/serve-*.png
