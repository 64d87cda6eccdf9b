#!/usr/bin/env python3
"""Runs a command and prints the peak of its anonymous memory (heap, RssAnon) and of its whole
resident set (VmHWM, which also counts index files mapped from disk), sampled every 20 ms from
/proc. The kernel records only the whole-RSS peak, and for an indexer that maps its segments the
whole RSS says little about the heap: this is what `--memory` is meant to bound.

    python3 scripts/peak_anon.py [-o FILE] -- COMMAND [ARGS...]

Prints `peak_anon_kb=N peak_rss_kb=N seconds=S exit=CODE` on stderr (or into FILE); the command's
own output passes through.
"""
import subprocess
import sys
import time


def status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("RssAnon", "VmHWM"):
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def main():
    args = sys.argv[1:]
    out_file = None
    if args[:1] == ["-o"]:
        out_file, args = args[1], args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    start = time.perf_counter()
    proc = subprocess.Popen(args)
    peak_anon = peak_rss = 0
    while proc.poll() is None:
        s = status(proc.pid)
        peak_anon = max(peak_anon, s.get("RssAnon", 0))
        peak_rss = max(peak_rss, s.get("VmHWM", 0))
        time.sleep(0.02)
    line = (f"peak_anon_kb={peak_anon} peak_rss_kb={peak_rss} "
            f"seconds={time.perf_counter() - start:.2f} exit={proc.returncode}")
    if out_file:
        with open(out_file, "w") as f:
            f.write(line + "\n")
    else:
        print(line, file=sys.stderr)
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
