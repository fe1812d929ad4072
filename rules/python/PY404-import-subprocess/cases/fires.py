import subprocess  # expect: PY404
from subprocess import Popen  # expect: PY404
import importlib
importlib.import_module("subprocess")  # expect: PY404
