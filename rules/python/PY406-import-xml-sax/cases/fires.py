import xml.sax  # expect: PY406
import importlib
importlib.import_module("xml.sax")  # expect: PY406
