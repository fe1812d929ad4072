#include "sandbox/audit_hook.hpp"

namespace mg::sandbox {

// Environment the runner sets: MODELGATE_AUDIT_FD (write end), MODELGATE_AUDIT_ROOTS (os.pathsep
// separated folders code may be imported from), MODELGATE_AUDIT_WRITABLE (folders writes are
// expected in). Events: process, connect, resolve, write, secret_read, native_load, native_symbol,
// dynamic_code, foreign_import (docs/sandbox.md "What is recorded").
std::string_view audit_hook_source() {
  static constexpr std::string_view kSource = R"PY(# Written by modelgate run; removed when the run ends.
import os as _os
import sys as _sys


def _modelgate_install():
    fd_text = _os.environ.get("MODELGATE_AUDIT_FD", "")
    if not fd_text.isdigit():
        return
    fd = int(fd_text)
    roots = tuple(p for p in _os.environ.get("MODELGATE_AUDIT_ROOTS", "").split(_os.pathsep) if p)
    writable = tuple(p for p in _os.environ.get("MODELGATE_AUDIT_WRITABLE", "").split(_os.pathsep) if p)
    home = _os.environ.get("HOME", "/nonexistent")
    secrets = tuple(_os.path.join(home, s) for s in (
        ".ssh", ".aws", ".netrc", ".git-credentials", ".config/gcloud", ".azure", ".docker/config.json",
        ".cache/huggingface/token", ".huggingface/token", ".kube", ".gnupg", ".pypirc"))
    write_flags = _os.O_WRONLY | _os.O_RDWR | _os.O_CREAT | _os.O_APPEND | _os.O_TRUNC
    import sysconfig as _sysconfig
    stdlib = tuple({_sysconfig.get_path("stdlib"), _sysconfig.get_path("platstdlib")} - {None})
    busy = [False]
    seen = set()

    def esc(value):
        s = value if isinstance(value, str) else repr(value)
        if len(s) > 600:
            s = s[:600] + "..."
        out = []
        for ch in s:
            o = ord(ch)
            if ch == '"' or ch == "\\":
                out.append("\\" + ch)
            elif o < 0x20 or 0xD800 <= o <= 0xDFFF:
                out.append("\\u%04x" % o)
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    def emit(kind, **fields):
        line = '{"event":' + esc(kind) + "".join("," + esc(k) + ":" + esc(v) for k, v in fields.items()) + "}\n"
        try:
            _os.write(fd, line.encode("utf-8", "backslashreplace"))
        except OSError:
            pass

    def under(path, folders):
        try:
            path = _os.path.realpath(path)
        except (OSError, ValueError, TypeError):
            return False
        return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)

    def once(key):
        if key in seen:
            return False
        seen.add(key)
        return True

    def hook(event, args):
        if busy[0]:
            return
        busy[0] = True
        try:
            if event == "subprocess.Popen":
                emit("process", via=event, executable=args[0], argv=args[1])
            elif event == "os.system":
                emit("process", via=event, argv=args[0])
            elif event in ("os.exec", "os.posix_spawn", "os.spawn"):
                emit("process", via=event, executable=args[0] if event != "os.spawn" else args[1], argv=args[1] if event != "os.spawn" else args[2])
            elif event == "socket.connect":
                emit("connect", address=args[1])
            elif event == "socket.getaddrinfo":
                emit("resolve", host=args[0], port=args[1])
            elif event == "socket.sendto":
                emit("connect", address=args[1], via=event)
            elif event == "open":
                path, mode, flags = args[0], args[1], args[2]
                if isinstance(path, int) or path is None:
                    return
                path = _os.fsdecode(path)
                writing = (mode is not None and any(c in str(mode) for c in "wax+")) or (
                    mode is None and isinstance(flags, int) and flags & write_flags)
                if writing and not under(path, writable):
                    emit("write", path=path, mode=mode if mode is not None else flags)
                elif under(path, secrets):
                    emit("secret_read", path=path)
            elif event == "ctypes.dlopen":
                if args[0] is not None:  # ctypes itself opens the running process (pythonapi)
                    emit("native_load", library=args[0])
            elif event == "ctypes.dlsym":
                name = args[1]
                if isinstance(name, str) and once(("dlsym", name)):
                    emit("native_symbol", library=getattr(args[0], "_name", args[0]), symbol=name)
            elif event in ("compile", "exec"):
                if event == "compile":
                    filename = args[1]
                    if isinstance(filename, bytes):
                        filename = _os.fsdecode(filename)
                    if isinstance(filename, str) and not filename.startswith("<"):
                        return  # an import compiling a source file
                else:
                    filename = getattr(args[0], "co_filename", "")
                    if filename and not filename.startswith("<"):
                        if not under(filename, roots) and once(("exec", filename)):
                            emit("foreign_import", filename=filename, module=getattr(args[0], "co_name", ""))
                        return
                # Code built from a string. The standard library does this itself (namedtuple,
                # dataclasses): attribute it to the calling frame and keep only callers outside it.
                caller = _sys._getframe(1)
                caller_file = caller.f_code.co_filename
                if caller_file.startswith("<frozen ") or under(caller_file, stdlib):
                    return
                if once(("dyn", filename, caller_file, caller.f_lineno)):
                    fields = {"via": event, "filename": filename, "caller": "%s:%d" % (caller_file, caller.f_lineno)}
                    if event == "compile":
                        fields["source"] = args[0]
                    emit("dynamic_code", **fields)
            elif event == "import":
                filename = args[1]
                if filename and not under(_os.fsdecode(filename), roots) and once(("import", filename)):
                    emit("foreign_import", filename=filename, module=args[0])
        except Exception:  # a hook error would become the loaded code's exception
            pass
        finally:
            busy[0] = False

    _sys.addaudithook(hook)
    emit("hook_installed", python=_sys.version.split()[0], pid=_os.getpid())


_modelgate_install()
del _modelgate_install
)PY";
  return kSource;
}

}  // namespace mg::sandbox
