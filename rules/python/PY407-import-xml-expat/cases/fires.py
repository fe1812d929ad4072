from xml.dom import expatbuilder  # expect: PY407
import importlib
importlib.import_module("xml.dom.expatbuilder")  # expect: PY407
