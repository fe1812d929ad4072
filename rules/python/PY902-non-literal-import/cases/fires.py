import importlib
mod = importlib.import_module(cfg["backend"])  # expect: PY902
m = __import__(name)  # expect: PY902
