import importlib
import pickle

mod = importlib.import_module("pick" + "le")
mod.loads(blob)  # expect: PY301
m2 = __import__("pickle")
m2.load(f)  # expect: PY301
getattr(pickle, "lo" + "ads")(blob)  # expect: PY301
importlib.import_module("pickle").loads(blob)  # expect: PY301
