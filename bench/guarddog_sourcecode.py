#!/usr/bin/env python3
"""GuardDog's annotated Python source-code cases through modelgate (and optionally Bandit).

What it measures
    GuardDog's test suite (tests/analyzer/sourcecode/*.py of a GuardDog checkout; the corpus has it
    at CORPUS/F/DataDog__guarddog, see ../shared/corpus/README.md) marks statements with comment
    lines `# ruleid: <rule>` (GuardDog must flag it: malicious package behaviour) and `# ok: <rule>`
    (it must not: benign look-alikes). The marked statement is the first non-blank, non-comment line
    after the mark; its lines come from Python's `ast`: the statement (or, when the mark sits inside
    an expression, the argument/expression) that starts on that line, lineno..end_lineno, minus the
    lines of other marked statements nested inside it (so `if os.system(a):` marked ok does not
    absorb a separately marked statement in its body). When no AST node starts there (a mark inside
    a string) the span is that one line. When a file does not parse, its spans end at the next blank
    line or next mark, and the number of such files is reported.

    The files are copied into a temporary folder and scanned once with `modelgate scan --format
    json`; every finding counts whatever its load_reachable (these files are not a model repository,
    nothing loads them). A `ruleid` statement is caught when a finding weighing high or critical (its
    JSON `weight`: Bandit-class weakness patterns weigh at most medium) lies on one
    of its lines; an `ok` statement is falsely flagged when one does. Printed per GuardDog rule:
    caught/total and false/total, then totals. With --bandit, Bandit (`bandit -f json`, HIGH
    severity only, any confidence) is measured on the same files in the same run.

How to run (CORPUS: the folder ../shared/corpus/rebuild.sh exported to)
    python3 bench/guarddog_sourcecode.py CORPUS/F/DataDog__guarddog
    python3 bench/guarddog_sourcecode.py CORPUS/F/DataDog__guarddog --bandit --verbose
    python3 bench/guarddog_sourcecode.py GUARDDOG_DIR --modelgate build/modelgate
    python3 bench/guarddog_sourcecode.py GUARDDOG_DIR --bandit --spans text

    --spans text uses the fallback for every file (a statement runs to the next blank line or
    mark): looser, since a statement then also owns the lines after it up to the blank line. Counts
    differ with the convention (Bandit at the pinned GuardDog commit: 5/159 and 5/57 with ast
    spans, 9/159 and 5/57 with text spans; an earlier count quoted 8/159 and 6/57).

    GUARDDOG_DIR may also be the sourcecode folder itself. --verbose lists every missed ruleid
    statement and every falsely flagged ok statement (file:line, first line of the statement, and
    the findings on a false one) so they can be worked through.

Exit status: 0, also when GUARDDOG_DIR does not exist (skipped with a message); 3 when the scanner
crashed (exit code other than 0, 1 or 2, or unreadable output); Bandit failing is reported, not fatal.

Python 3 standard library only; nothing from GuardDog is copied, its files are read in place and
copied only to a temporary folder for the scan.
"""

import argparse
import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELGATE = os.path.join(HERE, "..", "build", "modelgate")
MARK = re.compile(r"^\s*#\s*(ruleid|ok)\s*:\s*(.+?)\s*$")
HIGH = {"high", "critical"}


class Case:
    __slots__ = ("kind", "rule", "file", "mark_line", "start", "lines", "text")

    def __init__(self, kind, rule, file, mark_line):
        self.kind, self.rule, self.file, self.mark_line = kind, rule, file, mark_line
        self.start, self.lines, self.text = None, set(), ""


def is_code_line(line):
    s = line.strip()
    return bool(s) and not s.startswith("#")


def node_start(node):
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno] + [d.lineno for d in decorators])


def ast_spans(tree):
    """line -> (start, end) of the outermost statement starting on it; also of expressions/keywords."""
    stmts, exprs = {}, {}
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or getattr(node, "end_lineno", None) is None:
            continue
        start = node_start(node)
        table = stmts if isinstance(node, ast.stmt) else exprs
        old = table.get(start)
        if old is None or node.end_lineno > old[1]:
            table[start] = (start, node.end_lineno)
    return stmts, exprs


def parse_cases(path, text_spans=False):
    """The marks of one file as Cases with their line sets; returns (cases, parsed_ok)."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        src = fh.read()
    lines = src.splitlines()
    try:
        tree = ast.parse(src, filename=path)
        stmts, exprs = ast_spans(tree)
        parsed = True
    except (SyntaxError, ValueError):
        stmts, exprs, parsed = {}, {}, False
    use_ast = parsed and not text_spans
    name = os.path.basename(path)
    cases = []
    for i, line in enumerate(lines, 1):
        m = MARK.match(line)
        if not m:
            continue
        for rule in re.split(r"[,\s]+", m.group(2)):
            if rule:
                cases.append(Case(m.group(1), rule, name, i))
    mark_lines = {c.mark_line for c in cases}
    for c in cases:
        j = c.mark_line + 1
        while j <= len(lines) and not is_code_line(lines[j - 1]):
            j += 1
        if j > len(lines):
            continue  # a mark at the end of the file marks nothing
        c.start = j
        c.text = lines[j - 1].strip()
        if use_ast:
            span = stmts.get(j) or exprs.get(j) or (j, j)
        else:
            end = j
            while end < len(lines) and lines[end].strip() and (end + 1) not in mark_lines:
                end += 1
            span = (j, end)
        c.lines = set(range(span[0], span[1] + 1))
    # a statement's lines exclude the lines of other marked statements nested inside it
    by_start = {}
    for c in cases:
        if c.start is not None:
            by_start.setdefault(c.start, set()).update(c.lines)
    for c in cases:
        if c.start is None:
            continue
        for start, inner in by_start.items():
            if start != c.start and start in c.lines and inner < c.lines:
                c.lines -= inner
    return cases, parsed


def modelgate_findings(modelgate, folder):
    """[(file basename, line, severity, rule, text)] of a scan of FOLDER, or raises RuntimeError on a crash."""
    cmd = [modelgate, "scan", folder, "--format", "json", "--fail-on", "none", "--quiet"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1, 2):
        raise RuntimeError("modelgate exited with %s: %s" % (proc.returncode, proc.stderr.decode("utf-8", "replace").strip()[-500:]))
    try:
        report = json.loads(proc.stdout.decode("utf-8", "replace"))
    except ValueError:
        raise RuntimeError("modelgate output is not JSON: %s" % proc.stdout[:200])
    out, reach = [], {}
    for target in report.get("targets") or []:
        for f in target.get("findings") or []:
            if not isinstance(f, dict):
                continue
            # The severity the finding weighs with (JSON "weight": a weakness pattern weighs at most
            # medium); reports before 0.2 have only "severity".
            out.append((os.path.basename(str(f.get("file") or "")), f.get("line"), str(f.get("weight") or f.get("severity") or "").lower(),
                        str(f.get("rule_id") or "?"), str(f.get("title") or "")))
            key = str(f.get("load_reachable"))
            reach[key] = reach.get(key, 0) + 1
    return out, reach, proc.returncode


def bandit_findings(folder):
    """Bandit's findings on FOLDER as [(file basename, line, severity, test id, text)], or raises RuntimeError."""
    bandit = shutil.which("bandit")
    if not bandit:
        raise RuntimeError("bandit is not installed")
    proc = subprocess.run([bandit, "-f", "json", "-q", "-r", folder], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        report = json.loads(proc.stdout.decode("utf-8", "replace"))
    except ValueError:
        raise RuntimeError("bandit exited with %s and no JSON: %s" % (proc.returncode, proc.stderr.decode("utf-8", "replace").strip()[-300:]))
    out = []
    for r in report.get("results") or []:
        out.append((os.path.basename(str(r.get("filename") or "")), r.get("line_number"), str(r.get("issue_severity") or "").lower(),
                    str(r.get("test_id") or "?"), str(r.get("test_name") or "")))
    errors = [e.get("filename") for e in report.get("errors") or [] if isinstance(e, dict)]
    return out, errors


def score(cases, findings):
    """{(kind, rule): [hits, total]}, and per case the high/critical findings on its lines."""
    index = {}
    for fname, line, sev, rule, text in findings:
        if sev in HIGH and isinstance(line, int):
            index.setdefault((fname, line), []).append((rule, line, text))
    table, hits = {}, {}
    for c in cases:
        row = table.setdefault((c.kind, c.rule), [0, 0])
        row[1] += 1
        found = [f for ln in sorted(c.lines) for f in index.get((c.file, ln), [])]
        hits[id(c)] = found
        if found:
            row[0] += 1
    return table, hits


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("guarddog", metavar="GUARDDOG_DIR")
    ap.add_argument("--modelgate", default=DEFAULT_MODELGATE, help="modelgate binary (default: build/modelgate)")
    ap.add_argument("--bandit", action="store_true", help="also measure bandit -f json at severity HIGH")
    ap.add_argument("--verbose", action="store_true", help="list every missed ruleid and every false ok statement")
    ap.add_argument("--spans", choices=("ast", "text"), default="ast",
                    help="statement lines from Python's ast (default) or, for every file, up to the next blank line or mark")
    args = ap.parse_args()

    folder = os.path.join(args.guarddog, "tests", "analyzer", "sourcecode")
    if not os.path.isdir(folder):
        folder = args.guarddog
    files = sorted(glob.glob(os.path.join(folder, "*.py")))
    if not os.path.isdir(args.guarddog) or not files:
        print("guarddog_sourcecode: skipped, no GuardDog tests/analyzer/sourcecode/*.py under %s" % args.guarddog)
        return 0
    if not os.access(args.modelgate, os.X_OK):
        print("guarddog_sourcecode: skipped, no modelgate binary at %s" % args.modelgate)
        return 0

    cases, fallback = [], []
    for path in files:
        found, parsed = parse_cases(path, text_spans=args.spans == "text")
        cases.extend(c for c in found if c.start is not None)
        if not parsed:
            fallback.append(os.path.basename(path))
    marked_files = sorted({c.file for c in cases})

    tools = []
    with tempfile.TemporaryDirectory(prefix="mg-guarddog-") as tmp:
        scan_dir = os.path.join(tmp, "sourcecode")
        os.mkdir(scan_dir)
        for name in marked_files:
            shutil.copyfile(os.path.join(folder, name), os.path.join(scan_dir, name))
        t0 = time.monotonic()
        try:
            mg, reach, mg_code = modelgate_findings(args.modelgate, scan_dir)
        except RuntimeError as e:
            print("guarddog_sourcecode: modelgate crashed: %s" % e)
            return 3
        tools.append(("modelgate", mg, time.monotonic() - t0))
        if args.bandit:
            t0 = time.monotonic()
            try:
                bd, bd_errors = bandit_findings(scan_dir)
                tools.append(("bandit", bd, time.monotonic() - t0))
                if bd_errors:
                    print("bandit could not analyse: %s" % ", ".join(os.path.basename(str(e)) for e in bd_errors))
            except RuntimeError as e:
                print("bandit: %s" % e)

    results = [(name, score(cases, findings), secs, findings) for name, findings, secs in tools]
    rules = sorted({c.rule for c in cases})
    n_ruleid = sum(1 for c in cases if c.kind == "ruleid")
    n_ok = sum(1 for c in cases if c.kind == "ok")

    print("GuardDog source-code cases: %d files with marks, %d ruleid and %d ok statements; spans: %s; "
          "%d file(s) did not parse and fell back to text spans%s" % (
              len(marked_files), n_ruleid, n_ok, args.spans, len(fallback),
              (" (" + ", ".join(fallback) + ")") if fallback else ""))
    print("modelgate findings: %d (load_reachable: %s), exit %d" % (
        len(tools[0][1]), ", ".join("%s %d" % kv for kv in sorted(reach.items())) or "-", mg_code))
    print("a ruleid statement is caught, an ok statement falsely flagged, by a high/critical finding on its lines")
    print()
    header = "%-28s" % "GuardDog rule"
    for name, _, _, _ in results:
        header += " %16s %14s" % (name + " caught", name[:2] + " false")
    print(header)
    for rule in rules:
        row = "%-28s" % rule
        for _, (table, _), _, _ in results:
            hit, total = table.get(("ruleid", rule), [0, 0])
            fhit, ftotal = table.get(("ok", rule), [0, 0])
            row += " %16s %14s" % ("%d/%d" % (hit, total) if total else "-", "%d/%d" % (fhit, ftotal) if ftotal else "-")
        print(row)
    print()
    for name, (table, _), secs, findings in results:
        caught = sum(v[0] for (k, _), v in table.items() if k == "ruleid")
        false = sum(v[0] for (k, _), v in table.items() if k == "ok")
        print("%-9s caught %d/%d (%.1f%%), false alarms %d/%d (%.1f%%); %d findings at high/critical; %.2f s" % (
            name, caught, n_ruleid, 100.0 * caught / n_ruleid if n_ruleid else 0.0,
            false, n_ok, 100.0 * false / n_ok if n_ok else 0.0,
            sum(1 for f in findings if f[2] in HIGH), secs))

    if args.verbose:
        for name, (_, hits), _, _ in results:
            print()
            print("%s: missed ruleid statements" % name)
            for rule in rules:
                for c in cases:
                    if c.rule == rule and c.kind == "ruleid" and not hits[id(c)]:
                        print("  %-26s %s:%d  %s" % (rule, c.file, c.start, c.text[:100]))
            print("%s: falsely flagged ok statements" % name)
            for rule in rules:
                for c in cases:
                    if c.rule == rule and c.kind == "ok" and hits[id(c)]:
                        why = ", ".join("%s@%d" % (r, ln) for r, ln, _ in hits[id(c)])
                        print("  %-26s %s:%d  %s   <- %s" % (rule, c.file, c.start, c.text[:100], why))
    return 0


if __name__ == "__main__":
    sys.exit(main())
