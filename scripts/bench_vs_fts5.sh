#!/usr/bin/env bash
# newsdex beside SQLite FTS5 on Reuters-21578 as 21,578 .txt files, in one run:
#
#   scripts/bench_vs_fts5.sh [WORKDIR]      (default /tmp/vs-fts5)
#
# Builds the installed binary (`dist`: fat LTO; on x86-64 Linux linked statically, as README's
# install command does), runs ../shared/bench/vs_fts5.py (index time
# ratio and per-process search p50, 3 interleaved builds each; exit 1 when a goal is missed), then
# prints the sizes of the corpus, newsdex's index and FTS5's database side by side, and the load
# average (these machines are shared: trust the ratio of one run, not absolute times).
set -uo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/vs-fts5}
target=${CARGO_TARGET_DIR:-$PWD/target}
if [ "$(uname -sm)" = "Linux x86_64" ]; then
  cargo build --profile dist --quiet --bin newsdex --target x86_64-unknown-linux-gnu \
    --config .cargo/dist-static.toml || exit 2
  bin="$target/x86_64-unknown-linux-gnu/dist/newsdex"
else
  cargo build --profile dist --quiet --bin newsdex || exit 2
  bin="$target/dist/newsdex"
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 ../shared/bench/vs_fts5.py "$bin" "$work"
status=$?
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
mb() { du -sb "$1" | awk '{printf "%.1f MB", $1 / 1e6}'; }
echo "sizes: corpus $(mb "$work/reuters-txt") | newsdex index $(mb "$work/nx-idx") | FTS5 database $(mb "$work/fts.db")"
exit $status
