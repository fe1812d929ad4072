import importlib

mod = importlib.import_module("pick" + "le")
mod.loads(blob)  # expect: PY301
m2 = __import__("pickle")
m2.load(f)  # expect: PY301
