import pyghmi  # expect: PY415
import importlib
importlib.import_module("pyghmi")  # expect: PY415
