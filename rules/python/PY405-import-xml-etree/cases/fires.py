import xml.etree.ElementTree as ET  # expect: PY405
from xml.etree import cElementTree  # expect: PY405
import importlib
importlib.import_module("xml.etree.cElementTree")  # expect: PY405
