"""modelgate run through the binary with real bubblewrap and seccomp (ctest -L sandbox).

usage: sandbox_test.py MODELGATE SOURCE_DIR GROUP
GROUP: Contain | Benign | Policy | Lock | Errors
Each load script in fixtures/model tries one escape; the test checks the escape failed or stayed
inside, and that the behaviour report recorded it. Where this machine refuses the namespaces
bubblewrap needs, the group exits 77 (ctest SKIP) with the reason.
"""
import json
import signal
import time
import os
import shutil
import subprocess
import sys
import tempfile

MODELGATE, SOURCE, GROUP = sys.argv[1:4]
PY = "/usr/bin/python3"
FIXTURE = os.path.join(SOURCE, "tests", "sandbox", "fixtures", "model")
TMP = tempfile.mkdtemp(prefix="mg-sandbox-")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def make_home():
    home = tempfile.mkdtemp(prefix="home-", dir=TMP)
    os.makedirs(os.path.join(home, ".ssh"))
    with open(os.path.join(home, ".ssh", "id_rsa"), "w") as f:
        f.write("MODELGATE-CANARY-PRIVATE-KEY\n")
    with open(os.path.join(home, ".bashrc"), "w") as f:
        f.write("# canary bashrc\n")
    return home


def copy_model():
    dst = tempfile.mkdtemp(prefix="model-", dir=TMP)
    shutil.copytree(FIXTURE, dst, dirs_exist_ok=True)
    return dst


def run(args, cwd, env_extra=None, home=None):
    env = {k: v for k, v in os.environ.items()}
    env["HOME"] = home or make_home()
    env.update(env_extra or {})
    return subprocess.run([MODELGATE, "run", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def sandboxed(script, home=None, env_extra=None, extra=()):
    model = copy_model()
    report = os.path.join(TMP, "report-%d.json" % len(os.listdir(TMP)))
    proc = run(["--report", report, *extra, "--", PY, script], model, env_extra, home)
    data = json.load(open(report)) if os.path.exists(report) else {}
    return proc, data, model


def result_line(proc):
    lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT")]
    return lines[-1] if lines else ""


def events(data, kind):
    return [e for e in data.get("events", []) if e.get("event") == kind]


def probe():
    """SKIP (77) when bubblewrap cannot create the namespaces here."""
    proc = run(["--", "/bin/true"], TMP)
    if proc.returncode == 125:
        print("SKIP: this machine refuses the sandbox's namespaces:\n" + proc.stderr)
        sys.exit(77)
    if proc.returncode != 0:
        print("FAIL: modelgate run -- /bin/true exited %d\n%s" % (proc.returncode, proc.stderr))
        sys.exit(1)


def group_contain():
    proc, data, _ = sandboxed("load_socket.py")
    check(result_line(proc).startswith("RESULT refused"), "socket: " + proc.stdout + proc.stderr)
    check(any("192.0.2.10" in e.get("address", "") for e in events(data, "connect")), "socket: no connect event %s" % data.get("events"))

    proc, data, _ = sandboxed("load_resolve.py")
    check(result_line(proc).startswith("RESULT refused"), "resolve: " + proc.stdout + proc.stderr)
    check(any(e.get("host") == "exfil.modelgate-canary.invalid" for e in events(data, "resolve")), "resolve: no event %s" % data.get("events"))

    home = make_home()
    proc, data, _ = sandboxed("load_ssh.py", home=home)
    check("CANARY" not in proc.stdout and result_line(proc) == "RESULT refused FileNotFoundError", "ssh key readable: " + proc.stdout + proc.stderr)
    check(any(e["path"].endswith("/.ssh/id_rsa") for e in events(data, "secret_read")), "ssh: no secret_read event %s" % data.get("events"))

    home = make_home()
    proc, data, _ = sandboxed("load_bashrc.py", home=home)
    check(result_line(proc) == "RESULT appended", "bashrc: " + proc.stdout + proc.stderr)
    check(open(os.path.join(home, ".bashrc")).read() == "# canary bashrc\n", "bashrc: the host's ~/.bashrc changed")
    check(any(e["path"].endswith("/.bashrc") for e in events(data, "write")), "bashrc: no write event %s" % data.get("events"))

    proc, data, _ = sandboxed("load_shell.py")
    check(result_line(proc) == "RESULT shell-ran", "shell: " + proc.stdout + proc.stderr)
    check(any("/bin/sh" in json.dumps(e) for e in events(data, "process")), "shell: no process event %s" % data.get("events"))

    proc, data, _ = sandboxed("load_native.py")
    pid_line = result_line(proc)
    check(pid_line.startswith("RESULT pid ") and int(pid_line.split()[-1]) < 10, "native: not in a PID namespace: " + proc.stdout + proc.stderr)
    check(any(e.get("library") == "libc.so.6" for e in events(data, "native_load")), "native: no native_load event %s" % data.get("events"))

    proc, data, _ = sandboxed("load_unshare.py")
    check(result_line(proc) == "RESULT -1 Operation not permitted", "unshare not refused with EPERM: " + proc.stdout + proc.stderr)
    sym = [e for e in events(data, "native_symbol") if e.get("symbol") == "unshare"]
    check(sym and "seccomp" in sym[0].get("contained_by", ""), "unshare: no native_symbol event marked seccomp %s" % data.get("events"))
    check("unshare" in data.get("sandbox", {}).get("seccomp_refused", []), "report does not list the refused syscalls")

    proc, data, _ = sandboxed("load_env.py", env_extra={"HF_TOKEN": "hf_canary", "AWS_SECRET_ACCESS_KEY": "canary", "MY_API_KEY": "x",
                                                         "GITHUB_TOKEN": "canary", "MODELGATE_KEEP_ME": "ok"})
    check(result_line(proc) == "RESULT none", "env: secrets reached the sandbox: " + proc.stdout)
    removed = data.get("sandbox", {}).get("env_removed", [])
    check(all(n in removed for n in ("HF_TOKEN", "AWS_SECRET_ACCESS_KEY", "MY_API_KEY", "GITHUB_TOKEN")), "env_removed: %s" % removed)
    check("MODELGATE_KEEP_ME" not in removed and "hf_canary" not in json.dumps(data), "env: kept name removed, or a value in the report")

    proc, data, model = sandboxed("load_write_model.py")
    check(result_line(proc) == "RESULT refused 30", "model folder writable: " + proc.stdout + proc.stderr)  # EROFS
    check("tampered" not in open(os.path.join(model, "weights.txt")).read(), "model folder changed")

    proc, data, _ = sandboxed("load_dynamic.py")
    check(result_line(proc) == "RESULT 42", "dynamic: " + proc.stdout + proc.stderr)
    check(any(e.get("filename") == "<payload>" for e in events(data, "dynamic_code")), "dynamic: no event %s" % data.get("events"))
    proc, data, _ = sandboxed("load_dropper.py")
    check(result_line(proc) == "RESULT second stage ran", "dropper: " + proc.stdout + proc.stderr)
    check(any(e.get("filename") == "/tmp/modelgate_canary_stage2.py" for e in events(data, "foreign_import")), "dropper: no foreign_import %s" % data.get("events"))
    check(not os.path.exists("/tmp/modelgate_canary_stage2.py"), "dropper: the second stage reached the host's /tmp")

    check(data.get("audit_hook") == "active" and data.get("exit_code") == 0, "report header: %s" % {k: data.get(k) for k in ("audit_hook", "exit_code")})
    check("foreign_import  /tmp/modelgate_canary_stage2.py" in proc.stderr, "no text summary on stderr: " + proc.stderr)


def group_benign():
    model = copy_model()
    code = "print(open('weights.txt').read(), end='')"
    outside = subprocess.run([PY, "-c", code], cwd=model, capture_output=True, text=True)
    proc = run(["-q", "--", PY, "-c", code], model)
    check(proc.returncode == 0 and proc.stdout == outside.stdout and proc.stdout.startswith("modelgate sandbox fixture"),
          "benign output differs: %r vs %r (%s)" % (proc.stdout, outside.stdout, proc.stderr))
    report = os.path.join(TMP, "benign.json")
    proc = run(["--report", report, "--", PY, "-c", "import json, collections, dataclasses; print(json.load(open('config.json'))['model_type'])"], model)
    data = json.load(open(report))
    check(proc.stdout == "canary-tiny\n" and data["events"] == [], "benign load recorded events: %s %s" % (proc.stdout, data["events"]))
    # The command's own exit code comes back.
    proc = run(["--", PY, "-c", "import sys; sys.exit(7)"], model)
    check(proc.returncode == 7, "exit code not passed through: %d" % proc.returncode)
    # A subfolder as working directory is kept.
    os.makedirs(os.path.join(model, "sub"))
    proc = run(["--model", model, "--", "/bin/pwd"], os.path.join(model, "sub"))
    check(proc.stdout.strip() == os.path.realpath(os.path.join(model, "sub")), "cwd: " + proc.stdout + proc.stderr)
    # A non-Python command runs too; the report says the hook was not active.
    proc = run(["--report", report, "--", "/bin/cat", "weights.txt"], model)
    check(proc.returncode == 0 and "benign weights" in proc.stdout and "not active" in json.load(open(report))["audit_hook"], "cat: " + proc.stderr)


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def group_policy():
    model = copy_model()
    bad = {
        "notjson.json": ("{", "not valid JSON"),
        "array.json": ("[]", "JSON object"),
        "noversion.json": ('{"allow_network": true}', "version"),
        "unknown.json": ('{"version": 1, "allow_hosts": ["a"]}', "unknown key"),
        "relative.json": ('{"version": 1, "write_paths": ["out"]}', "plain absolute path"),
        "dotdot.json": ('{"version": 1, "read_only_paths": ["/usr/../etc"]}', "plain absolute path"),
        "root.json": ('{"version": 1, "read_only_paths": ["/"]}', "plain absolute path"),
        "type.json": ('{"version": 1, "allow_network": "yes"}', "true or false"),
        "missing.json": ('{"version": 1, "write_paths": ["/nonexistent-modelgate-dir"]}', "not an existing folder"),
    }
    for name, (text, reason) in bad.items():
        path = write(name, text)
        proc = run(["--policy", path, "--", "/bin/true"], model)
        check(proc.returncode == 2 and path in proc.stderr and reason in proc.stderr, "%s: exit %d: %s" % (name, proc.returncode, proc.stderr))
    # write_paths: a folder bound read-write; the write is not reported as unexpected.
    out = tempfile.mkdtemp(prefix="out-", dir=TMP)
    extra = tempfile.mkdtemp(prefix="ro-", dir=TMP)
    write(os.path.join(extra, "vocab.txt"), "extra-vocab\n")
    pol = write("good.json", json.dumps({"version": 1, "write_paths": [out], "read_only_paths": [extra]}))
    report = os.path.join(TMP, "policy-report.json")
    code = "open(%r, 'w').write('ok'); print(open(%r).read(), end='')" % (os.path.join(out, "f.txt"), os.path.join(extra, "vocab.txt"))
    proc = run(["--policy", pol, "--report", report, "--", PY, "-c", code], model)
    data = json.load(open(report))
    check(proc.returncode == 0 and proc.stdout == "extra-vocab\n" and open(os.path.join(out, "f.txt")).read() == "ok", "policy binds: " + proc.stderr)
    check(not events(data, "write") and data["sandbox"]["write_paths"] == [out], "policy write reported: %s" % data["events"])
    code = "open(%r, 'w')" % os.path.join(extra, "x")
    proc = run(["--policy", pol, "--", PY, "-c", code], model)
    check(proc.returncode == 1 and "Read-only file system" in proc.stderr, "read_only_paths writable: " + proc.stderr)
    # Network: none by default (only loopback), the host's with --allow-network.
    code = "import socket; print(sorted(n for _, n in socket.if_nameindex()))"
    proc = run(["-q", "--", PY, "-c", code], model)
    check(proc.stdout.strip() == "['lo']", "default network: " + proc.stdout + proc.stderr)
    host = subprocess.run([PY, "-c", code], capture_output=True, text=True).stdout
    proc = run(["-q", "--allow-network", "--", PY, "-c", code], model)
    check(proc.stdout == host, "--allow-network: %r vs host %r" % (proc.stdout, host))


def group_lock():
    model = copy_model()
    lock = os.path.join(TMP, "model.lock.json")
    proc = subprocess.run([MODELGATE, "lock", model, "-o", lock], capture_output=True, text=True)
    check(proc.returncode == 0, "lock: " + proc.stderr)
    report = os.path.join(TMP, "lock-report.json")
    proc = run(["--lock", lock, "--report", report, "--", PY, "-c", "print('ran')"], model)
    data = json.load(open(report)) if os.path.exists(report) else {}
    check(proc.returncode == 0 and proc.stdout == "ran\n", "verified run: %d %s" % (proc.returncode, proc.stderr))
    check(data.get("static", {}).get("verified") is True and data["static"].get("verdict"), "no static verdict: %s" % data.get("static"))
    # Remote code appears after the lock: a new trigger (config.json auto_map) and its module.
    write(os.path.join(model, "modeling_canary.py"), "import os\nos.system('echo canary')\n")
    write(os.path.join(model, "config.json"), json.dumps({"model_type": "canary-tiny", "auto_map": {"AutoModel": "modeling_canary.CanaryModel"}}))
    proc = run(["--lock", lock, "--", PY, "-c", "print('ran')"], model)
    check(proc.returncode == 126 and "ran" not in proc.stdout and "drift" in proc.stderr, "drifted run: %d %s %s" % (proc.returncode, proc.stdout, proc.stderr))
    proc = run(["--lock", write("badlock.json", "{}"), "--", "/bin/true"], model)
    check(proc.returncode == 2, "malformed lock: %d %s" % (proc.returncode, proc.stderr))


def group_errors():
    model = copy_model()
    env = {"PATH": "/nonexistent"}
    proc = run(["--", "/bin/true"], model, env_extra=env)
    check(proc.returncode == 2 and "bwrap" in proc.stderr and "not found" in proc.stderr, "no bwrap: %d %s" % (proc.returncode, proc.stderr))
    # A bubblewrap that cannot create namespaces (as where unprivileged user namespaces are off).
    fake = tempfile.mkdtemp(prefix="fakebin-", dir=TMP)
    with open(os.path.join(fake, "bwrap"), "w") as f:
        f.write("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
    os.chmod(os.path.join(fake, "bwrap"), 0o755)
    proc = run(["--", "/bin/true"], model, env_extra={"PATH": fake + ":/usr/bin:/bin"})
    check(proc.returncode == 125 and "could not set up the sandbox" in proc.stderr and "No permissions" in proc.stderr,
          "namespaces refused: %d %s" % (proc.returncode, proc.stderr))
    home = make_home()
    proc = run(["--", "/bin/true"], home, home=home)
    check(proc.returncode == 2 and "refusing to expose" in proc.stderr, "home as model folder: %d %s" % (proc.returncode, proc.stderr))
    proc = run(["--model", os.path.join(TMP, "nope"), "--", "/bin/true"], model)
    check(proc.returncode == 2 and "not a folder" in proc.stderr, "missing model folder: %d %s" % (proc.returncode, proc.stderr))
    proc = run([], model)
    check(proc.returncode == 2, "no command: %d" % proc.returncode)
    proc = run(["--", "/nonexistent/loader"], model)
    check(proc.returncode not in (0, 125) and "nonexistent" in proc.stderr, "missing command: %d %s" % (proc.returncode, proc.stderr))


def group_limits():
    model = copy_model()
    for name, (text, reason) in {
        "limit-unknown.json": ('{"version": 1, "limits": {"memory": 1}}', "unknown limit"),
        "limit-zero.json": ('{"version": 1, "limits": {"cpu_seconds": 0}}', "positive integer"),
        "limit-negative.json": ('{"version": 1, "limits": {"processes": -3}}', "positive integer"),
        "limit-string.json": ('{"version": 1, "limits": {"file_size_mb": "1"}}', "positive integer"),
        "limit-type.json": ('{"version": 1, "limits": [1]}', "must be an object"),
    }.items():
        path = write(name, text)
        proc = run(["--policy", path, "--", "/bin/true"], model)
        check(proc.returncode == 2 and reason in proc.stderr, "%s: exit %d: %s" % (name, proc.returncode, proc.stderr))
    # CPU seconds: a busy loop is stopped (SIGXCPU at the limit) and the run says why.
    pol = write("cpu.json", json.dumps({"version": 1, "limits": {"cpu_seconds": 1}}))
    report = os.path.join(TMP, "cpu-report.json")
    started = time.monotonic()
    proc = run(["-q", "--policy", pol, "--report", report, "--", PY, "-c", "while True: pass"], model)
    data = json.load(open(report))
    check(proc.returncode in (128 + signal.SIGXCPU, 128 + signal.SIGKILL) and "cpu_seconds" in proc.stderr
          and data.get("limit_exceeded") == "cpu_seconds" and data["sandbox"]["limits"]["cpu_seconds"] == 1
          and time.monotonic() - started < 30, "cpu limit: %d %s %s" % (proc.returncode, proc.stderr, data.get("limit_exceeded")))
    # File size: a write past it is killed by SIGXFSZ; the file stops at the limit.
    out = tempfile.mkdtemp(prefix="out-", dir=TMP)
    pol = write("fsize.json", json.dumps({"version": 1, "write_paths": [out], "limits": {"file_size_mb": 1}}))
    target = os.path.join(out, "big.bin")
    proc = run(["-q", "--policy", pol, "--", "/bin/sh", "-c", "head -c 3000000 /dev/zero > %s" % target], model)
    check(proc.returncode == 128 + signal.SIGXFSZ and "file_size_mb" in proc.stderr and os.path.getsize(target) == 1 << 20,
          "file size limit: %d %s %s" % (proc.returncode, proc.stderr, os.path.exists(target) and os.path.getsize(target)))
    # Address space: a large allocation fails inside (MemoryError); a small one still works.
    pol = write("as.json", json.dumps({"version": 1, "limits": {"address_space_mb": 512}}))
    proc = run(["-q", "--policy", pol, "--", PY, "-c", "bytearray(2 << 30)"], model)
    check(proc.returncode == 1 and "MemoryError" in proc.stderr, "address space limit: %d %s" % (proc.returncode, proc.stderr))
    proc = run(["-q", "--policy", pol, "--", PY, "-c", "print(len(bytearray(64 << 20)))"], model)
    check(proc.returncode == 0 and proc.stdout.strip() == str(64 << 20), "under the address space limit: %d %s" % (proc.returncode, proc.stderr))
    # Processes: forks beyond the limit fail with EAGAIN.
    code = ("import os\nn = 0\nfor _ in range(64):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
            "    if pid == 0:\n        import time; time.sleep(3); os._exit(0)\n    n += 1\nprint('FORKED', n)")
    # RLIMIT_NPROC counts the processes of the real user, and the kernel exempts root: as root, the
    # check runs modelgate as nobody (setpriv), from a folder nobody can read.
    pol = write("nproc.json", json.dumps({"version": 1, "limits": {"processes": 8}}))
    if os.geteuid() == 0:
        shared = tempfile.mkdtemp(prefix="mg-nproc-")
        try:
            os.chmod(shared, 0o755)
            os.makedirs(os.path.join(shared, "model"), mode=0o755)
            shutil.copy(pol, os.path.join(shared, "nproc.json"))
            os.chmod(os.path.join(shared, "nproc.json"), 0o644)
            os.chmod(os.path.join(shared, "model"), 0o755)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": shared}
            proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", MODELGATE, "run", "-q", "--policy",
                                   os.path.join(shared, "nproc.json"), "--", PY, "-c", code], cwd=os.path.join(shared, "model"),
                                  capture_output=True, text=True, env=env, timeout=120)
        finally:
            shutil.rmtree(shared, ignore_errors=True)
    else:
        proc = run(["-q", "--policy", pol, "--", PY, "-c", code], model)
    forked = int(proc.stdout.split()[-1]) if proc.stdout.startswith("FORKED") else -1
    check(proc.returncode == 0 and 0 <= forked < 8, "process limit: %d forked %d %s" % (proc.returncode, forked, proc.stderr))


probe()
{"Limits": group_limits, "Contain": group_contain, "Benign": group_benign, "Policy": group_policy, "Lock": group_lock, "Errors": group_errors}[GROUP]()
shutil.rmtree(TMP, ignore_errors=True)
if failures:
    print("FAIL:\n" + "\n".join(failures))
    sys.exit(1)
print("PASS " + GROUP)
