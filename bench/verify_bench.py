#!/usr/bin/env python3
"""verify_bench: `modelgate verify --lock` vs `sha256sum` over the same 10 GB sparse model folder.

A folder of N safetensors shards (a real header, then a sparse hole up to the shard size: `truncate`,
so the bench needs no 10 GB of disk) is locked once; then `modelgate verify` and `sha256sum` over
the same files run alternately, best of RUNS each, and both rates are printed with their ratio.
Sparse files read from the page cache at memory speed, so this measures hashing and the thread
pool, not the disk.

usage: bench/verify_bench.py [--modelgate build/modelgate] [--gb 10] [--shards 10] [--runs 3] [--dir DIR]
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time


def make_folder(root, total_bytes, shards):
    os.makedirs(root, exist_ok=True)
    size = total_bytes // shards
    files = []
    for i in range(shards):
        name = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
        path = os.path.join(root, name)
        # A valid safetensors header (padded to a fixed 128 bytes) describing one U8 tensor that
        # fills the rest of the file.
        n = size - 8 - 128
        header = json.dumps({"w": {"dtype": "U8", "shape": [n], "data_offsets": [0, n]}}).encode().ljust(128)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(header)))
            f.write(header)
            f.truncate(size)
        files.append(path)
    with open(os.path.join(root, "config.json"), "w") as f:
        json.dump({"architectures": ["BenchModel"], "model_type": "bench"}, f)
    return files


def best(cmd, runs, expect=0):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode != expect:
            raise SystemExit(f"{cmd[0]} exited {proc.returncode}: {proc.stdout[-500:]}{proc.stderr[-500:]}")
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modelgate", default=os.path.join(os.path.dirname(__file__), "..", "build", "modelgate"))
    ap.add_argument("--gb", type=float, default=10)
    ap.add_argument("--shards", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default="")
    args = ap.parse_args()
    sha256sum = shutil.which("sha256sum")
    if not sha256sum:
        raise SystemExit("sha256sum (coreutils) not found")
    tmp = args.dir or tempfile.mkdtemp(prefix="mg-verify-bench-")
    root = os.path.join(tmp, "model")
    try:
        files = make_folder(root, int(args.gb * 1e9), args.shards)
        total = sum(os.path.getsize(f) for f in files)
        lock = os.path.join(tmp, "model.lock.json")
        subprocess.run([args.modelgate, "lock", root, "-o", lock], check=True, capture_output=True)
        with open(lock) as f:
            locked = {x["path"] for x in json.load(f)["files"]}
        missing = [os.path.basename(p) for p in files if os.path.basename(p) not in locked]
        if missing:
            raise SystemExit(f"the lock does not pin {missing[:3]}: the bench would not measure hashing")
        t_mg = best([args.modelgate, "verify", root, "--lock", lock], args.runs)
        t_sum = best([sha256sum, *files], args.runs)
        gb = total / 1e9
        print(f"folder: {gb:.2f} GB in {len(files)} sparse files, {os.cpu_count()} cores, best of {args.runs}")
        print(f"modelgate verify --lock: {t_mg:7.2f} s  {gb / t_mg:6.2f} GB/s")
        print(f"sha256sum (one process): {t_sum:7.2f} s  {gb / t_sum:6.2f} GB/s")
        print(f"ratio (verify / sha256sum throughput): {t_sum / t_mg:.2f}x")
    finally:
        if not args.dir:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
