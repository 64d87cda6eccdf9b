#!/usr/bin/env bash
# What language detection and per-language analysis cost at indexing time: this build against
# another newsdex binary (a build of main before languages, say), in the same run, interleaved
# (base, this, base, this, ...) so both see the same machine load.
#
#   scripts/bench_languages.sh BASE_BINARY [ROUNDS] [ARCHIVE...]
#
# Default archives: ../shared/corpora/reuters21578 and ../shared/corpora/bbc. Each round indexes
# each archive afresh with each binary under `/usr/bin/time` and records user CPU seconds, wall
# seconds and peak RSS. Prints the medians and this build's ratio to the base (1.10 = 10% more).
# THREADS / MEMORY_MB are passed as --threads / --memory when set.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: scripts/bench_languages.sh BASE_BINARY [ROUNDS] [ARCHIVE...]" >&2
  exit 2
fi
base=$(realpath "$1")
rounds=${2:-5}
shift $(( $# >= 2 ? 2 : 1 ))
archives=("$@")
if [ ${#archives[@]} -eq 0 ]; then
  archives=(../shared/corpora/reuters21578 ../shared/corpora/bbc)
fi
for a in "${archives[@]}"; do
  [ -d "$a" ] || { echo "no archive $a (the default ones need ../shared)" >&2; exit 2; }
done
cargo build --release --quiet --bin newsdex
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp target/release/newsdex "$work/this"
cp "$base" "$work/base"
opts=()
[ -n "${THREADS:-}" ] && opts+=(--threads "$THREADS")
[ -n "${MEMORY_MB:-}" ] && opts+=(--memory "$MEMORY_MB")

for a in "${archives[@]}"; do
  name=$(basename "$a")
  for r in $(seq 1 "$rounds"); do
    for build in base this; do
      rm -rf "$work/idx"
      /usr/bin/time -f '%U %e %M' -o "$work/t" \
        "$work/$build" --index "$work/idx" index --quiet "${opts[@]}" "$a" > /dev/null
      echo "$name $build $(cat "$work/t")" >> "$work/times"
    done
  done
done

python3 - "$work/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
names = list(dict.fromkeys(r[0] for r in rows))
print(f"{'archive':<14} {'build':<5} {'runs':>4} {'user_s':>8} {'wall_s':>8} {'peakMB':>8}")
for n in names:
    med = {}
    for b in ("base", "this"):
        rs = [r for r in rows if r[0] == n and r[1] == b]
        med[b] = [statistics.median(float(r[i]) for r in rs) for i in (2, 3, 4)]
        u, w, kb = med[b]
        print(f"{n:<14} {b:<5} {len(rs):>4} {u:8.2f} {w:8.2f} {kb/1024:8.0f}")
    ratio = [t / s for t, s in zip(med["this"], med["base"])]
    print(f"{n:<14} {'ratio':<5} {'':>4} {ratio[0]:8.3f} {ratio[1]:8.3f} {ratio[2]:8.3f}")
PY
