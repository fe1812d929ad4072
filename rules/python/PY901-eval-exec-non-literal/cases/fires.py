import base64, zlib
BLOB = "eJzLSM3JyVcozy/KSQEAGgQEXQ=="
exec(zlib.decompress(base64.b64decode(BLOB)))  # expect: PY901, PY102
v = eval(cfg["expr"])  # expect: PY901, PY307
code = compile(source_text, "<cfg>", "exec")  # expect: PY901
exec(bytes.fromhex(h).decode())  # expect: PY901, PY102
