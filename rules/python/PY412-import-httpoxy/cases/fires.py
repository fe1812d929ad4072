from wsgiref.handlers import CGIHandler  # expect: PY412
import importlib
importlib.import_module("wsgiref.handlers.CGIHandler")  # expect: PY412
