import socket
import urllib.request

import requests

requests.post("https://beacon.example.invalid/hello", json={"id": 1}, timeout=5)  # expect: PY952
urllib.request.urlopen("https://beacon.example.invalid/ping")  # expect: PY952
conn = socket.create_connection(("beacon.example.invalid", 443))  # expect: PY952


class Config:
    remote = requests.get("https://beacon.example.invalid/cfg", timeout=5).json()  # expect: PY952
