"""Lock/verify and OpenSSF Model Signing through the modelgate binary (ctest -L enforce).

usage: enforce_test.py MODELGATE SOURCE_DIR GROUP
GROUP: Lock | Drift | Malformed | Sign | Tamper | Certificates | Report | Hub | SpecVectors | EncryptedKey
Keys and certificates are made here with the openssl CLI; nothing third-party is stored in the
repository. SpecVectors reads the OMS spec's test vectors from MODELGATE_OMS_SPEC_DIR (a checkout of
ossf/model-signing-spec) and exits 77 (SKIP) when it is not set.
"""
import base64
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import jsonschema

MODELGATE, SOURCE, GROUP = sys.argv[1:4]
EXAMPLES = sorted(p for p in glob.glob(os.path.join(SOURCE, "examples", "*")) if os.path.isdir(p))
TMP = tempfile.mkdtemp(prefix="mg-enforce-")
failures = []


def run(*args, expect=None):
    proc = subprocess.run([MODELGATE, *args], capture_output=True, text=True)
    if expect is not None and proc.returncode != expect:
        failures.append(f"{' '.join(args)}: exit {proc.returncode}, expected {expect}\n{proc.stdout}{proc.stderr}")
    return proc


def check(cond, what):
    if not cond:
        failures.append(what)


def copy_example(name):
    dst = os.path.join(TMP, name + "-" + str(len(os.listdir(TMP))))
    shutil.copytree(os.path.join(SOURCE, "examples", name), dst)
    return dst


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def keypair(kind):
    priv = os.path.join(TMP, f"{kind}-{len(os.listdir(TMP))}.pem")
    pub = priv.replace(".pem", ".pub.pem")
    if kind.startswith("P-"):
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{kind}", "-out", priv)
    elif kind == "Ed25519":
        openssl("genpkey", "-algorithm", "ED25519", "-out", priv)
    elif kind == "RSA-2048":
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", priv)
    openssl("pkey", "-in", priv, "-pubout", "-out", pub)
    return priv, pub


def lock_schema():
    with open(os.path.join(SOURCE, "docs", "lockfile-v1.schema.json")) as f:
        return json.load(f)


def lock(target, out):
    run("lock", target, "-o", out, expect=0)
    with open(out) as f:
        return json.load(f)


# --- groups ---

def group_lock():
    schema = lock_schema()
    for ex in EXAMPLES:
        out = os.path.join(TMP, os.path.basename(ex) + ".lock.json")
        doc = lock(ex, out)
        jsonschema.validate(doc, schema)
        proc = run("verify", ex, "--lock", out, expect=0)
        check("matches" in proc.stdout, f"{ex}: verify does not say it matches: {proc.stdout}")
    # The remote-code example pins its modules, its config and its triggers.
    doc = lock(os.path.join(SOURCE, "examples", "remote-code-model"), os.path.join(TMP, "rc.json"))
    paths = {f["path"]: f for f in doc["files"]}
    check({"config.json", "modeling_tiny.py", "configuration_tiny.py"} <= set(paths), f"locked files: {sorted(paths)}")
    for f in doc["files"]:
        with open(os.path.join(SOURCE, "examples", "remote-code-model", f["path"]), "rb") as fh:
            data = fh.read()
        check(f["sha256"] == hashlib.sha256(data).hexdigest() and f["size"] == len(data), f"digest of {f['path']}")
    check(any(t["key"] == "auto_map.AutoModel" for t in doc["triggers"]), "auto_map trigger locked")
    check(doc["verdict"] in ("low", "medium", "high", "critical", "clean") and doc["source"]["revision"] is None, "verdict, no revision")
    # Cross-repository references are listed.
    doc = lock(os.path.join(SOURCE, "examples", "cross-repo-auto-map"), os.path.join(TMP, "xr.json"))
    check(len(doc["remote_code"]) >= 1, f"cross-repo reference locked: {doc['remote_code']}")
    # Archives: the same repository zipped.
    src = os.path.join(SOURCE, "examples", "remote-code-model")
    archive = os.path.join(TMP, "remote-code-model.zip")
    with zipfile.ZipFile(archive, "w") as z:
        for name in sorted(os.listdir(src)):
            z.write(os.path.join(src, name), name)
    lock(archive, os.path.join(TMP, "zip.json"))
    run("verify", archive, "--lock", os.path.join(TMP, "zip.json"), expect=0)
    # A Hugging Face cache snapshot: the lock records its commit.
    commit = "0123456789abcdef0123456789abcdef01234567"
    cache = os.path.join(TMP, "hub", "models--org--tiny")
    snap = os.path.join(cache, "snapshots", commit)
    shutil.copytree(src, snap)
    os.makedirs(os.path.join(cache, "refs"))
    with open(os.path.join(cache, "refs", "main"), "w") as f:
        f.write(commit)
    doc = lock(snap, os.path.join(TMP, "hf.json"))
    check(doc["source"]["revision"] == commit and doc["source"]["kind"] == "hf-cache", f"hf cache source: {doc['source']}")
    run("verify", snap, "--lock", os.path.join(TMP, "hf.json"), expect=0)


def group_drift():
    def fresh():
        d = copy_example("remote-code-model")
        lf = os.path.join(d + ".lock.json")
        lock(d, lf)
        return d, lf

    def expect_drift(d, lf, kind, subject):
        proc = run("verify", d, "--lock", lf, expect=1)
        check(any(l.startswith("drift:") and kind in l.split() and subject in l for l in proc.stdout.splitlines()),
              f"expected drift {kind} {subject}, got:\n{proc.stdout}")

    d, lf = fresh()
    with open(os.path.join(d, "modeling_tiny.py"), "r+b") as f:
        b = f.read(1)
        f.seek(0)
        f.write(bytes([b[0] ^ 0x20]))
    expect_drift(d, lf, "changed", "modeling_tiny.py")

    d, lf = fresh()
    os.makedirs(os.path.join(d, "custom_generate"))
    with open(os.path.join(d, "custom_generate", "generate.py"), "w") as f:
        f.write("def generate(model, **kwargs):\n    return None\n")
    expect_drift(d, lf, "added", "custom_generate/generate.py")

    d, lf = fresh()
    os.remove(os.path.join(d, "configuration_tiny.py"))
    expect_drift(d, lf, "removed", "configuration_tiny.py")

    d, lf = fresh()
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    cfg["auto_map"]["AutoModel"] = "layers.TinyModel"
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    expect_drift(d, lf, "trigger-repointed", "config.json:auto_map.AutoModel")
    expect_drift(d, lf, "changed", "config.json")

    # A file no loader runs is not drift.
    d, lf = fresh()
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write("notes\n")
    run("verify", d, "--lock", lf, expect=0)


def group_malformed():
    d = os.path.join(SOURCE, "examples", "remote-code-model")
    good = lock(d, os.path.join(TMP, "good.json"))
    cases = {
        "garbage": b"{not json",
        "empty": b"",
        "array": b"[]",
        "deep": b"[" * 100000,
        "version": json.dumps(dict(good, lockfile_version=99)).encode(),
        "no-version": json.dumps({k: v for k, v in good.items() if k != "lockfile_version"}).encode(),
        "bad-sha": json.dumps(dict(good, files=[dict(good["files"][0], sha256="XYZ")])).encode(),
        "bad-size": json.dumps(dict(good, files=[dict(good["files"][0], size=-1)])).encode(),
        "files-not-array": json.dumps(dict(good, files={})).encode(),
        "binary": bytes(range(256)),
    }
    for name, data in cases.items():
        p = os.path.join(TMP, f"bad-{name}.json")
        with open(p, "wb") as f:
            f.write(data)
        proc = run("verify", d, "--lock", p, expect=2)
        check("error" in proc.stderr and len(proc.stderr) < 2000, f"{name}: no clear message: {proc.stderr!r}")
    proc = run("verify", d, "--lock", os.path.join(TMP, "bad-version.json"))
    check("not supported" in proc.stderr, f"unknown version message: {proc.stderr}")
    run("verify", d, "--lock", os.path.join(TMP, "missing.json"), expect=2)
    run("verify", d, expect=2)


def sign(d, priv, *extra):
    run("sign", d, "--key", priv, *extra, expect=0)
    return os.path.join(d, "model.sig")


def group_sign():
    for alg in ("P-256", "P-384", "P-521", "Ed25519", "RSA-2048"):
        priv, pub = keypair(alg)
        d = copy_example("remote-code-model")
        sig = sign(d, priv)
        with open(sig) as f:
            bundle = json.load(f)
        check(bundle["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json", "media type")
        stmt = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
        check(stmt["predicateType"] == "https://model_signing/signature/v1.0", "predicate type")
        names = sorted(r["name"] for r in stmt["predicate"]["resources"])
        check(names == sorted(os.listdir(os.path.join(SOURCE, "examples", "remote-code-model"))), f"{alg}: resources {names}")
        for r in stmt["predicate"]["resources"]:
            with open(os.path.join(d, r["name"]), "rb") as fh:
                check(r["digest"] == hashlib.sha256(fh.read()).hexdigest(), f"{alg}: digest of {r['name']}")
        root = hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in stmt["predicate"]["resources"])).hexdigest()
        check(stmt["subject"][0]["digest"]["sha256"] == root, f"{alg}: subject digest")
        proc = run("verify", d, "--signature", sig, "--key", pub, expect=0)
        check("signature valid" in proc.stdout, f"{alg}: {proc.stdout}")
        # Wrong key of the same kind fails.
        _, other = keypair(alg)
        proc = run("verify", d, "--signature", sig, "--key", other, expect=1)
        check("INVALID" in proc.stdout, f"{alg} wrong key: {proc.stdout}")
    # Files larger than one read (8 MiB), hashed on several threads: whole-file digests.
    priv, pub = keypair("P-256")
    d = os.path.join(TMP, "big")
    os.makedirs(d)
    blobs = {f"w{i}.bin": os.urandom((8 << 20) * (i + 1) + 3 * i + 1) for i in range(3)}
    for name, data in blobs.items():
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)
    sig = sign(d, priv)
    with open(sig) as fh:
        stmt = json.loads(base64.b64decode(json.load(fh)["dsseEnvelope"]["payload"]))
    got = {r["name"]: r["digest"] for r in stmt["predicate"]["resources"]}
    check(got == {n: hashlib.sha256(b).hexdigest() for n, b in blobs.items()}, f"large-file digests: {got}")
    run("verify", d, "--signature", sig, "--key", pub, "-j", "3", expect=0)
    # A signature elsewhere than in the folder, and a single-file model.
    priv, pub = keypair("P-256")
    d = copy_example("clean-safetensors")
    out = os.path.join(TMP, "outside.sig")
    run("sign", d, "--key", priv, "-o", out, expect=0)
    run("verify", d, "--signature", out, "--key", pub, expect=0)
    f = os.path.join(d, os.listdir(d)[0])
    run("sign", f, "--key", priv, "-o", out, expect=0)
    run("verify", f, "--signature", out, "--key", pub, expect=0)
    # A .git folder and .gitattributes are ignored, as the spec says.
    d = copy_example("remote-code-model")
    sig = sign(d, priv)
    os.makedirs(os.path.join(d, ".git"))
    with open(os.path.join(d, ".git", "HEAD"), "w") as fh:
        fh.write("ref: refs/heads/main\n")
    run("verify", d, "--signature", sig, "--key", pub, expect=0)
    # Usage errors.
    run("verify", d, "--signature", sig, expect=2)
    run("sign", d, "--key", pub, expect=2)


def group_tamper():
    priv, pub = keypair("P-384")
    base = copy_example("remote-code-model")
    sig = sign(base, priv)
    with open(sig) as f:
        bundle = json.load(f)
    files = sorted(n for n in os.listdir(base) if n != "model.sig")
    # Any byte of any file: flip the first, middle and last byte in turn.
    for name in files:
        size = os.path.getsize(os.path.join(base, name))
        for offset in sorted({0, size // 2, size - 1}):
            d = TMP + f"/t-{name}-{offset}"
            shutil.copytree(base, d)
            with open(os.path.join(d, name), "r+b") as f:
                f.seek(offset)
                b = f.read(1)
                f.seek(offset)
                f.write(bytes([b[0] ^ 1]))
            proc = run("verify", d, "--signature", os.path.join(d, "model.sig"), "--key", pub, expect=1)
            check(f"changed  {name}" in proc.stdout, f"{name}@{offset}: {proc.stdout}")
    d = TMP + "/t-extra"
    shutil.copytree(base, d)
    with open(os.path.join(d, "extra.py"), "w") as f:
        f.write("x = 1\n")
    proc = run("verify", d, "--signature", os.path.join(d, "model.sig"), "--key", pub, expect=1)
    check("extra" in proc.stdout and "extra.py" in proc.stdout, proc.stdout)
    d = TMP + "/t-missing"
    shutil.copytree(base, d)
    os.remove(os.path.join(d, "layers.py"))
    proc = run("verify", d, "--signature", os.path.join(d, "model.sig"), "--key", pub, expect=1)
    check("missing" in proc.stdout and "layers.py" in proc.stdout, proc.stdout)

    def tampered(edit, expect):
        b = json.loads(json.dumps(bundle))
        edit(b)
        p = os.path.join(TMP, f"tampered-{len(os.listdir(TMP))}.sig")
        with open(p, "w") as f:
            json.dump(b, f)
        return run("verify", base, "--signature", p, "--key", pub, expect=expect)

    payload = base64.b64decode(bundle["dsseEnvelope"]["payload"])
    for i in (0, len(payload) // 3, len(payload) // 2, len(payload) - 2):  # statement bytes
        def edit(b, i=i):
            p = bytearray(payload)
            p[i] ^= 1
            b["dsseEnvelope"]["payload"] = base64.b64encode(bytes(p)).decode()
        proc = tampered(edit, 1)
        check("INVALID" in proc.stdout, f"statement byte {i}: {proc.stdout}")
    # A digest in the statement re-pointed, even with a consistent root digest: the signature fails.
    stmt = json.loads(payload)
    stmt["predicate"]["resources"][0]["digest"] = "00" * 32
    tampered(lambda b: b["dsseEnvelope"].__setitem__("payload", base64.b64encode(json.dumps(stmt).encode()).decode()), 1)
    # Payload type: another type is refused (the signature also covers it).
    proc = tampered(lambda b: b["dsseEnvelope"].__setitem__("payloadType", "application/vnd.in-toto+jsoN"), None)
    check(proc.returncode != 0 and "payloadType" in proc.stderr, f"payload type: {proc.returncode} {proc.stderr}")
    raw = base64.b64decode(bundle["dsseEnvelope"]["signatures"][0]["sig"])
    for i in (0, len(raw) // 2, len(raw) - 1):
        def edit(b, i=i):
            s = bytearray(raw)
            s[i] ^= 0x10
            b["dsseEnvelope"]["signatures"][0]["sig"] = base64.b64encode(bytes(s)).decode()
        proc = tampered(edit, 1)
        check("INVALID" in proc.stdout, f"signature byte {i}: {proc.stdout}")
    # The key hint names the signer: another hint is refused.
    tampered(lambda b: b["verificationMaterial"]["publicKey"].__setitem__("hint", "ab" * 32), 1)
    for bad in ("{", "[]", '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}', ""):
        p = os.path.join(TMP, "malformed.sig")
        with open(p, "w") as f:
            f.write(bad)
        run("verify", base, "--signature", p, "--key", pub, expect=2)


def group_certificates():
    def conf(path, usage):
        with open(path, "w") as f:
            f.write(f"[ext]\nbasicConstraints=CA:FALSE\n{usage}\n[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n")
    ca_key, _ = keypair("P-384")
    ca = os.path.join(TMP, "ca.pem")
    cnf = os.path.join(TMP, "ext.cnf")
    conf(cnf, "keyUsage=critical,digitalSignature")
    openssl("req", "-x509", "-new", "-key", ca_key, "-subj", "/CN=modelgate test root", "-days", "2", "-out", ca,
            "-extensions", "ca", "-config", cnf)
    other_key, _ = keypair("P-256")
    other_ca = os.path.join(TMP, "other-ca.pem")
    openssl("req", "-x509", "-new", "-key", other_key, "-subj", "/CN=another root", "-days", "2", "-out", other_ca,
            "-extensions", "ca", "-config", cnf)

    def leaf(usage):
        key, _ = keypair("P-256")
        csr = key + ".csr"
        crt = key + ".crt"
        c = key + ".cnf"
        conf(c, usage)
        openssl("req", "-new", "-key", key, "-subj", "/CN=signer@modelgate.invalid", "-out", csr, "-config", c)
        openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "1", "-out", crt,
                "-extfile", c, "-extensions", "ext")
        return key, crt

    key, crt = leaf("keyUsage=critical,digitalSignature")
    d = copy_example("remote-code-model")
    sig = sign(d, key, "--certificate", crt)
    proc = run("verify", d, "--signature", sig, "--certificate-chain", ca, expect=0)
    check("signer@modelgate.invalid" in proc.stdout, f"certificate signer named: {proc.stdout}")
    run("verify", d, "--signature", sig, "--certificate-chain", other_ca, expect=1)
    with open(os.path.join(d, "layers.py"), "a") as f:
        f.write("# edit\n")
    run("verify", d, "--signature", sig, "--certificate-chain", ca, expect=1)
    key, crt = leaf("extendedKeyUsage=codeSigning")
    d = copy_example("remote-code-model")
    sig = sign(d, key, "--certificate", crt)
    run("verify", d, "--signature", sig, "--certificate-chain", ca, expect=0)
    key, crt = leaf("keyUsage=critical,keyEncipherment")
    d = copy_example("remote-code-model")
    sig = sign(d, key, "--certificate", crt)
    proc = run("verify", d, "--signature", sig, "--certificate-chain", ca, expect=1)
    check("digitalSignature" in proc.stdout, f"key usage message: {proc.stdout}")
    # A certificate bundle checked with --key of the wrong kind: the key does not verify it.
    _, pub = keypair("P-256")
    run("verify", d, "--signature", sig, "--key", pub, expect=1)


def scan_integrity(d):
    proc = run("scan", "--quiet", "--format", "json", "--fail-on", "none", d)
    report = json.loads(proc.stdout)
    with open(os.path.join(SOURCE, "docs", "report-v1.schema.json")) as f:
        jsonschema.validate(report, json.load(f))
    return report["targets"][0]["integrity"]


def group_report():
    d = copy_example("remote-code-model")
    i = scan_integrity(d)
    check(i["signed"] is False and i["signature_file"] is None, f"unsigned: {i}")
    priv, pub = keypair("P-256")
    sign(d, priv)
    i = scan_integrity(d)
    check(i["signed"] and i["method"] == "key" and i["signer"].startswith("key sha256:") and i["files_match"] is True
          and i["signature_valid"] is None, f"signed by key: {i}")
    with open(os.path.join(d, "modeling_tiny.py"), "a") as f:
        f.write("# edit\n")
    i = scan_integrity(d)
    check(i["files_match"] is False and "changed: modeling_tiny.py" in i["mismatches"], f"tampered: {i}")
    with open(os.path.join(d, "model.sig"), "w") as f:
        f.write("{garbage")
    i = scan_integrity(d)
    check(i["signed"] and i["problem"], f"malformed: {i}")


def group_hub():
    # Hub ids through the local hub of tests/hub (127.0.0.1 only, proxies unset): the lock records
    # the resolved commit; a file changed on the hub is drift.
    repo = copy_example("remote-code-model")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("HF_", "MODELGATE_"))}
    env.update({"NO_PROXY": "*", "no_proxy": "*", "HF_HOME": os.path.join(TMP, "hf"), "MODELGATE_CACHE_DIR": os.path.join(TMP, "cache")})

    def hub_run(url, *args, expect):
        proc = subprocess.run([MODELGATE, *args, "--endpoint", url], env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != expect:
            failures.append(f"{' '.join(args)}: exit {proc.returncode}, expected {expect}\n{proc.stdout}{proc.stderr}")
        return proc

    def start():
        hub = subprocess.Popen([sys.executable, os.path.join(SOURCE, "tests", "hub", "fake_hub.py"), "--repo", "acme/rc=" + repo],
                               stdout=subprocess.PIPE, text=True)
        line = hub.stdout.readline()
        check(line.startswith("PORT "), f"fake hub: {line!r}")
        return hub, "http://127.0.0.1:%d" % int(line.split()[1])

    lf = os.path.join(TMP, "hub.lock.json")
    hub, url = start()
    try:
        hub_run(url, "lock", "hf:acme/rc", "-o", lf, expect=0)
        with open(lf) as f:
            doc = json.load(f)
        jsonschema.validate(doc, lock_schema())
        check(len(doc["source"]["revision"] or "") == 40 and doc["source"]["repo_id"] == "acme/rc", f"hub source: {doc['source']}")
        check(all(f["sha256"] for f in doc["files"]), "small hub files are hashed whole")
        hub_run(url, "verify", "hf:acme/rc", "--lock", lf, expect=0)
    finally:
        hub.terminate()
        hub.wait(timeout=10)
        hub.stdout.close()
    with open(os.path.join(repo, "layers.py"), "a") as f:
        f.write("# changed upstream\n")
    hub, url = start()
    try:
        proc = hub_run(url, "verify", "hf:acme/rc", "--lock", lf, expect=1)
        check("layers.py" in proc.stdout and "changed" in proc.stdout, proc.stdout)
    finally:
        hub.terminate()
        hub.wait(timeout=10)
        hub.stdout.close()


def group_encrypted_key():
    priv, pub = keypair("P-256")
    enc = priv.replace(".pem", ".enc.pem")
    openssl("pkey", "-in", priv, "-aes256", "-passout", "pass:correct horse", "-out", enc)  # PKCS#8 encrypted
    trad = priv.replace(".pem", ".trad.pem")
    openssl("pkey", "-in", priv, "-aes256", "-passout", "pass:correct horse", "-traditional", "-out", trad)  # Proc-Type header
    pw = os.path.join(TMP, "password.txt")
    with open(pw, "w") as f:
        f.write("correct horse\n")
    wrong = os.path.join(TMP, "wrong.txt")
    with open(wrong, "w") as f:
        f.write("battery staple\n")

    def sign_env(d, key, env_password=None, *extra):
        env = dict(os.environ)
        env.pop("MODELGATE_KEY_PASSWORD", None)
        if env_password is not None:
            env["MODELGATE_KEY_PASSWORD"] = env_password
        # stdin closed and a timeout: an encrypted key must never make modelgate prompt.
        return subprocess.run([MODELGATE, "sign", d, "--key", key, *extra], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=60)

    for key in (enc, trad):
        d = copy_example("remote-code-model")
        proc = sign_env(d, key, None, "--key-password-file", pw)
        check(proc.returncode == 0, f"{key} with --key-password-file: {proc.returncode} {proc.stderr}")
        run("verify", d, "--signature", os.path.join(d, "model.sig"), "--key", pub, expect=0)
        d = copy_example("remote-code-model")
        proc = sign_env(d, key, "correct horse")
        check(proc.returncode == 0, f"{key} with MODELGATE_KEY_PASSWORD: {proc.returncode} {proc.stderr}")
        run("verify", d, "--signature", os.path.join(d, "model.sig"), "--key", pub, expect=0)
        proc = sign_env(d, key, None)
        check(proc.returncode == 2 and "encrypted" in proc.stderr and "MODELGATE_KEY_PASSWORD" in proc.stderr,
              f"{key} without password: {proc.returncode} {proc.stderr}")
        proc = sign_env(d, key, None, "--key-password-file", wrong)
        check(proc.returncode == 2 and "wrong password" in proc.stderr, f"{key} wrong password: {proc.returncode} {proc.stderr}")
        proc = sign_env(d, key, "battery staple")
        check(proc.returncode == 2 and "wrong password" in proc.stderr, f"{key} wrong env password: {proc.returncode} {proc.stderr}")
    # The password is never an argument.
    proc = subprocess.run([MODELGATE, "sign", "--help"], capture_output=True, text=True)
    check("--key-password-file" in proc.stdout and "--key-password " not in proc.stdout, proc.stdout)


def group_spec_vectors():
    spec = os.environ.get("MODELGATE_OMS_SPEC_DIR", "")
    vectors = os.path.join(spec, "test-vectors", "v1.0")
    if not spec or not os.path.isdir(vectors):
        print("SKIP: MODELGATE_OMS_SPEC_DIR is not set to a checkout of ossf/model-signing-spec "
              "(cmake -DMODELGATE_OMS_SPEC_DIR=... or the environment variable)")
        sys.exit(77)
    seen = 0
    for kind in ("valid", "invalid", "invalid-payload"):
        for v in sorted(glob.glob(os.path.join(vectors, kind, "*.json"))):
            seen += 1
            d = os.path.join(TMP, "vec-" + kind + "-" + os.path.basename(v))
            os.makedirs(d)
            shutil.copy(v, os.path.join(d, "model.sig"))
            i = scan_integrity(d)
            name = f"{kind}/{os.path.basename(v)}"
            if kind == "valid":
                # Bundle and statement parse; the files are absent, so the manifest does not match.
                check(i["method"] in ("key", "certificate", "sigstore"), f"{name}: {i}")
                check(i["files_match"] is False and i["signature_valid"] is not False, f"{name}: {i}")
            elif kind == "invalid":
                check(i["method"] is None and i["problem"], f"{name} accepted at bundle level: {i}")
            else:
                check(i["method"] is not None and i["problem"] and "statement" in i["problem"], f"{name}: {i}")
            print(f"{name}: method={i['method']} signature_valid={i['signature_valid']} problem={i['problem']}")
    check(seen >= 8, f"only {seen} vectors found")


GROUPS = {"Lock": group_lock, "Drift": group_drift, "Malformed": group_malformed, "Sign": group_sign, "Tamper": group_tamper,
          "Certificates": group_certificates, "Report": group_report, "Hub": group_hub, "SpecVectors": group_spec_vectors,
          "EncryptedKey": group_encrypted_key}

try:
    GROUPS[GROUP]()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"{GROUP}: ok")
