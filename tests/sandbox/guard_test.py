"""python/modelgate_guard against real torch.hub.load (source="local") and a real import through
the transformers_modules hook (ctest -L sandbox). usage: guard_test.py MODELGATE SOURCE_DIR GROUP
GROUP: TorchHub | TorchLoad | RemoteCode | Settings. Each case runs in a fresh /usr/bin/python3
with python/ on PYTHONPATH (nothing is pip-installed)."""
import os
import shutil
import subprocess
import sys
import tempfile

MODELGATE, SOURCE, GROUP = sys.argv[1:4]
FIXTURES = os.path.join(SOURCE, "tests", "sandbox", "fixtures")
TMP = tempfile.mkdtemp(prefix="mg-guard-")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def py(code, env_extra=None, args=()):
    env = dict(os.environ, PYTHONPATH=os.path.join(SOURCE, "python"), MODELGATE_BIN=MODELGATE, HOME=TMP)
    env.pop("MODELGATE_GUARD_FAIL_ON", None)
    env.pop("MODELGATE_GUARD_LOCK", None)
    env.update(env_extra or {})
    return subprocess.run(["/usr/bin/python3", *args, "-c", code] if not args else ["/usr/bin/python3", *args],
                          capture_output=True, text=True, env=env, cwd=TMP, timeout=300)


HUB = """
import sys, modelgate_guard
modelgate_guard.enable()
import torch
try:
    m = torch.hub.load(%r, "tiny", source="local")
    print("LOADED", type(m).__name__)
except modelgate_guard.ModelgateBlocked as e:
    print("BLOCKED", e.report.splitlines()[0])
"""


def group_torchhub():
    evil = os.path.join(FIXTURES, "hub_malicious")
    proc = py(HUB % evil)
    check(proc.stdout.startswith("BLOCKED") and "hubconf.py" in proc.stdout, "malicious hub not blocked: " + proc.stdout + proc.stderr)
    proc = py(HUB % os.path.join(FIXTURES, "hub_benign"))
    check(proc.stdout.strip() == "LOADED Linear", "benign hub not loaded: " + proc.stdout + proc.stderr)
    # torch imported before enable() is patched too; disable() restores it.
    code = ("import torch, torch.hub, modelgate_guard\nmodelgate_guard.enable()\n"
            "try:\n    torch.hub.load(%r, 'tiny', source='local'); print('LOADED')\n"
            "except modelgate_guard.ModelgateBlocked: print('BLOCKED')\n"
            "modelgate_guard.disable()\nprint(torch.hub.load(%r, 'tiny', source='local'))") % (evil, os.path.join(FIXTURES, "hub_benign"))
    proc = py(code)
    check(proc.stdout.startswith("BLOCKED\nLinear"), "pre-imported torch: " + proc.stdout + proc.stderr)
    # python -m modelgate_guard SCRIPT: guarded from the script's first line.
    script = os.path.join(TMP, "load_hub.py")
    with open(script, "w") as f:
        f.write("import torch\ntorch.hub.load(%r, 'tiny', source='local')\nprint('LOADED')\n" % evil)
    proc = py("", args=("-m", "modelgate_guard", script))
    check(proc.returncode != 0 and "ModelgateBlocked" in proc.stderr and "LOADED" not in proc.stdout, "-m modelgate_guard: " + proc.stdout + proc.stderr)
    proc = py("", env_extra={"MODELGATE_GUARD": "0"}, args=("-m", "modelgate_guard", script))
    check("ModelgateBlocked" not in proc.stderr, "MODELGATE_GUARD=0 still guarded: " + proc.stderr)


def group_torchload():
    ckpt = os.path.join(TMP, "evil.pt")
    # An inert pickle whose reduce would call os.system with a canary command; never loaded unguarded.
    with open(ckpt, "wb") as f:
        f.write(b"\x80\x02cposix\nsystem\nq\x00X\x1d\x00\x00\x00echo modelgate-canary-pickledq\x01\x85q\x02Rq\x03.")
    code = ("import modelgate_guard, torch\nmodelgate_guard.enable()\n"
            "try:\n    torch.load(%r); print('LOADED')\nexcept modelgate_guard.ModelgateBlocked as e: print('BLOCKED')\n") % ckpt
    proc = py(code)
    check(proc.stdout.strip() == "BLOCKED" and "modelgate-canary-pickled" not in proc.stdout, "torch.load not blocked: " + proc.stdout + proc.stderr)
    good = os.path.join(TMP, "good.pt")
    subprocess.run(["/usr/bin/python3", "-c", "import torch; torch.save({'w': torch.zeros(2)}, %r)" % good], check=True)
    code = "import modelgate_guard, torch\nmodelgate_guard.enable()\nprint(sorted(torch.load(%r)))" % good
    proc = py(code)
    check(proc.stdout.strip() == "['w']", "benign torch.load: " + proc.stdout + proc.stderr)


def cache_layout():
    root = os.path.join(TMP, "modules")
    for repo, src in (("canary_evil", "modeling_canary.py"), ("canary_plain", "modeling_plain.py")):
        d = os.path.join(root, "transformers_modules", repo)
        os.makedirs(d, exist_ok=True)
        shutil.copy(os.path.join(FIXTURES, "remote_code", src), d)
        open(os.path.join(d, "__init__.py"), "w").close()
    open(os.path.join(root, "transformers_modules", "__init__.py"), "w").close()
    return root


def group_remotecode():
    root = cache_layout()
    code = ("import sys, modelgate_guard\nsys.path.insert(0, %r)\nmodelgate_guard.enable()\n"
            "import transformers_modules.canary_plain.modeling_plain as m\nprint('PLAIN', m.PlainConfig.model_type)\n"
            "try:\n    import transformers_modules.canary_evil.modeling_canary as e\n    print('LOADED', e.MARKER)\n"
            "except modelgate_guard.ModelgateBlocked as e:\n    print('BLOCKED', e.report.splitlines()[0])\n"
            "print('evil module in sys.modules:', 'transformers_modules.canary_evil.modeling_canary' in sys.modules)\n") % root
    proc = py(code)
    out = proc.stdout
    check("PLAIN plain" in out, "benign remote code not imported: " + out + proc.stderr)
    check("BLOCKED" in out and "modeling_canary.py" in out and "malicious module executed" not in out, "remote code not blocked: " + out + proc.stderr)
    check("evil module in sys.modules: False" in out, "blocked module left in sys.modules: " + out)


def group_settings():
    root = cache_layout()
    base = "import sys, modelgate_guard\nsys.path.insert(0, %r)\nmodelgate_guard.enable()\n" % root
    imp = "try:\n    import transformers_modules.canary_plain.modeling_plain\n    print('LOADED')\nexcept modelgate_guard.ModelgateError as e:\n    print(type(e).__name__, e)\n"
    proc = py(base + imp, env_extra={"MODELGATE_BIN": os.path.join(TMP, "no-such-modelgate")})
    check("ModelgateError" in proc.stdout and "cannot run" in proc.stdout, "missing binary does not fail closed: " + proc.stdout + proc.stderr)
    proc = py(base, env_extra={"MODELGATE_GUARD_FAIL_ON": "severe"})
    check(proc.returncode != 0 and "MODELGATE_GUARD_FAIL_ON" in proc.stderr, "bad threshold accepted: " + proc.stderr)
    # A threshold of critical lets high findings through; the evil module has critical ones.
    evil = "try:\n    import transformers_modules.canary_evil.modeling_canary\n    print('LOADED')\nexcept modelgate_guard.ModelgateBlocked:\n    print('BLOCKED')\n"
    proc = py(base + evil, env_extra={"MODELGATE_GUARD_FAIL_ON": "critical"})
    check(proc.stdout.strip() == "BLOCKED", "critical threshold: " + proc.stdout + proc.stderr)
    # With a lock: verify replaces the scan; a lock of the plain folder lets it load, drift blocks.
    plain = os.path.join(root, "transformers_modules", "canary_plain")
    lock = os.path.join(TMP, "plain.lock.json")
    subprocess.run([MODELGATE, "lock", plain, "-o", lock], check=True, capture_output=True)
    proc = py(base + imp, env_extra={"MODELGATE_GUARD_LOCK": lock})
    check(proc.stdout.strip() == "LOADED", "locked plain module: " + proc.stdout + proc.stderr)


{"TorchHub": group_torchhub, "TorchLoad": group_torchload, "RemoteCode": group_remotecode, "Settings": group_settings}[GROUP]()
shutil.rmtree(TMP, ignore_errors=True)
if failures:
    print("FAIL:\n" + "\n".join(failures))
    sys.exit(1)
print("PASS " + GROUP)
