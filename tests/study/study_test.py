#!/usr/bin/env python3
"""modelgate study, end to end: add/run/report over the bundled examples with asserted numbers,
re-runs that skip done work, failed repositories retried, a SIGKILLed run resumed with every
repository done exactly once, shards that partition the set (run side by side on one file), the
Hugging Face listing client against tests/study/fake_listing.py, and the HTML page in a headless
Chromium (SKIP, exit 77, when Chromium is absent or cannot start here).

usage: study_test.py MODELGATE GROUP   (GROUP: RoundTrip Rerun Kill Shards Listing Usage Html)"""
import csv
import glob
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import re
import unittest

MODELGATE = os.path.abspath(sys.argv[1])
GROUP = sys.argv[2]
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(SOURCE, "examples")
SKIP = 77


def env():
    e = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("HF_", "MODELGATE_"))}
    e.update({"MODELGATE_HTTP_RETRIES": "0", "MODELGATE_HTTP_TIMEOUT": "20", "HF_HUB_OFFLINE": "0"})
    return e


def mg(*args, check=True, timeout=600):
    p = subprocess.run([MODELGATE, "study", *args], env=env(), capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("modelgate study %s -> %d\n%s\n%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def last_json(p):
    return json.loads(p.stdout.strip().splitlines()[-1])


def example_names():
    return sorted(d for d in os.listdir(EXAMPLES) if os.path.isdir(os.path.join(EXAMPLES, d)))


def expected_with_triggers():
    """Examples whose expected load plan (tests/examples/*.expected) has a trigger: the precise
    custom-code count the study must report for them."""
    n = 0
    for f in glob.glob(os.path.join(SOURCE, "tests", "examples", "*.expected")):
        with open(f) as fh:
            if any(line.startswith("trigger ") for line in fh):
                n += 1
    return n


def paper_criteria_count():
    """Examples the paper's RQ1 criteria include (paper.md 2.4), counted here from the folders: a
    config.json with auto_map (what the Hub tags custom_code), or a tokenizer.py / __init__.py /
    hubconf.py, or a modeling_ / tokenization_ / configuration_ Python file."""
    n = 0
    for name in example_names():
        root = os.path.join(EXAMPLES, name)
        hit = False
        try:
            with open(os.path.join(root, "config.json")) as f:
                cfg = json.load(f)
            hit = isinstance(cfg, dict) and "auto_map" in cfg
        except (OSError, ValueError):
            pass
        for _, _, files in os.walk(root):
            for fn in files:
                if fn in ("tokenizer.py", "__init__.py", "hubconf.py") or (
                        fn.endswith(".py") and fn.startswith(("modeling_", "tokenization_", "configuration_"))):
                    hit = True
        n += hit
    return n


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fnv1a(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def make_corpus(root, copies, names=("clean-safetensors", "remote-code-model", "pickle-checkpoint", "torchhub-hubconf")):
    """<root>/<group>/<owner>__<name>/: copies of small examples, as the corpus layout."""
    ids = []
    for k in range(copies):
        src = names[k % len(names)]
        group = "G%d" % (k % 2)
        dst = os.path.join(root, group, "owner%d__%s-%d" % (k % 5, src, k))
        shutil.copytree(os.path.join(EXAMPLES, src), dst)
        ids.append("owner%d/%s-%d" % (k % 5, src, k))
    return ids


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mg_study_")
        self.db = os.path.join(self.tmp, "study.db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sql(self, q, *params):
        con = sqlite3.connect(self.db, timeout=60)
        try:
            return con.execute(q, params).fetchall()
        finally:
            con.close()


class RoundTrip(Base):
    def test_examples_add_run_report(self):
        mg("init", self.db)
        p = mg("add", self.db, "--folders", EXAMPLES)
        n = len(example_names())
        self.assertIn("added %d of %d" % (n, n), p.stdout)
        r = last_json(mg("run", self.db, "--workers", "2"))
        self.assertEqual((r["pending"], r["scanned"], r["failed"]), (n, n, 0))
        st = json.loads(mg("status", self.db, "--format", "json").stdout)
        self.assertEqual((st["repositories"], st["done"], st["pending"]), (n, n, 0))
        self.assertEqual(st["platforms"], {"examples": n})

        out = os.path.join(self.tmp, "out")
        mg("report", self.db, "--out", out)
        queries = [l.split()[1].rstrip(":") for l in mg("report", self.db, "--sql").stdout.splitlines() if l.startswith("### ")]
        for q in queries:
            self.assertTrue(os.path.exists(os.path.join(out, q + ".csv")), q)
        prev = {row["platform"]: row for row in read_csv(os.path.join(out, "prevalence.csv"))}
        ex = prev["examples"]
        self.assertEqual(int(ex["repositories"]), n)
        self.assertEqual(int(ex["scanned"]), n)
        # The precise count is the number of examples whose expected load plan has a trigger.
        self.assertEqual(int(ex["custom_code_precise"]), expected_with_triggers())
        self.assertEqual(int(ex["custom_code_paper"]), paper_criteria_count())
        self.assertEqual(int(ex["both_criteria"]) + int(ex["paper_only"]), int(ex["custom_code_paper"]))
        self.assertEqual(int(ex["both_criteria"]) + int(ex["precise_only"]), int(ex["custom_code_precise"]))
        self.assertEqual(prev["(all)"]["custom_code_precise"], ex["custom_code_precise"])
        self.assertAlmostEqual(float(ex["precise_pct"]), round(100.0 * expected_with_triggers() / n, 2))

        # Trigger kinds: the loaders the examples exercise.
        loaders = {row["loader"] for row in read_csv(os.path.join(out, "trigger_kinds.csv"))}
        self.assertTrue({"transformers", "diffusers", "sentence-transformers", "torch.hub"} <= loaders, loaders)
        # Findings are there and mapped: the malicious examples put CWE-502 in the distribution.
        cwes = {row["cwe"]: int(row["findings"]) for row in read_csv(os.path.join(out, "cwe_distribution.csv"))}
        self.assertIn("CWE-502", cwes)
        total = self.sql("SELECT count(*) FROM findings")[0][0]
        self.assertEqual(total, st["findings"])
        reach = read_csv(os.path.join(out, "reachability.csv"))
        self.assertEqual(sum(int(x["findings"]) for x in reach), total)
        noise = [x for x in read_csv(os.path.join(out, "noise.csv")) if x["platform"] == "(all)"]
        self.assertEqual(sum(int(x["findings"]) for x in noise), total)
        self.assertAlmostEqual(sum(float(x["pct"]) for x in noise), 100.0, delta=0.05)
        files = {row["platform"]: row for row in read_csv(os.path.join(out, "file_reduction.csv"))}
        nfiles = sum(len(fs) for _, _, fs in os.walk(EXAMPLES))
        self.assertEqual(int(files["examples"]["files"]), nfiles)
        self.assertLessEqual(int(files["examples"]["execution_relevant_python"]), int(files["examples"]["python_files"]))
        self.assertGreater(int(files["examples"]["execution_relevant_python"]), 0)
        saf = {row["platform"]: row for row in read_csv(os.path.join(out, "safetensors.csv"))}
        self.assertGreaterEqual(int(saf["examples"]["with_safetensors"]), 1)  # clean-safetensors
        self.assertGreaterEqual(int(saf["examples"]["with_pickle_class"]), 2)  # malicious-pickle, pickle-checkpoint
        # Every file hashed (all are small), and the hash is the content's.
        rows = self.sql("SELECT f.path, f.sha256, t.target FROM files f JOIN targets t ON t.id = f.target_id "
                        "WHERE f.path = 'config.json' AND t.target LIKE '%clean-safetensors'")
        import hashlib
        with open(os.path.join(EXAMPLES, "clean-safetensors", "config.json"), "rb") as f:
            self.assertEqual(rows[0][1], hashlib.sha256(f.read()).hexdigest())

        md = open(os.path.join(out, "report.md")).read()
        self.assertIn("## Table 1 form: repositories with custom code", md)
        html = open(os.path.join(out, "report.html")).read()
        self.assertIn("<svg", html)
        # Nothing fetched at view time: no URL outside Table 6's source cells, which are text.
        self.assertRegex(html, r'data-query="platforms"')
        self.assertNotRegex(html, r'(src|href)\s*=\s*"?https?:|url\(')
        outside = re.sub(r'<table class="data" data-query="platforms">.*?</table>', "", html, flags=re.S)
        self.assertNotIn("http://", outside.replace('xmlns="http://www.w3.org/2000/svg"', ""))
        self.assertNotIn("https://", outside)
        self.assertNotIn("<script", html)

    def test_sql_is_documented(self):
        """docs/study.md carries every report query verbatim."""
        doc = open(os.path.join(SOURCE, "docs", "study.md")).read()
        self.assertIn(mg("report", self.db, "--sql").stdout.strip(), doc)


class Rerun(Base):
    def test_rerun_skips_and_failures_retry(self):
        corpus = os.path.join(self.tmp, "corpus")
        ids = make_corpus(corpus, 6)
        mg("init", self.db)
        mg("add", self.db, "--folders", corpus)
        gone = os.path.join(self.tmp, "owner9__vanishing")
        shutil.copytree(os.path.join(EXAMPLES, "remote-code-model"), gone)
        lst = os.path.join(self.tmp, "list.txt")
        with open(lst, "w") as f:
            f.write("# a comment\n\n%s\n" % gone)
        mg("add", self.db, "--from-file", lst, "--platform", "extra")
        # Adding again adds nothing.
        self.assertIn("added 0 of 6", mg("add", self.db, "--folders", corpus).stdout)
        shutil.rmtree(gone)
        p = mg("run", self.db, "-j", "2", check=False)
        self.assertEqual(p.returncode, 2)  # one repository failed
        r = last_json(p)
        self.assertEqual((r["scanned"], r["failed"]), (6, 1))
        err = self.sql("SELECT r.repo_id, e.message, e.attempt FROM errors e JOIN repositories r ON r.id = e.repository_id")
        self.assertEqual(len(err), 1)
        self.assertEqual(err[0][0], "owner9/vanishing")
        st = json.loads(mg("status", self.db, "--format", "json").stdout)
        self.assertEqual((st["done"], st["pending"], st["failed"]), (6, 1, 1))
        # Nothing changed: the failed one is retried (and fails again), the others are not touched.
        r = last_json(mg("run", self.db, check=False))
        self.assertEqual((r["pending"], r["scanned"], r["failed"]), (1, 0, 1))
        self.assertEqual(self.sql("SELECT max(attempt) FROM errors")[0][0], 2)
        # It comes back: scanned once; then nothing is pending.
        shutil.copytree(os.path.join(EXAMPLES, "remote-code-model"), gone)
        r = last_json(mg("run", self.db))
        self.assertEqual((r["pending"], r["scanned"], r["failed"]), (1, 1, 0))
        r = last_json(mg("run", self.db))
        self.assertEqual((r["pending"], r["scanned"]), (0, 0))
        self.assertEqual(self.sql("SELECT count(*), count(DISTINCT repository_id) FROM revisions")[0], (7, 7))
        cov = {row[0]: row for row in self.sql("SELECT platform, count(*) FROM repositories GROUP BY platform")}
        self.assertEqual(set(cov), {"G0", "G1", "extra"})
        self.assertEqual(len(ids), 6)


class Kill(Base):
    def test_sigkill_mid_run_resumes_exactly_once(self):
        corpus = os.path.join(self.tmp, "corpus")
        ids = make_corpus(corpus, 160)
        mg("init", self.db)
        mg("add", self.db, "--folders", corpus)
        child = subprocess.Popen([MODELGATE, "study", "run", self.db, "-j", "1"], env=env(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        done = 0
        while time.time() < deadline and child.poll() is None:
            try:
                done = self.sql("SELECT count(*) FROM revisions")[0][0]
            except sqlite3.OperationalError:
                done = 0
            if done >= 5:
                break
            time.sleep(0.02)
        if child.poll() is not None:
            self.fail("the run finished before it could be killed (%d done); make the corpus larger" % done)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        after_kill = self.sql("SELECT count(*) FROM revisions")[0][0]
        self.assertGreaterEqual(after_kill, 5)
        self.assertLess(after_kill, len(ids))
        # Every recorded revision is whole (its target is there): nothing half-written.
        self.assertEqual(self.sql("SELECT count(*) FROM revisions v WHERE NOT EXISTS "
                                  "(SELECT 1 FROM targets t WHERE t.revision_id = v.id)")[0][0], 0)
        r = last_json(mg("run", self.db, "-j", "2"))
        self.assertEqual(r["pending"], len(ids) - after_kill)
        self.assertEqual(r["scanned"], len(ids) - after_kill)
        rows = self.sql("SELECT r.repo_id, count(v.id) FROM repositories r LEFT JOIN revisions v ON v.repository_id = r.id "
                        "GROUP BY r.id")
        self.assertEqual(sorted(x[0] for x in rows), sorted(ids))
        self.assertTrue(all(x[1] == 1 for x in rows), [x for x in rows if x[1] != 1])
        self.assertEqual(self.sql("SELECT count(*) FROM targets")[0][0], len(ids))


class Shards(Base):
    def test_shards_partition_and_run_side_by_side(self):
        corpus = os.path.join(self.tmp, "corpus")
        ids = make_corpus(corpus, 18)
        mg("init", self.db)
        mg("add", self.db, "--folders", corpus)
        n = 3
        procs = [subprocess.Popen([MODELGATE, "study", "run", self.db, "-j", "1", "--shard", "%d/%d" % (i, n)], env=env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(n)]
        results = []
        for p in procs:
            out, err = p.communicate(timeout=600)
            self.assertEqual(p.returncode, 0, err)
            results.append(json.loads(out.strip().splitlines()[-1]))
        want = [sum(1 for x in ids if fnv1a(x) % n == i) for i in range(n)]
        self.assertEqual([r["pending"] for r in results], want)
        self.assertEqual([r["scanned"] for r in results], want)
        self.assertEqual(sum(want), len(ids))
        self.assertEqual(self.sql("SELECT count(*), count(DISTINCT repository_id) FROM revisions")[0], (len(ids), len(ids)))
        r = last_json(mg("run", self.db, "--shard", "1/3"))
        self.assertEqual(r["pending"], 0)


class Listing(Base):
    def serve(self, *args):
        p = subprocess.Popen([sys.executable, os.path.join(SOURCE, "tests", "study", "fake_listing.py"), *args],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        self.addCleanup(lambda: (p.stdin.close(), p.wait(timeout=10)))
        return "http://127.0.0.1:%d" % int(line.split()[1])

    def test_paged_listing_with_filter(self):
        url = self.serve("--models", "25")
        mg("init", self.db)
        p = mg("add", self.db, "--hf-list", "custom_code", "--endpoint", url, "--page-size", "2", check=False)
        # 9 of the 25 carry custom_code; the invalid record is reported, not added.
        self.assertIn("added 9 of 9", p.stdout)
        self.assertEqual(p.returncode, 2)
        self.assertIn("invalid id", p.stderr)
        rows = self.sql("SELECT repo_id, source, platform, tags FROM repositories ORDER BY id")
        self.assertEqual(len(rows), 9)
        self.assertEqual(rows[0], ("org0/model-000", "hf:org0/model-000", "huggingface", "transformers,pytorch,custom_code"))
        self.assertTrue(all(r[3].endswith("custom_code") for r in rows))
        import urllib.request
        reqs = json.loads(urllib.request.urlopen(url + "/_requests").read())
        self.assertEqual(len([r for r in reqs if r.startswith("/api/models")]), 5)  # 9 in pages of 2
        self.assertTrue(all("filter=custom_code" in r and "limit=2" in r for r in reqs if r.startswith("/api/models")))

    def test_limit_stops_early(self):
        url = self.serve("--models", "25")
        mg("init", self.db)
        p = mg("add", self.db, "--hf-list", "pytorch", "--endpoint", url, "--page-size", "4", "--limit", "6")
        self.assertIn("added 6 of 6", p.stdout)

    def test_faults_are_clear_errors(self):
        mg("init", self.db)
        for fault, words in (("500", "HTTP 500"), ("offhost", "refused"), ("loop", "loops"), ("garbage", "not a JSON array")):
            url = self.serve("--models", "10", "--fault", fault)
            p = mg("add", self.db, "--hf-list", "pytorch", "--endpoint", url, "--page-size", "3", check=False)
            self.assertEqual(p.returncode, 2, fault)
            self.assertIn(words, p.stderr, fault)
        self.assertEqual(self.sql("SELECT count(*) FROM repositories")[0][0], 0)  # all or nothing


class OtherListings(Base):
    """ModelScope and OpenCSG listings through the fake listing server; the PyTorch Hub index and
    OpenMMLab model indexes from checkouts written here."""
    serve = Listing.serve

    def fetch(self, url, what):
        import urllib.request
        return json.loads(urllib.request.urlopen(url + what).read())

    def test_modelscope_paged_filtered_rate_limited(self):
        url = self.serve("--models", "25", "--fault", "429once")
        mg("init", self.db)
        e = env()
        e["MODELGATE_HTTP_RETRIES"] = "2"
        p = subprocess.run([MODELGATE, "study", "add", self.db, "--ms-list", "tags=custom_code", "--endpoint", url, "--page-size", "2"],
                           env=e, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 2, p.stderr)  # the invalid record is reported
        self.assertIn("added 9 of 9", p.stdout)
        self.assertIn("invalid id", p.stderr)
        rows = self.sql("SELECT repo_id, source, platform, tags FROM repositories ORDER BY id")
        self.assertEqual(rows[0], ("org0/model-000", "ms:org0/model-000", "modelscope", "transformers,pytorch,custom_code"))
        bodies = [json.loads(b) for b in self.fetch(url, "/_bodies")]
        # 10 records (9 + the invalid one) in pages of 2 = 5 pages, plus the rate-limited first try.
        self.assertEqual(len(bodies), 6)
        self.assertEqual([b["PageNumber"] for b in bodies], [1, 1, 2, 3, 4, 5])
        self.assertTrue(all(b["PageSize"] == 2 for b in bodies))
        self.assertEqual(bodies[0]["Criterion"], [{"category": "tags", "predicate": "contains", "values": ["custom_code"]}])

    def test_modelscope_limit_and_faults(self):
        url = self.serve("--models", "25")
        mg("init", self.db)
        p = mg("add", self.db, "--ms-list", "--endpoint", url, "--page-size", "4", "--limit", "6")
        self.assertIn("added 6 of 6", p.stdout)
        for fault, words in (("500", "HTTP 500"), ("msfail", "request throttled by policy"), ("garbage", "not a model listing"),
                             ("repeat", "repeats earlier pages"), ("429once", "HTTP 429")):
            url = self.serve("--models", "10", "--fault", fault)
            p = mg("add", self.db, "--study", "f", "--ms-list", "--endpoint", url, "--page-size", "3", check=False)
            self.assertEqual(p.returncode, 2, fault)
            self.assertIn(words, p.stderr, fault)
        p = mg("add", self.db, "--ms-list", "custom_code", "--endpoint", url, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("category=value", p.stderr)

    def test_opencsg_paged_filtered(self):
        url = self.serve("--models", "25")
        mg("init", self.db)
        p = mg("add", self.db, "--csg-list", "tag_name=custom_code", "--endpoint", url, "--page-size", "3", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("added 9 of 9", p.stdout)
        self.assertIn("invalid path", p.stderr)
        rows = self.sql("SELECT repo_id, source, platform, tags FROM repositories ORDER BY id")
        self.assertEqual(rows[0], ("org0/model-000", "csg:org0/model-000", "opencsg", "transformers,pytorch,custom_code"))
        reqs = [r for r in self.fetch(url, "/_requests") if r.startswith("/api/v1/models")]
        self.assertEqual(len(reqs), 4)  # 10 records in pages of 3
        self.assertTrue(all("tag_name=custom_code" in r and "per=3" in r for r in reqs))
        self.assertIn("page=4", reqs[-1])
        for fault, words in (("500", "HTTP 500"), ("repeat", "repeats earlier pages")):
            url = self.serve("--models", "10", "--fault", fault)
            p = mg("add", self.db, "--study", "f", "--csg-list", "--endpoint", url, "--page-size", "3", check=False)
            self.assertEqual(p.returncode, 2, fault)
            self.assertIn(words, p.stderr, fault)

    def test_torchhub_index(self):
        hub = os.path.join(self.tmp, "hub")
        os.makedirs(hub)
        pages = {
            "acme_vision_resnet.md": "---\nlayout: hub_detail\ngithub-link: https://github.com/acme/vision\n---\n# ResNet\n",
            "acme_vision_vgg.md": "---\nlayout: hub_detail\ngithub-link: https://github.com/acme/vision/tree/main/vgg\n---\n",
            "lab_tts.md": "---\ngithub-link: 'https://github.com/lab/tts.git'\n---\n",
            "broken.md": "---\ngithub-link: https://example.invalid/x/y\n---\n",
            "README.md": "# PyTorch Hub\n",
        }
        for name, text in pages.items():
            with open(os.path.join(hub, name), "w") as f:
                f.write(text)
        mg("init", self.db)
        p = mg("add", self.db, "--torchhub-index", hub, check=False)
        self.assertEqual(p.returncode, 2)  # broken.md is reported
        self.assertIn("broken.md", p.stderr)
        self.assertIn("added 2 of 2", p.stdout)
        rows = self.sql("SELECT repo_id, source, platform FROM repositories ORDER BY id")
        self.assertEqual(rows, [("acme/vision", "torchhub:acme/vision", "torchhub"), ("lab/tts", "torchhub:lab/tts", "torchhub")])
        p = mg("add", self.db, "--torchhub-index", os.path.join(self.tmp, "nothing"), check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a folder", p.stderr)

    def test_openmmlab_index(self):
        root = os.path.join(self.tmp, "mmdet")
        os.makedirs(os.path.join(root, "configs", "yolo"))
        os.makedirs(os.path.join(root, "configs", "rtm"))
        with open(os.path.join(root, "model-index.yml"), "w") as f:
            f.write("Import:\n  - configs/yolo/metafile.yml\n  - configs/rtm/metafile.yml\n  - ../outside/metafile.yml\n")
        with open(os.path.join(root, "configs", "yolo", "metafile.yml"), "w") as f:
            f.write("Collections:\n  - Name: YOLOv3\n    Metadata:\n      Architecture:\n        - DarkNet\n"
                    "Models:\n  - Name: yolov3_320\n    In Collection: YOLOv3\n    Config: configs/yolo/yolov3_320.py\n"
                    "    Metadata:\n      Epochs: 273\n    Results:\n      - Task: Object Detection\n        Dataset: COCO\n"
                    "    Weights: https://download.example.invalid/yolov3_320-1234abcd.pth\n"
                    "  - Name: yolov3_608\n    Config: configs/yolo/missing.py\n"
                    "    Weights: https://download.example.invalid/yolov3_608-1234abcd.pth\n")
        with open(os.path.join(root, "configs", "rtm", "metafile.yml"), "w") as f:
            f.write("Models:\n- Name: rtm_tiny\n  Config: \"configs/rtm/rtm_tiny.py\"\n  Weights: https://download.example.invalid/rtm.pth\n")
        for cfg in ("configs/yolo/yolov3_320.py", "configs/rtm/rtm_tiny.py"):
            with open(os.path.join(root, cfg), "w") as f:
                f.write("model = dict(type='YOLOV3')\n")
        mg("init", self.db)
        p = mg("add", self.db, "--openmmlab", root, check=False)
        self.assertEqual(p.returncode, 2)  # the import outside the checkout and the missing config are reported
        self.assertIn("not a path inside the repository", p.stderr)
        self.assertIn("missing.py", p.stderr)
        rows = self.sql("SELECT repo_id, source, platform, tags FROM repositories")
        self.assertEqual(rows, [("open-mmlab/mmdet", root, "openmmlab", "openmmlab,models:2,metafiles:2")])
        mg("run", self.db, "--workers", "1")
        self.assertEqual(self.sql("SELECT count(*) FROM revisions")[0][0], 1)


class Platforms(Base):
    """`modelgate platforms` (Table 6 and the loader model) and its section in the study report."""

    HUBS = ["huggingface", "opencsg", "modelscope", "openmmlab", "torchhub"]
    TABLE6 = ["upload_verification", "trust_model", "malware_scanning", "warning_systems", "user_protection"]

    def platforms(self, *args):
        p = subprocess.run([MODELGATE, "platforms", *args], env=env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_json_has_every_hub_and_column_with_a_source(self):
        doc = json.loads(self.platforms("--format", "json"))
        self.assertEqual([p["id"] for p in doc["platforms"]], self.HUBS)
        cols = [c["id"] for c in doc["columns"]]
        self.assertEqual(cols[:5], self.TABLE6)
        self.assertEqual([c["table6"] for c in doc["columns"]], [True] * 5 + [False] * 4)
        self.assertIn("trust_default", cols)
        self.assertIn("revision_pin", cols)
        for p in doc["platforms"]:
            for c in cols:
                self.assertTrue(p[c]["value"], (p["id"], c))
                self.assertTrue(p[c]["source"].startswith("https://"), (p["id"], c))
        # The paper's Table 6 as published (paper.md 5.1).
        by = {p["id"]: p for p in doc["platforms"]}
        self.assertEqual(by["openmmlab"]["trust_model"]["value"], "Verify-first")
        self.assertEqual(by["modelscope"]["warning_systems"]["value"], "Post-download trust_remote_code warnings only")
        self.assertIn("trust_repo", by["torchhub"]["trust_default"]["value"])

    def test_text_and_markdown(self):
        text = self.platforms()
        for name in ("Hugging Face", "OpenCSG", "ModelScope", "OpenMMLab", "PyTorch Hub"):
            self.assertIn(name, text)
        self.assertIn("source: https://", text)
        md = self.platforms("--format", "markdown")
        self.assertIn("| Platform | Upload verification |", md)
        self.assertIn("| PyTorch Hub |", md)
        self.assertRegex(md, r"\n1\. <https://")
        p = subprocess.run([MODELGATE, "platforms", "--format", "pdf"], env=env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2)

    def test_report_includes_table6(self):
        mg("init", self.db)
        mg("add", self.db, "--folders", os.path.join(EXAMPLES))
        out = os.path.join(self.tmp, "report")
        mg("report", self.db, "--out", out)
        rows = read_csv(os.path.join(out, "platforms.csv"))
        self.assertEqual(len(rows), 5 * 9)
        self.assertEqual({r["platform"] for r in rows}, set(self.HUBS))
        self.assertTrue(all(r["source"].startswith("https://") for r in rows))
        with open(os.path.join(out, "report.md")) as f:
            self.assertIn("## Table 6: platform mitigations", f.read())
        with open(os.path.join(out, "report.html")) as f:
            self.assertIn('data-query="platforms"', f.read())


class Usage(Base):
    def test_usage_errors(self):
        p = mg("add", self.db, "--folders", EXAMPLES, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot open study store", p.stderr)
        mg("init", self.db)
        for args, words in ((["run", self.db, "--shard", "3/3"], "--shard"), (["run", self.db, "--shard", "x"], "--shard"),
                            (["run", self.db, "--study", "nope"], "no study named"),
                            (["add", self.db], "--from-file"),
                            (["add", self.db, "--folders", os.path.join(self.tmp, "missing")], "not a folder"),
                            (["report", self.db], "--out"),
                            (["report", self.db, "--out", self.tmp, "--format", "pdf"], "unknown format")):
            p = mg(*args, check=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(words, p.stderr, args)
        junk = os.path.join(self.tmp, "junk.db")
        with open(junk, "w") as f:
            f.write("not sqlite " * 100)
        p = mg("status", junk, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("modelgate: error:", p.stderr)
        lst = os.path.join(self.tmp, "l.txt")
        with open(lst, "w") as f:
            f.write("hf:org/name\nnot a target at all\n")
        p = mg("add", self.db, "--from-file", lst, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("l.txt:2", p.stderr)
        self.assertEqual(self.sql("SELECT repo_id, source, platform FROM repositories"), [("org/name", "hf:org/name", "huggingface")])


class Html(Base):
    def test_page_renders_in_headless_chromium(self):
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            print("SKIP: chromium is not installed (Debian package chromium; scripts/bootstrap --dev)")
            sys.exit(SKIP)
        mg("init", self.db)
        mg("add", self.db, "--folders", EXAMPLES)
        mg("run", self.db)
        out = os.path.join(self.tmp, "out")
        mg("report", self.db, "--out", out, "--format", "html")
        page = "file://" + os.path.join(out, "report.html")
        profile = os.path.join(self.tmp, "profile")
        base = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"]
        try:
            dom = subprocess.run(base + ["--dump-dom", page], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            print("SKIP: chromium cannot start here: %s" % e)
            sys.exit(SKIP)
        if dom.returncode != 0 or "<html" not in dom.stdout:
            print("SKIP: chromium cannot start here (exit %d): %s" % (dom.returncode, dom.stderr[-500:]))
            sys.exit(SKIP)
        console = [l for l in dom.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
        self.assertEqual(console, [])
        self.assertGreaterEqual(dom.stdout.count('<table class="data"'), 8)
        self.assertEqual(dom.stdout.count('<svg class="chart"'), 5)
        self.assertIn("chart-prevalence", dom.stdout)
        self.assertGreater(dom.stdout.count("<rect"), 10)
        shot = os.path.join(self.tmp, "shot.png")
        s = subprocess.run(base + ["--screenshot=" + shot, "--window-size=1200,2400", page], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(s.returncode, 0, s.stderr[-2000:])
        self.assertEqual([l for l in s.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l], [])
        with open(shot, "rb") as f:
            png = f.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertGreater(len(png), 20000)
        # Not blank: the page has many distinct pixel rows (a white page compresses to almost nothing).
        import zlib
        self.assertGreater(len(png), 8 * len(zlib.compress(b"\xff" * 1200 * 3 * 10)))


if __name__ == "__main__":
    groups = {"RoundTrip": RoundTrip, "Rerun": Rerun, "Kill": Kill, "Shards": Shards, "Listing": Listing, "OtherListings": OtherListings, "Platforms": Platforms,
              "Usage": Usage, "Html": Html}
    if GROUP not in groups:
        sys.exit("unknown group %s" % GROUP)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(groups[GROUP])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
