#!/usr/bin/python3
"""Differential test: Bandit and modelgate on the same corpus, compared at (file, line, check).

Usage: tools/bandit_diff.py [--modelgate BIN] [--bandit BIN] [--min-recall 0.95] [--show N] [DIR ...]
Default corpus: the machine's CPython standard library and the repository's examples/.

For every Bandit check that a modelgate rule declares as its equivalent (`bandit:` in the rule's
README front matter), recall = Bandit findings that modelgate also reports on the same file and
line / all Bandit findings of that check. Exits 1 if any such check is below --min-recall, 2 if a
tool could not run. Stdlib only; no Python runs at scan time, this is a test harness.
"""
import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Checks Bandit renamed between releases: a finding of the key counts as matched by any of the values.
# Bandit 1.6.2 reports hashlib.md5/sha1 as B303; newer Bandit (and modelgate) as B324.
RENAMED = {"B303": {"B303", "B324"}}


_lines_cache = {}


def source_lines(path):
    if path not in _lines_cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                _lines_cache[path] = f.read().split("\n")
        except OSError:
            _lines_cache[path] = []
    return _lines_cache[path]


def statement_text(path, line, max_lines=20):
    """The text from `line` until its parentheses balance (a multi-line call), bounded."""
    lines = source_lines(path)
    out, depth = [], 0
    for text in lines[line - 1:line - 1 + max_lines]:
        out.append(text)
        depth += text.count("(") + text.count("[") - text.count(")") - text.count("]")
        if depth <= 0:
            break
    return "\n".join(out)


def known_divergence(finding):
    """Why a Bandit 1.6.2 finding is deliberately not reproduced (documented in the rule's README)."""
    path, line, check = finding
    text = statement_text(path, line)
    if check in ("B303", "B324") and "usedforsecurity=False" in text:
        return "newer Bandit honours usedforsecurity=False"
    if check.startswith("B4") and "import" not in text:
        return "Bandit 1.6.2 matches calls named like a blacklisted module"
    return None


def modelgate_equivalents():
    """Bandit ids declared by modelgate's Python rules (rules/python/*/README.md front matter)."""
    ids = {}
    for readme in glob.glob(os.path.join(REPO, "rules", "python", "*", "README.md")):
        rule_id = bandit = None
        with open(readme, encoding="utf-8") as f:
            for line in f:
                if line.startswith("id:"):
                    rule_id = line.split(":", 1)[1].strip()
                elif line.startswith("bandit:"):
                    bandit = line.split(":", 1)[1].strip()
                elif line.strip() == "---" and rule_id:
                    break
        if rule_id and bandit and bandit != "-":
            ids[bandit] = rule_id
    return ids


def run_bandit(bandit, target):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = tmp.name
    try:
        proc = subprocess.run([bandit, "-r", target, "-f", "json", "-q", "-o", out],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode not in (0, 1):
            raise RuntimeError("bandit failed on %s: %s" % (target, proc.stderr[-500:]))
        with open(out, encoding="utf-8") as f:
            data = json.load(f)
    finally:
        os.unlink(out)
    found = set()
    for r in data.get("results", []):
        found.add((os.path.realpath(r["filename"]), int(r["line_number"]), r["test_id"]))
    return found, len(data.get("errors", []))


def run_modelgate(modelgate, target):
    proc = subprocess.run([modelgate, "scan", target, "--format", "json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1, 2) or not proc.stdout.strip():
        raise RuntimeError("modelgate failed on %s (exit %d): %s" % (target, proc.returncode, proc.stderr[-500:]))
    data = json.loads(proc.stdout)
    found = set()
    incomplete = 0
    for t in data.get("targets", []):
        root = t.get("target", target)
        if os.path.isfile(root):
            root = os.path.dirname(root)
        incomplete += sum(1 for i in t.get("incomplete", []) if str(i.get("file", "")).endswith(".py"))
        for f in t.get("findings", []):
            if f.get("engine") != "python":
                continue
            bid = (f.get("equivalents") or {}).get("bandit")
            if not bid:
                continue
            path = f["file"] if os.path.isabs(f["file"]) else os.path.join(root, f["file"])
            found.add((os.path.realpath(path), int(f["line"]), bid))
    return found, incomplete


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modelgate", default=os.path.join(REPO, "build", "modelgate"))
    ap.add_argument("--bandit", default="/usr/bin/bandit")
    ap.add_argument("--min-recall", type=float, default=0.95)
    ap.add_argument("--show", type=int, default=3, help="unmatched examples printed per check")
    ap.add_argument("--show-extra", action="store_true", help="also print findings only modelgate reports")
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()
    dirs = args.dirs or [d for d in ("/usr/lib/python3.11", os.path.join(REPO, "examples")) if os.path.isdir(d)]

    bandit_found, modelgate_found = set(), set()
    bandit_errors = mg_incomplete = 0
    try:
        for d in dirs:
            b, e = run_bandit(args.bandit, d)
            m, i = run_modelgate(args.modelgate, d)
            bandit_found |= b
            modelgate_found |= m
            bandit_errors += e
            mg_incomplete += i
    except (RuntimeError, OSError) as err:
        print("bandit_diff: %s" % err, file=sys.stderr)
        return 2

    ours = modelgate_equivalents()
    by_check = collections.defaultdict(list)
    for f in bandit_found:
        by_check[f[2]].append(f)
    mg_by_check = collections.Counter(f[2] for f in modelgate_found)
    mg_keys = {(f[0], f[1], f[2]) for f in modelgate_found}

    def matched(f):
        return any((f[0], f[1], alt) in mg_keys for alt in RENAMED.get(f[2], {f[2]}))

    bandit_keys = {(f[0], f[1], f[2]) for f in bandit_found}
    print("corpus: %s" % ", ".join(dirs))
    print("bandit: %d findings (%d files it could not parse); modelgate: %d python findings with a Bandit id "
          "(%d .py files incomplete)" % (len(bandit_found), bandit_errors, len(modelgate_found), mg_incomplete))
    print()
    print("%-6s %-6s %8s %8s %6s %8s %8s %9s  %s" % ("check", "rule", "bandit", "matched", "known", "recall", "ours", "extra",
                                                    "status"))
    failures = []
    checks = sorted(set(by_check) | set(mg_by_check))
    for check in checks:
        rule = ours.get(check, "-")
        b_all = by_check.get(check, [])
        b = [f for f in b_all if matched(f) or not known_divergence(f)]
        known = len(b_all) - len(b)
        m = sum(1 for f in b if matched(f))
        extra = sum(1 for f in modelgate_found if f[2] == check and f not in bandit_keys
                    and not (check == "B324" and (f[0], f[1], "B303") in bandit_keys))
        recall = (m / len(b)) if b else 1.0
        if rule == "-":
            status = "not implemented (removed in newer Bandit)" if b else ""
        elif not b:
            status = "no Bandit findings"
        elif recall < args.min_recall:
            status = "FAIL"
            failures.append(check)
        else:
            status = "ok"
        print("%-6s %-6s %8d %8d %6d %8s %8d %9d  %s" % (check, rule, len(b_all), m, known,
                                                       "%.1f%%" % (100 * recall) if b else "-",
                                                       mg_by_check.get(check, 0), extra, status))
    total_b = sum(len(v) for k, v in by_check.items() if k in ours)
    total_m = sum(1 for k, v in by_check.items() if k in ours for f in v if matched(f))
    print()
    print("overall recall on shared checks: %d/%d = %.1f%% (known divergences included in the denominator)"
          % (total_m, total_b, 100.0 * total_m / max(total_b, 1)))
    divergences = collections.Counter(known_divergence(f) for k, v in by_check.items() if k in ours for f in v
                                      if not matched(f) and known_divergence(f))
    for reason, n in sorted(divergences.items()):
        print("  known divergence (%d): %s" % (n, reason))
    if args.show:
        for check in checks:
            if check not in ours:
                continue
            missed = sorted(f for f in by_check.get(check, []) if not matched(f) and not known_divergence(f))
            if missed:
                print("\nmissed %s:" % check)
                for f in missed[:args.show]:
                    print("  %s:%d" % (f[0], f[1]))
            extra = sorted(f for f in modelgate_found if f[2] == check and f not in bandit_keys)
            if extra and args.show_extra:
                print("\nextra %s:" % check)
                for f in extra[:args.show]:
                    print("  %s:%d" % (f[0], f[1]))
    if failures:
        print("\nFAIL: recall below %.0f%% for %s" % (100 * args.min_recall, ", ".join(failures)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
