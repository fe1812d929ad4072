#!/usr/bin/env python3
"""Every high or critical serialized finding on the real-repository corpus, one line each, and a summary.

What it measures
    For every repository folder CORPUS/<category>/<owner>__<name>/ of the chosen categories (default
    all, A-F) it runs `modelgate scan --engines serialized --format jsonl` and prints one line per
    serialized finding at high or above:

        <cat> <repository> <severity> <rule> <file>: <reason>

    where the reason is what the file does, in one line: the global it imports and the first call
    (SZ201/SZ202, e.g. `os.system('id')`), or the finding's own message shortened.
    A finding's file is a *checkpoint* when the scan lists it as a deserialization point (a file a
    loader reads: torch.load, pickle.load, joblib, numpy, Keras, ...) or a member of one.

    Must show: categories A-E are believed benign (../shared/corpus/README.md), so a critical
    serialized finding on a checkpoint there is a false alarm; the summary counts them and the exit
    status is 1 if there is any. Category F holds the peers' own malicious test samples (picklescan,
    fickling, modelscan): findings there are expected and listed for inspection.

    The summary gives, per category: repositories, deserialization points, partial targets, high and
    critical findings; then the findings per rule, and the benign-checkpoint check.

How to run (CORPUS: the folder ../shared/corpus/rebuild.sh exported to)
    python3 bench/serialized_corpus.py CORPUS
    python3 bench/serialized_corpus.py CORPUS --categories A,B,C,D,E --jobs 2
    python3 bench/serialized_corpus.py CORPUS --modelgate build/modelgate --min-severity medium

Exit status: 0, also when CORPUS does not exist (skipped with a message); 1 when a benign category
has a critical serialized finding on a checkpoint; 3 when the scanner crashed (an exit code other
than 0, 1 or 2, or output that is not JSON Lines).

Python 3 standard library only.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELGATE = os.path.join(HERE, "..", "build", "modelgate")
RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
BENIGN = set("ABCDE")
SCANNER_OK_CODES = (0, 1, 2)


def list_repos(corpus, category):
    folder = os.path.join(corpus, category)
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, d) for d in os.listdir(folder)
                  if not d.startswith(".") and os.path.isdir(os.path.join(folder, d)))


def scan(modelgate, repos, jobs):
    """(exit code, [target objects]) of one modelgate run over REPOS."""
    cmd = [modelgate, "scan", *repos, "--engines", "serialized", "--format", "jsonl", "--jobs", str(jobs),
           "--quiet", "--fail-on", "none"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    targets, bad = [], 0
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(obj, dict) and "target" in obj:
            targets.append(obj)
    code = proc.returncode
    if code in SCANNER_OK_CODES and bad:
        code = -1000
    return code, targets


def one_line(text, limit):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def reason(f):
    """What the file does, in one line."""
    rule = f.get("rule_id") or "?"
    msg = str(f.get("message") or "")
    snippet = str(f.get("snippet") or "")
    if rule in ("SZ201", "SZ202"):
        # "<where>: GLOBAL at offset 0x2 imports mod.name (why); called 2x ...": name, why, the first call.
        imported = msg.split(" imports ", 1)[1] if " imports " in msg else msg
        name, _, rest = imported.partition(" (")
        why = rest.split(")", 1)[0]
        where = msg.split(": ", 1)[0] + ": " if ": " in msg.split(" imports ", 1)[0] else ""
        count = ""
        for key in ("called ", "instantiated "):
            if key in imported:
                count = "; " + key + imported.split(key, 1)[1].split(";", 1)[0].split(",", 1)[0]
        calls = "" if snippet in ("", name) else "; first call " + one_line(snippet, 100)
        return one_line("%simports %s (%s)%s%s" % (where, name, why, count, calls), 220)
    return one_line(msg, 220)


def checkpoint_files(target):
    return {str(d.get("file") or "") for d in (target.get("deserialization") or []) if isinstance(d, dict)}


def is_checkpoint(path, points):
    # Members of an archive are reported as "archive.zip!member" or under the archive's own path.
    return path in points or path.split("!", 1)[0] in points


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", metavar="CORPUS")
    ap.add_argument("--modelgate", default=DEFAULT_MODELGATE, help="modelgate binary (default: build/modelgate)")
    ap.add_argument("--jobs", type=int, default=1, help="targets scanned in parallel (default 1)")
    ap.add_argument("--categories", default="A,B,C,D,E,F", help="comma-separated categories (default A-F)")
    ap.add_argument("--min-severity", default="high", choices=["medium", "high", "critical"],
                    help="list findings at or above this severity (default high)")
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        print("serialized_corpus: skipped, no corpus at %s (see ../shared/corpus/README.md)" % args.corpus)
        return 0
    if not os.access(args.modelgate, os.X_OK):
        print("serialized_corpus: skipped, no modelgate binary at %s" % args.modelgate)
        return 0

    floor = RANK[args.min_severity]
    per_cat = collections.OrderedDict()
    per_rule = collections.Counter()
    benign_critical = []
    crashed = False
    print("%-3s %-44s %-8s %-6s %s" % ("cat", "repository", "severity", "rule", "file: reason"))
    for cat in [c.strip() for c in args.categories.split(",") if c.strip()]:
        repos = list_repos(args.corpus, cat)
        stats = per_cat.setdefault(cat, collections.Counter())
        if not repos:
            continue
        t0 = time.monotonic()
        code, targets = scan(args.modelgate, repos, args.jobs)
        stats["seconds"] = time.monotonic() - t0
        if code not in SCANNER_OK_CODES:
            print("serialized_corpus: modelgate exited %d on category %s" % (code, cat), file=sys.stderr)
            crashed = True
        for t in targets:
            repo = os.path.basename(os.path.normpath(str(t.get("target") or "?")))
            points = checkpoint_files(t)
            stats["repositories"] += 1
            stats["points"] += len(points)
            stats["partial"] += t.get("status") == "partial"
            findings = [f for f in (t.get("findings") or []) if isinstance(f, dict) and f.get("engine") == "serialized"]
            for f in sorted(findings, key=lambda f: (-RANK.get(f.get("severity"), 0), f.get("file") or "", f.get("rule_id") or "")):
                sev = f.get("severity")
                if RANK.get(sev, 0) < floor:
                    continue
                stats[sev] += 1
                per_rule[(f.get("rule_id"), sev)] += 1
                path = str(f.get("file") or "?")
                ckpt = is_checkpoint(path, points)
                print("%-3s %-44s %-8s %-6s %s%s: %s" % (cat, one_line(repo, 44), sev, f.get("rule_id"), path,
                                                         " [checkpoint]" if ckpt else "", reason(f)))
                if cat in BENIGN and sev == "critical" and ckpt:
                    benign_critical.append((cat, repo, f.get("rule_id"), path))

    print()
    print("%-4s %6s %7s %8s %6s %9s %8s" % ("cat", "repos", "points", "partial", "high", "critical", "seconds"))
    total = collections.Counter()
    for cat, s in per_cat.items():
        print("%-4s %6d %7d %8d %6d %9d %8.1f" % (cat, s["repositories"], s["points"], s["partial"], s["high"],
                                                  s["critical"], s["seconds"]))
        total.update(s)
    print("%-4s %6d %7d %8d %6d %9d %8.1f" % ("all", total["repositories"], total["points"], total["partial"],
                                              total["high"], total["critical"], total["seconds"]))
    print()
    print("per rule: " + (", ".join("%s %s %d" % (r, s, n) for (r, s), n in sorted(per_rule.items())) or "none"))
    benign_cats = "".join(c for c in per_cat if c in BENIGN)
    if benign_cats:
        print("critical serialized findings on checkpoints of the benign categories (%s): %d%s" % (
            benign_cats, len(benign_critical), "" if benign_critical else " (must be 0: OK)"))
        for cat, repo, rule, path in benign_critical:
            print("  FAIL %s %s %s %s" % (cat, repo, rule, path))
    if crashed:
        return 3
    return 1 if benign_critical else 0


if __name__ == "__main__":
    sys.exit(main())
