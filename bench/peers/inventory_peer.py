"""The inventory + trigger-detection work of modelgate's source and platform stages, written the
plain-Python way (what a Python scanner does): walk the tree, parse the configs, find auto_map
entries, follow relative imports with transformers' regexes, sniff magic bytes. Peer for
bench/inventory_bench.cpp; it must do the same work, no more and no less.
"""
import json
import os
import re
import sys

REL_IMPORT = re.compile(r"^\s*import\s+\.(\S+)\s*$", re.MULTILINE)
REL_FROM = re.compile(r"^\s*from\s+\.(\S+)\s+import", re.MULTILINE)
CONFIGS = {"config.json", "tokenizer_config.json", "processor_config.json", "preprocessor_config.json"}


def main(root):
    files = []
    for dirpath, _, names in os.walk(root):
        for n in names:
            files.append(os.path.relpath(os.path.join(dirpath, n), root))
    present = set(files)
    triggers, modules, points = [], set(), 0
    for f in files:
        if os.path.basename(f) in CONFIGS:
            with open(os.path.join(root, f)) as fh:
                cfg = json.load(fh)
            for key, value in (cfg.get("auto_map") or {}).items():
                for ref in value if isinstance(value, list) else [value]:
                    if ref:
                        triggers.append((f, key, ref))
                        work = [ref.rsplit(".", 1)[0] + ".py"]
                        while work:
                            m = work.pop()
                            if m in modules or m not in present:
                                continue
                            modules.add(m)
                            with open(os.path.join(root, m)) as fh:
                                src = fh.read()
                            for name in REL_IMPORT.findall(src) + REL_FROM.findall(src):
                                work.append(name.replace(".", "/") + ".py")
        with open(os.path.join(root, f), "rb") as fh:
            head = fh.read(16)
        if head[:1] == b"\x80" or head[:4] == b"PK\x03\x04" or head[:6] == b"\x93NUMPY":
            points += 1
    print(len(files), len(triggers), len(modules), points)


if __name__ == "__main__":
    main(sys.argv[1])
