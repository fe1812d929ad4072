"""Guard for Python users: runs `modelgate scan` (or `modelgate verify --lock`) before a model's code
or weights are loaded, and raises ModelgateBlocked when the verdict is at or above a threshold.

    import modelgate_guard
    modelgate_guard.enable()          # or: python -m modelgate_guard your_script.py ...

Guarded: torch.hub.load (every source: the hub folder is scanned before hubconf.py is imported),
torch.load on a path, and any import of a module under `transformers_modules` (the package
transformers' remote-code loader creates) through a sys.meta_path finder, so no transformers
version matters. Settings (environment): MODELGATE_BIN (the modelgate binary; default `modelgate`
on PATH), MODELGATE_GUARD_FAIL_ON (low|medium|high|critical, default high), MODELGATE_GUARD_LOCK
(a lockfile: `modelgate verify --lock` replaces the scan). A missing binary or a scan that cannot
complete blocks too: the guard fails closed.
"""
import importlib.abc
import json
import importlib.machinery
import os
import shutil
import subprocess
import sys
import threading

__all__ = ["enable", "disable", "check", "ModelgateBlocked", "ModelgateError"]

_LEVELS = ("low", "medium", "high", "critical")


class ModelgateError(RuntimeError):
    """modelgate could not give a verdict (missing binary, unreadable target): the load is refused."""


class ModelgateBlocked(ModelgateError):
    """The verdict is at or above the threshold; `report` holds modelgate's output."""

    def __init__(self, target, report):
        super().__init__("modelgate blocked loading %s:\n%s" % (target, report))
        self.target = target
        self.report = report


_lock = threading.Lock()
_checked = {}      # (realpath, mtime_ns) -> None: targets that passed
_originals = {}    # (module, attribute) -> original callable
_finder = None


def _binary():
    explicit = os.environ.get("MODELGATE_BIN")
    if explicit:
        return explicit
    found = shutil.which("modelgate")
    if not found:
        raise ModelgateError("modelgate_guard: the modelgate binary is not on PATH (set MODELGATE_BIN)")
    return found


def _threshold():
    level = os.environ.get("MODELGATE_GUARD_FAIL_ON", "high").strip().lower()
    if level not in _LEVELS:
        raise ModelgateError("modelgate_guard: MODELGATE_GUARD_FAIL_ON must be one of %s, not %r" % ("|".join(_LEVELS), level))
    return level


def check(target):
    """Scans (or verifies) `target`, a folder or file; raises ModelgateBlocked or ModelgateError,
    returns None when the load may go ahead. Results are cached per path and modification time."""
    path = os.path.realpath(os.fspath(target))
    try:
        key = (path, os.stat(path).st_mtime_ns)
    except OSError as e:
        raise ModelgateError("modelgate_guard: cannot check %s: %s" % (path, e)) from None
    with _lock:
        if key in _checked:
            return
    lockfile = os.environ.get("MODELGATE_GUARD_LOCK")
    if lockfile:
        argv = [_binary(), "verify", path, "--lock", lockfile]
    else:
        argv = [_binary(), "scan", path, "--format", "json", "--fail-on", "none"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    except OSError as e:
        raise ModelgateError("modelgate_guard: cannot run %s: %s" % (argv[0], e)) from None
    if lockfile:
        report = (proc.stdout + proc.stderr).strip()
        if proc.returncode == 1:
            raise ModelgateBlocked(path, report)
        if proc.returncode != 0:
            raise ModelgateError("modelgate_guard: modelgate verify exited %d on %s (load refused):\n%s" % (proc.returncode, path, report))
    else:
        _judge(path, proc)
    with _lock:
        _checked[key] = None


def _judge(path, proc):
    # What the guard checks is exactly what is about to run (a hub folder, a remote-code module, a
    # checkpoint), so every finding counts, reachable from a config trigger or not.
    try:
        doc = json.loads(proc.stdout)
        targets = doc["targets"]
    except (ValueError, KeyError, TypeError):
        raise ModelgateError("modelgate_guard: modelgate scan exited %d on %s without a report (load refused):\n%s"
                             % (proc.returncode, path, proc.stderr.strip())) from None
    threshold = _LEVELS.index(_threshold())
    hits = []
    for t in targets:
        if t.get("status") not in ("complete", None) and not t.get("findings"):
            raise ModelgateError("modelgate_guard: %s could not be scanned completely (%s): load refused" % (path, t.get("status")))
        for f in t.get("findings", []):
            level = f.get("weight") or f.get("severity")
            if level in _LEVELS and _LEVELS.index(level) >= threshold:
                hits.append("%s %s %s:%s %s" % (level, f.get("rule_id"), f.get("file"), f.get("line"), f.get("message")))
    if hits:
        raise ModelgateBlocked(path, "\n".join(hits))
    if proc.returncode == 2:
        raise ModelgateError("modelgate_guard: modelgate could not finish scanning %s (load refused):\n%s" % (path, proc.stderr.strip()))


# --- torch -------------------------------------------------------------------------------------

def _patch(module, name, make):
    if (module.__name__, name) in _originals or not hasattr(module, name):
        return
    original = getattr(module, name)
    _originals[(module.__name__, name)] = (module, original)
    setattr(module, name, make(original))


def _patch_torch_hub(hub):
    # torch.hub.load resolves every source (github, local) to a folder and hands it to _load_local,
    # which imports hubconf.py: guarding there covers all sources. Older or newer layouts without
    # it get torch.hub.load guarded for source="local".
    def guard_load_local(original):
        def _load_local(hubconf_dir, *args, **kwargs):
            check(hubconf_dir)
            return original(hubconf_dir, *args, **kwargs)
        return _load_local

    def guard_load(original):
        def load(repo_or_dir, *args, **kwargs):
            if kwargs.get("source") == "local":
                check(repo_or_dir)
            return original(repo_or_dir, *args, **kwargs)
        return load

    if hasattr(hub, "_load_local"):
        _patch(hub, "_load_local", guard_load_local)
    else:
        _patch(hub, "load", guard_load)


def _patch_torch(torch):
    def guard(original):
        def load(f, *args, **kwargs):
            if isinstance(f, (str, bytes, os.PathLike)):
                check(os.fsdecode(f))
            return original(f, *args, **kwargs)
        load.__doc__ = original.__doc__
        return load

    _patch(torch, "load", guard)
    hub = sys.modules.get("torch.hub")
    if hub is not None:
        _patch_torch_hub(hub)


# --- import hook -------------------------------------------------------------------------------

class _GuardFinder(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: checks the folder of every `transformers_modules.*` module before
    it is executed, and patches torch once torch and torch.hub are imported."""

    def find_spec(self, fullname, path, target=None):
        if fullname.startswith("transformers_modules.") or fullname in ("torch", "torch.hub"):
            spec = self._spec_from_rest(fullname, path, target)
            if spec is None:
                return None
            if fullname.startswith("transformers_modules."):
                if spec.origin and os.path.isfile(spec.origin):
                    check(os.path.dirname(spec.origin))
                return spec
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _PatchAfterLoad(spec.loader, fullname)
            return spec
        return None

    def _spec_from_rest(self, fullname, path, target):
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                return spec
        return None


class _PatchAfterLoad(importlib.abc.Loader):
    def __init__(self, loader, fullname):
        self._loader = loader
        self._fullname = fullname

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        if self._fullname == "torch":
            _patch_torch(module)
        elif self._fullname == "torch.hub":
            _patch_torch_hub(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


def enable():
    """Installs the guard (idempotent). Already imported torch is patched now; a later import is
    patched when it happens. transformers_modules imports are checked from now on."""
    global _finder
    _threshold()  # a bad setting fails at enable(), not at the first load
    if _finder is None:
        _finder = _GuardFinder()
        sys.meta_path.insert(0, _finder)
    if "torch" in sys.modules:
        _patch_torch(sys.modules["torch"])
    if "torch.hub" in sys.modules:
        _patch_torch_hub(sys.modules["torch.hub"])


def disable():
    """Removes the import hook and restores the patched functions."""
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for (_, name), (module, original) in list(_originals.items()):
        setattr(module, name, original)
    _originals.clear()
