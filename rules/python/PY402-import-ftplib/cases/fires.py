from ftplib import FTP  # expect: PY402
import importlib
importlib.import_module("ftplib")  # expect: PY402
