"""Start-up cost of the sandbox: `modelgate run -- python3 -c pass` against plain `python3 -c pass`
(bubblewrap namespaces and mounts, the seccomp filter, the audit hook's sitecustomize), and the
same for `/bin/true` (no Python: bwrap and modelgate alone). Median of N runs each, and the ratio.
Standard library only.  python3 bench/sandbox_bench.py [--modelgate build/modelgate] [--runs 30]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def median_seconds(argv, runs, cwd):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            sys.exit("%s exited %d: %s" % (" ".join(argv), proc.returncode, proc.stderr.decode(errors="replace")))
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modelgate", default="build/modelgate")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--python", default="/usr/bin/python3")
    a = ap.parse_args()
    modelgate = os.path.abspath(a.modelgate)
    with tempfile.TemporaryDirectory(prefix="mg-sandbox-bench-") as model:
        probe = subprocess.run([modelgate, "run", "-q", "--", "/bin/true"], cwd=model, capture_output=True, text=True)
        if probe.returncode != 0:
            print("sandbox unavailable here (exit %d): %s" % (probe.returncode, probe.stderr.strip()))
            return 0
        print("%-34s %10s %10s %8s" % ("command", "plain ms", "sandbox ms", "ratio"))
        for cmd in ([a.python, "-c", "pass"], ["/bin/true"]):
            plain = median_seconds(cmd, a.runs, model)
            boxed = median_seconds([modelgate, "run", "-q", "--", *cmd], a.runs, model)
            print("%-34s %10.1f %10.1f %7.2fx   (+%.1f ms)" % (" ".join(cmd), plain * 1e3, boxed * 1e3, boxed / plain, (boxed - plain) * 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
