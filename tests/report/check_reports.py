"""Validates modelgate's reports on the bundled examples: JSON against the v1 contract schema
(docs/report-v1.schema.json), each JSON Lines record against the target part of it, and SARIF
against the SARIF 2.1.0 schema. Run by ctest with Debian's python3 (python3-jsonschema).

usage: check_reports.py MODELGATE SOURCE_DIR SARIF_SCHEMA
"""
import glob
import json
import os
import subprocess
import sys

import jsonschema


def run(modelgate, args):
    proc = subprocess.run([modelgate, "scan", "--quiet", *args], capture_output=True, text=True)
    if proc.returncode not in (0, 1, 2):
        sys.exit(f"modelgate exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


def main():
    modelgate, source, sarif_schema_path = sys.argv[1:4]
    examples = sorted(p for p in glob.glob(os.path.join(source, "examples", "*")) if os.path.isdir(p))
    with open(os.path.join(source, "docs", "report-v1.schema.json")) as f:
        contract = json.load(f)
    with open(sarif_schema_path) as f:
        sarif_schema = json.load(f)

    report = json.loads(run(modelgate, ["--format", "json", *examples]))
    jsonschema.validate(report, contract)
    assert len(report["targets"]) == len(examples), "one target per example"
    assert report["summary"]["findings"] == sum(len(t["findings"]) for t in report["targets"])

    target_schema = dict(contract["definitions"]["target"])
    target_schema["definitions"] = contract["definitions"]
    lines = run(modelgate, ["--format", "jsonl", *examples]).splitlines()
    assert len(lines) == len(examples)
    for line in lines:
        jsonschema.validate(json.loads(line), target_schema)

    sarif = json.loads(run(modelgate, ["--format", "sarif", *examples]))
    jsonschema.validate(sarif, sarif_schema)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    for result in sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"], result["ruleId"]
        assert result["partialFingerprints"]["modelgateFingerprint/v1"]
    total = sum(len(t["findings"]) for t in report["targets"])
    assert len(sarif["runs"][0]["results"]) == total, "SARIF has one result per finding"
    print(f"reports valid: {len(examples)} targets, {total} findings, {len(rules)} rules")


if __name__ == "__main__":
    main()
