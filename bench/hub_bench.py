#!/usr/bin/env python3
"""Hub scans against the local hub (tests/hub/fake_hub.py on 127.0.0.1): per weight format, a
repository holding one large sparse file of that format; prints the file size, bytes fetched,
requests and wall time of `modelgate scan hf:...` (cold cache), and the same scan of the folder.

  bench/hub_bench.py build/modelgate [--size-mb 1024]
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "hub"))
import hub_test  # noqa: E402  (the fixture writers and the local hub)


def gguf(folder, size):
    def s(x):
        b = x.encode()
        return struct.pack("<Q", len(b)) + b
    kv = s("general.architecture") + struct.pack("<I", 8) + s("llama")
    kv += s("tokenizer.chat_template") + struct.pack("<I", 8) + s("{% for m in messages %}{{ m.content }}{% endfor %}")
    tensor = s("w") + struct.pack("<I", 1) + struct.pack("<Q", size // 4) + struct.pack("<I", 0) + struct.pack("<Q", 0)
    head = b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", 1) + struct.pack("<Q", 2) + kv + tensor
    with open(os.path.join(folder, "model.gguf"), "wb") as f:
        f.write(head)
        f.truncate(((len(head) + 31) // 32) * 32 + size)


def npy(folder, size):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }" % (size // 4)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(os.path.join(folder, "embeddings.npy"), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.truncate(10 + len(header) + size)


FORMATS = {
    "pytorch zip": lambda d, n: hub_test.write_sparse_checkpoint(d, n),
    "safetensors": lambda d, n: hub_test.write_sparse_safetensors(d, n),
    "gguf": gguf,
    "npy": npy,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("modelgate")
    ap.add_argument("--size-mb", type=int, default=1024)
    a = ap.parse_args()
    hub_test.MODELGATE = os.path.abspath(a.modelgate)
    size = a.size_mb << 20
    tmp = tempfile.mkdtemp(prefix="mg-hub-bench-")
    try:
        repos = {}
        for name, writer in FORMATS.items():
            d = os.path.join(tmp, "repos", name.replace(" ", "-"))
            os.makedirs(d)
            writer(d, size)
            repos["bench/" + os.path.basename(d)] = d
        hub = hub_test.Hub(repos)
        try:
            # The local hub hashes each file on its first listing; keep that out of the timings.
            import urllib.request
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            for rid in repos:
                opener.open(hub.url + "/api/models/%s/tree/main?recursive=true" % rid, timeout=600).read()
            print("%-12s %12s %12s %9s %10s %10s" % ("format", "file bytes", "fetched", "requests", "hub s", "folder s"))
            for name in FORMATS:
                rid = "bench/" + name.replace(" ", "-")
                env = hub_test.clean_env(tmp)
                shutil.rmtree(os.path.join(tmp, "cache"), ignore_errors=True)
                t0 = time.time()
                rc, rep, err = hub_test.scan("hf:" + rid, env, "--endpoint", hub.url)
                t_hub = time.time() - t0
                t0 = time.time()
                hub_test.scan(repos[rid], env)
                t_dir = time.time() - t0
                if rep is None:
                    print("%-12s failed: %s" % (name, err.strip()))
                    continue
                tr = rep["targets"][0]["source"]["transfer"]
                print("%-12s %12d %12d %9d %10.2f %10.2f" % (name, tr["repository_bytes"], tr["fetched_bytes"], tr["requests"], t_hub, t_dir))
        finally:
            hub.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
