import xml.dom.pulldom  # expect: PY409
import importlib
importlib.import_module("xml.dom.pulldom")  # expect: PY409
