import xml.dom.minidom  # expect: PY408
import importlib
importlib.import_module("xml.dom.minidom")  # expect: PY408
