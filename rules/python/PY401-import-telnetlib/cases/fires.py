import telnetlib  # expect: PY401
import importlib
importlib.import_module("telnetlib")  # expect: PY401
