#!/usr/bin/env python3
"""modelgate study on PostgreSQL, against a real server this test starts (tests/study/pg_server.py):
four worker processes on one study with one SIGKILLed while it holds a lease (every repository
done exactly once, the report's CSV tables identical to the SQLite run of the same study); failed
jobs retried with backoff then failed; the per-platform rate limit held across workers; the schema
and migrations the SQLite file has. SKIP (exit 77) with the reason when no server can start here.

usage: pg_study_test.py MODELGATE GROUP   (GROUP: Workers Retry Rate Schema)"""
import filecmp
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_server  # noqa: E402

MODELGATE = os.path.abspath(sys.argv[1])
GROUP = sys.argv[2]
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(SOURCE, "examples")
SKIP = 77


def env(**extra):
    e = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("HF_", "MODELGATE_"))}
    e.update({"MODELGATE_HTTP_RETRIES": "0", "MODELGATE_HTTP_TIMEOUT": "20", "HF_HUB_OFFLINE": "1"})
    e.update(extra)
    return e


def mg(*args, check=True, timeout=600):
    p = subprocess.run([MODELGATE, "study", *args], env=env(), capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("modelgate study %s -> %d\n%s\n%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def last_json(p):
    return json.loads(p.stdout.strip().splitlines()[-1])


def make_corpus(root, copies, names=("clean-safetensors", "remote-code-model", "pickle-checkpoint", "torchhub-hubconf",
                                     "malicious-pickle")):
    """<root>/<group>/<owner>__<name>/: copies of small examples, as the corpus layout."""
    ids = []
    for k in range(copies):
        src = names[k % len(names)]
        if not os.path.isdir(os.path.join(EXAMPLES, src)):
            src = names[0]
        group = "G%d" % (k % 2)
        dst = os.path.join(root, group, "owner%d__%s-%d" % (k % 5, src, k))
        shutil.copytree(os.path.join(EXAMPLES, src), dst)
        ids.append("owner%d/%s-%d" % (k % 5, src, k))
    return ids


SERVER = None
SERVER_ERROR = None


def setUpModule():
    global SERVER, SERVER_ERROR
    try:
        SERVER = pg_server.Server().start()
    except pg_server.Unavailable as e:
        SERVER_ERROR = str(e)


def tearDownModule():
    if SERVER is not None:
        SERVER.stop()
        shutil.rmtree(SERVER.root, ignore_errors=True)


class Base(unittest.TestCase):
    study = "s"

    def setUp(self):
        if SERVER is None:
            self.skipTest(SERVER_ERROR)
        self.tmp = tempfile.mkdtemp(prefix="mg_pgstudy_")
        self.uri = SERVER.uri
        # Each test its own study in the one server.
        Base.study = self.id().rsplit(".", 1)[-1]

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def q(self, sql):
        return SERVER.psql(sql)

    def one(self, sql):
        return int(self.q(sql)[0][0])


class Workers(Base):
    def test_four_workers_one_killed_exactly_once_and_same_report_as_sqlite(self):
        corpus = os.path.join(self.tmp, "corpus")
        ids = make_corpus(corpus, 48)
        s = self.study
        mg("init", self.uri, "--study", s)
        mg("add", self.uri, "--study", s, "--folders", corpus)
        study_id = self.one("SELECT id FROM studies WHERE name = '%s'" % s)
        # Each worker holds a claimed job 150 ms before scanning, so the kill lands on a lease.
        procs = [subprocess.Popen([MODELGATE, "study", "run", self.uri, "--study", s, "-j", "1", "--lease", "3"],
                                  env=env(MODELGATE_STUDY_TEST_HOLD_MS="150"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        victim = procs[0]
        owner = "%%:%d" % victim.pid
        deadline = time.time() + 120
        killed_holding = 0
        while time.time() < deadline and victim.poll() is None:
            done_by_all = self.one("SELECT count(*) FROM jobs j JOIN repositories r ON r.id = j.repository_id "
                                   "WHERE r.study_id = %d AND j.state = 'done'" % study_id)
            holding = self.one("SELECT count(*) FROM jobs WHERE state = 'running' AND lease_owner LIKE '%s'" % owner)
            if done_by_all >= 6 and holding > 0:
                victim.send_signal(signal.SIGKILL)
                killed_holding = holding
                break
            time.sleep(0.01)
        victim.wait()
        self.assertEqual(victim.returncode, -signal.SIGKILL, "the victim finished before it could be killed")
        self.assertGreater(killed_holding, 0)
        outs = [p.communicate(timeout=300) for p in procs[1:]]
        for p, (out, err) in zip(procs[1:], outs):
            self.assertEqual(p.returncode, 0, err)
        # The killed worker's job was taken over after its lease expired (a second attempt).
        self.assertGreaterEqual(self.one("SELECT count(*) FROM jobs WHERE attempts >= 2 AND state = 'done'"), 1)
        # Every repository done exactly once, every job done, nothing half-written.
        rows = self.q("SELECT r.repo_id, count(v.id) FROM repositories r LEFT JOIN revisions v ON v.repository_id = r.id "
                      "WHERE r.study_id = %d GROUP BY r.id" % study_id)
        self.assertEqual(sorted(x[0] for x in rows), sorted(ids))
        self.assertTrue(all(x[1] == "1" for x in rows), [x for x in rows if x[1] != "1"])
        self.assertEqual(self.q("SELECT state, count(*) FROM jobs j JOIN repositories r ON r.id = j.repository_id "
                                "WHERE r.study_id = %d GROUP BY state" % study_id), [["done", str(len(ids))]])
        self.assertEqual(self.one("SELECT count(*) FROM targets t JOIN revisions v ON v.id = t.revision_id JOIN "
                                  "repositories r ON r.id = v.repository_id WHERE r.study_id = %d" % study_id), len(ids))
        scanned = sum(json.loads(out.strip().splitlines()[-1])["scanned"] for out, _ in outs)
        self.assertLessEqual(scanned, len(ids))
        st = json.loads(mg("status", self.uri, "--study", s, "--format", "json").stdout)
        self.assertEqual((st["repositories"], st["done"], st["pending"], st["failed"]), (len(ids), len(ids), 0, 0))

        # The same study in a SQLite file: the report's tables are the same, cell for cell.
        db = os.path.join(self.tmp, "study.db")
        mg("init", db, "--study", s)
        mg("add", db, "--study", s, "--folders", corpus)
        mg("run", db, "--study", s, "-j", "2", "-q")
        pg_out, lite_out = os.path.join(self.tmp, "pg"), os.path.join(self.tmp, "lite")
        mg("report", self.uri, "--study", s, "--out", pg_out, "--format", "csv")
        mg("report", db, "--study", s, "--out", lite_out, "--format", "csv")
        names = sorted(os.listdir(lite_out))
        self.assertGreaterEqual(len(names), 10)
        self.assertEqual(sorted(os.listdir(pg_out)), names)
        match, mismatch, errors = filecmp.cmpfiles(pg_out, lite_out, names, shallow=False)
        self.assertEqual((mismatch, errors), ([], []))
        with open(os.path.join(pg_out, "prevalence.csv")) as f:
            self.assertIn(str(len(ids) // 2), f.read())  # G0 and G1 hold half each


class Report(Base):
    def test_native_report_matches_sqlite_over_every_example(self):
        """The report's queries run on the server (PostgreSQL dialect) give the SQLite file's CSVs
        byte for byte over every example: triggers, findings, CWEs, weights of all kinds."""
        s = self.study
        db = os.path.join(self.tmp, "study.db")
        for store in (self.uri, db):
            mg("init", store, "--study", s)
            mg("add", store, "--study", s, "--folders", EXAMPLES)
            mg("run", store, "--study", s, "-j", "2", "-q")
        # A second study in the same server must not leak into this one's tables.
        mg("init", self.uri, "--study", s + "_other")
        mg("add", self.uri, "--study", s + "_other", "--folders", EXAMPLES, "--platform", "other")
        pg_out, lite_out = os.path.join(self.tmp, "pg"), os.path.join(self.tmp, "lite")
        mg("report", self.uri, "--study", s, "--out", pg_out)
        mg("report", db, "--study", s, "--out", lite_out)
        names = sorted(n for n in os.listdir(lite_out) if n.endswith(".csv"))
        self.assertGreaterEqual(len(names), 13)  # twelve queries and Table 6
        self.assertEqual(sorted(n for n in os.listdir(pg_out) if n.endswith(".csv")), names)
        match, mismatch, errors = filecmp.cmpfiles(pg_out, lite_out, names, shallow=False)
        self.assertEqual((mismatch, errors), ([], []))
        with open(os.path.join(pg_out, "trigger_kinds.csv")) as f:
            self.assertGreater(len(f.read().splitlines()), 3)
        with open(os.path.join(pg_out, "top_rules.csv")) as f:
            self.assertGreater(len(f.read().splitlines()), 3)
        with open(os.path.join(pg_out, "coverage.csv")) as f:
            self.assertNotIn("other", f.read())
        p = mg("report", self.uri, "--study", "nope", "--out", pg_out, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no study named 'nope'", p.stderr)


class Retry(Base):
    def test_failed_job_retried_with_backoff_then_failed(self):
        corpus = os.path.join(self.tmp, "corpus")
        ids = make_corpus(corpus, 4)
        s = self.study
        mg("init", self.uri, "--study", s)
        mg("add", self.uri, "--study", s, "--folders", corpus)
        gone = os.path.join(corpus, "G1", "owner1__remote-code-model-1")
        shutil.rmtree(gone)  # listed, then deleted: opening it fails
        t0 = time.time()
        p = mg("run", self.uri, "--study", s, "-j", "2", "-q", "--max-attempts", "3", "--backoff", "0.5", check=False)
        elapsed = time.time() - t0
        self.assertEqual(p.returncode, 2, p.stderr)
        r = last_json(p)
        self.assertEqual((r["scanned"], r["failed"]), (len(ids) - 1, 3))
        # Backoff 0.5 s then 1 s between the three attempts.
        self.assertGreaterEqual(elapsed, 1.4)
        self.assertEqual(self.q("SELECT j.state, j.attempts FROM jobs j JOIN repositories r ON r.id = j.repository_id "
                                "WHERE r.repo_id = 'owner1/remote-code-model-1'"), [["failed", "3"]])
        self.assertEqual(self.q("SELECT e.attempt FROM errors e JOIN repositories r ON r.id = e.repository_id "
                                "WHERE r.repo_id = 'owner1/remote-code-model-1' ORDER BY e.attempt"), [["1"], ["2"], ["3"]])
        st = json.loads(mg("status", self.uri, "--study", s, "--format", "json").stdout)
        self.assertEqual((st["done"], st["pending"], st["failed"]), (len(ids) - 1, 1, 1))
        # A later run does not retry a failed job; it ends at once.
        r = last_json(mg("run", self.uri, "--study", s, "-q"))
        self.assertEqual((r["pending"], r["scanned"]), (0, 0))


class Rate(Base):
    def test_rate_limit_shared_by_workers(self):
        corpus = os.path.join(self.tmp, "corpus")
        ids = make_corpus(corpus, 13, names=("clean-safetensors",))
        s = self.study
        mg("init", self.uri, "--study", s)
        mg("add", self.uri, "--study", s, "--folders", corpus, "--platform", "slowhub")
        t0 = time.time()
        procs = [subprocess.Popen([MODELGATE, "study", "run", self.uri, "--study", s, "-j", "2", "-q", "--rate",
                                   "slowhub=4"], env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        for p in procs:
            out, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, err)
        elapsed = time.time() - t0
        # 13 repositories at 4/s with a burst of 4: at least (13 - 4) / 4 = 2.25 s, whatever the workers.
        self.assertGreaterEqual(elapsed, 2.2)
        self.assertEqual(self.one("SELECT count(*) FROM jobs WHERE state = 'done' AND repository_id IN "
                                  "(SELECT id FROM repositories WHERE platform = 'slowhub')"), len(ids))
        self.assertEqual(self.q("SELECT rate, burst FROM hub_buckets WHERE platform = 'slowhub'"), [["4", "4"]])

    def test_bad_rate_and_shard_refused(self):
        mg("init", self.uri, "--study", self.study)
        for bad in ("slowhub", "=3", "x=0", "x=-1", "x=abc"):
            p = mg("run", self.uri, "--study", self.study, "--rate", bad, check=False)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("--rate must be platform=N", p.stderr)
        p = mg("run", self.uri, "--study", self.study, "--shard", "0/2", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--shard is for SQLite files", p.stderr)


class Schema(Base):
    def test_same_schema_as_sqlite_and_clear_errors(self):
        p = mg("init", self.uri, "--study", self.study)
        self.assertIn("schema version 3", p.stdout)
        mg("init", self.uri, "--study", self.study)  # idempotent
        # A password in the URI is not echoed (the server trusts any password here).
        with_pw = self.uri.replace("modelgate@", "modelgate:s3cret-canary@")
        p = mg("init", with_pw, "--study", self.study)
        self.assertNotIn("s3cret-canary", p.stdout + p.stderr)
        self.assertIn("modelgate:***@127.0.0.1", p.stdout)
        self.assertEqual(self.q("SELECT version FROM schema_version ORDER BY version"), [["1"], ["2"], ["3"]])
        import sqlite3
        db = os.path.join(self.tmp, "s.db")
        mg("init", db)
        con = sqlite3.connect(db)
        lite = {}
        for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            lite[t] = sorted(r[1] for r in con.execute("SELECT * FROM pragma_table_info(?)", (t,)))
        con.close()
        pg = {}
        for t, c in self.q("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"):
            pg.setdefault(t, []).append(c)
        self.assertEqual({t: sorted(c) for t, c in pg.items()}, lite)
        # A server that is not there: a clear error and exit code, no hang.
        p = mg("status", "postgresql://modelgate@127.0.0.1:1/postgres?connect_timeout=5", check=False, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot connect to the PostgreSQL study store", p.stderr)
        p = mg("status", self.uri, "--study", "nope", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no study named 'nope'", p.stderr)


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(globals()[GROUP])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and result.testsRun == len(result.skipped):
        print("SKIP: %s" % result.skipped[0][1])
        sys.exit(SKIP)
    sys.exit(0)
