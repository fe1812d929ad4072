#!/usr/bin/env python3
"""Verdicts of modelgate on the real-repository corpus, and how many high/critical ones are weakness-only.

What it measures
    For every repository folder CORPUS_DIR/<category>/<owner>__<name>/ of the chosen categories
    (default A-D: the model repositories; E is a library and F holds peers' test suites, see
    ../shared/corpus/README.md) it runs `modelgate scan --format jsonl` and prints one line per
    repository: category, repository, verdict, status and the findings that drive the verdict
    (severity equal to the verdict and load_reachable not false: rule id, file:line, up to 3 and a
    count of the rest).

    Every repository whose verdict is high or critical is then classified:
      weakness-only  every high/critical finding with load_reachable != false is a weakness pattern:
                     a rule with a Bandit equivalent (equivalents.bandit not null), PY901 or PY801,
                     or a serialized-engine finding in a file that looks like test/demo data (a path
                     component tests/, test/, demo/, data/, examples/, docs/, resources/) or a
                     TorchScript-related SZ201 finding naming `__torch__`;
      real-risk      at least one other high/critical load-reachable finding;
      unexplained    a high/critical verdict with no high/critical finding that can run at load
                     (should not happen: the verdict is computed from exactly those findings).
    The corpus is believed benign, so weakness-only high/critical verdicts are false alarms of the
    kind DESIGN.md's verdict section rules out; the target is at most 2 per 100 model repositories.

    The summary gives, per category: repositories scanned, high/critical verdicts, weakness-only,
    real-risk, partial targets and the wall time of the scan; then the totals and weakness-only per
    100 model repositories.

How to run (CORPUS: the folder ../shared/corpus/rebuild.sh exported to)
    python3 bench/corpus_verdicts.py CORPUS                      # categories A-D, --jobs 1
    python3 bench/corpus_verdicts.py CORPUS --jobs 2 --categories A,B
    python3 bench/corpus_verdicts.py CORPUS --modelgate build/modelgate --verbose

    --verbose also lists, for each high/critical repository, every high/critical load-reachable
    finding with its classification.

Exit status: 0, also when CORPUS_DIR does not exist (the bench is skipped with a message);
3 when the scanner crashed (an exit code other than 0, 1 or 2, or output that is not JSON Lines):
the repositories of that category are then rescanned one by one to name the one that crashes.

Python 3 standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELGATE = os.path.join(HERE, "..", "build", "modelgate")
SEVERITY_RANK = {"clean": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
WEAKNESS_RULES = {"PY901", "PY801"}
TESTLIKE_DIRS = {"tests", "test", "demo", "data", "examples", "docs", "resources"}
SCANNER_OK_CODES = (0, 1, 2)


def reachable(finding):
    """load_reachable is true, false or "unknown"; only an explicit false excludes a finding."""
    return finding.get("load_reachable") is not False


def weight(finding):
    """The severity a finding weighs with in the verdict (JSON "weight"; "severity" before 0.2)."""
    return finding.get("weight") or finding.get("severity")


def rank(severity):
    return SEVERITY_RANK.get(str(severity or "").lower(), 0)


def is_testlike_path(path):
    parts = [p.lower() for p in str(path or "").replace("\\", "/").split("/")[:-1]]
    return any(p in TESTLIKE_DIRS for p in parts)


def mentions_torchscript(finding):
    for key in ("message", "snippet", "title"):
        if "__torch__" in str(finding.get(key) or ""):
            return True
    return False


def weakness_reason(finding):
    """Why a finding counts as a weakness pattern, or None when it is not one."""
    rule = str(finding.get("rule_id") or "")
    equivalents = finding.get("equivalents") or {}
    bandit = equivalents.get("bandit") if isinstance(equivalents, dict) else None
    if bandit:
        return "bandit " + str(bandit)
    if rule in WEAKNESS_RULES:
        return rule
    if finding.get("engine") == "serialized":
        if is_testlike_path(finding.get("file")):
            return "serialized test/demo data"
        if rule == "SZ201" and mentions_torchscript(finding):
            return "TorchScript __torch__"
    return None


def loc(finding):
    return "%s:%s" % (finding.get("file") or "?", finding.get("line") if finding.get("line") is not None else "?")


def brief(findings, limit=3):
    shown = ", ".join("%s %s" % (f.get("rule_id") or "?", loc(f)) for f in findings[:limit])
    if len(findings) > limit:
        shown += " (+%d more)" % (len(findings) - limit)
    return shown


def list_repos(corpus, category):
    folder = os.path.join(corpus, category)
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, d) for d in os.listdir(folder)
                  if not d.startswith(".") and os.path.isdir(os.path.join(folder, d)))


def run_scan(modelgate, repos, jobs):
    """One modelgate process over REPOS; returns (exit code, {repo path: target object}, stderr)."""
    cmd = [modelgate, "scan", *repos, "--format", "jsonl", "--jobs", str(jobs), "--quiet"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    targets = []
    bad_lines = 0
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            bad_lines += 1
            continue
        if isinstance(obj, dict) and isinstance(obj.get("targets"), list):
            targets.extend(t for t in obj["targets"] if isinstance(t, dict))
        elif isinstance(obj, dict) and "target" in obj:
            targets.append(obj)
    by_repo = {}
    real = {os.path.realpath(r): r for r in repos}
    base = {os.path.basename(os.path.normpath(r)): r for r in repos}
    for i, t in enumerate(targets):
        name = str(t.get("target") or "")
        repo = real.get(os.path.realpath(name)) or base.get(os.path.basename(os.path.normpath(name)))
        if repo is None and len(targets) == len(repos):
            repo = repos[i]
        if repo is not None:
            by_repo[repo] = t
    code = proc.returncode
    if code in SCANNER_OK_CODES and bad_lines:
        code = -1000  # output that is not JSON Lines counts as a crash
    return code, by_repo, proc.stderr.decode("utf-8", "replace")


def classify(target):
    """(verdict, status, driving findings, classification or None, high+ reachable findings with reasons)."""
    verdict = str(target.get("verdict") or "?")
    status = str(target.get("status") or "?")
    findings = [f for f in (target.get("findings") or []) if isinstance(f, dict)]
    driving = [f for f in findings if reachable(f) and rank(weight(f)) == rank(verdict) and rank(verdict) > 0]
    high = [(f, weakness_reason(f)) for f in findings if reachable(f) and rank(weight(f)) >= rank("high")]
    cls = None
    if rank(verdict) >= rank("high"):
        if not high:
            cls = "unexplained"
        elif all(reason for _, reason in high):
            cls = "weakness-only"
        else:
            cls = "real-risk"
    return verdict, status, driving, cls, high


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", metavar="CORPUS_DIR")
    ap.add_argument("--modelgate", default=DEFAULT_MODELGATE, help="modelgate binary (default: build/modelgate)")
    ap.add_argument("--jobs", type=int, default=1, help="targets scanned in parallel by modelgate (default 1)")
    ap.add_argument("--categories", default="A,B,C,D", help="comma-separated categories (default A,B,C,D)")
    ap.add_argument("--verbose", action="store_true", help="list every high/critical reachable finding of high/critical repositories")
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        print("corpus_verdicts: skipped, no corpus at %s (see ../shared/corpus/README.md)" % args.corpus)
        return 0
    if not os.access(args.modelgate, os.X_OK):
        print("corpus_verdicts: skipped, no modelgate binary at %s" % args.modelgate)
        return 0

    categories = [c.strip() for c in args.categories.split(",") if c.strip()]
    crashed = []
    per_cat = {}
    flagged = []  # (category, repo name, verdict, classification, high findings)
    print("%-3s %-58s %-9s %-9s %s" % ("cat", "repository", "verdict", "status", "driving findings (severity = verdict, load_reachable != false)"))
    for cat in categories:
        repos = list_repos(args.corpus, cat)
        stats = {"scanned": 0, "high+": 0, "weakness-only": 0, "real-risk": 0, "unexplained": 0, "partial": 0, "missing": 0, "seconds": 0.0}
        per_cat[cat] = stats
        if not repos:
            continue
        t0 = time.monotonic()
        code, by_repo, err = run_scan(args.modelgate, repos, args.jobs)
        stats["seconds"] = time.monotonic() - t0
        if code not in SCANNER_OK_CODES:
            print("category %s: modelgate exited with %s; rescanning one repository at a time" % (cat, code))
            if err.strip():
                print("  stderr: " + err.strip().splitlines()[-1])
            by_repo = {}
            for r in repos:
                c1, one, e1 = run_scan(args.modelgate, [r], args.jobs)
                if c1 not in SCANNER_OK_CODES:
                    crashed.append((cat, os.path.basename(r), c1, (e1.strip().splitlines() or [""])[-1]))
                else:
                    by_repo.update(one)
            if not any(c[0] == cat for c in crashed):
                crashed.append((cat, "(all repositories in one process)", code, (err.strip().splitlines() or [""])[-1]))
        for repo in repos:
            name = os.path.basename(repo)
            target = by_repo.get(repo)
            if target is None:
                stats["missing"] += 1
                print("%-3s %-58s %-9s %-9s %s" % (cat, name, "-", "-", "no report for this repository"))
                continue
            stats["scanned"] += 1
            verdict, status, driving, cls, high = classify(target)
            if status == "partial":
                stats["partial"] += 1
            line = "%-3s %-58s %-9s %-9s %s" % (cat, name, verdict, status, brief(driving) if driving else "-")
            if cls:
                stats["high+"] += 1
                stats[cls] += 1
                line += "  [%s]" % cls
                flagged.append((cat, name, verdict, cls, high))
            print(line)

    if flagged:
        print()
        print("high/critical repositories:")
        for cat, name, verdict, cls, high in flagged:
            rules = sorted({str(f.get("rule_id") or "?") for f, _ in high})
            print("  %-13s %s/%s %s: %s" % (cls, cat, name, verdict, " ".join(rules)))
            if args.verbose:
                for f, reason in high:
                    print("      %-8s %-5s %-10s %s  [%s]" % (f.get("severity"), f.get("rule_id"), f.get("engine"), loc(f),
                                                          "weakness: " + reason if reason else "not a weakness pattern"))

    print()
    print("summary (model repositories, categories %s; modelgate %s, --jobs %d)" % (",".join(categories), args.modelgate, args.jobs))
    print("%-4s %8s %12s %14s %10s %12s %8s %9s" % ("cat", "scanned", "high/crit", "weakness-only", "real-risk", "unexplained", "partial", "wall s"))
    tot = {k: 0 for k in ("scanned", "high+", "weakness-only", "real-risk", "unexplained", "partial", "missing")}
    tot_s = 0.0
    for cat in categories:
        s = per_cat[cat]
        for k in tot:
            tot[k] += s[k]
        tot_s += s["seconds"]
        print("%-4s %8d %12d %14d %10d %12d %8d %9.1f" % (cat, s["scanned"], s["high+"], s["weakness-only"], s["real-risk"], s["unexplained"], s["partial"], s["seconds"]))
    print("%-4s %8d %12d %14d %10d %12d %8d %9.1f" % ("all", tot["scanned"], tot["high+"], tot["weakness-only"], tot["real-risk"], tot["unexplained"], tot["partial"], tot_s))
    per100 = 100.0 * tot["weakness-only"] / tot["scanned"] if tot["scanned"] else 0.0
    print("weakness-only high/critical: %d of %d model repositories = %.1f per 100 (target <= 2 per 100)"
          % (tot["weakness-only"], tot["scanned"], per100))
    if tot["missing"]:
        print("repositories without a report: %d" % tot["missing"])
    if crashed:
        print()
        print("modelgate crashed on:")
        for cat, name, code, last in crashed:
            print("  %s/%s: exit %s %s" % (cat, name, code, last))
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
