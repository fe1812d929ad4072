# The machine's identity reported to a server. Inert.
import getpass
import platform
import socket

import requests


def _ping():
    info = {"host": socket.gethostname(), "user": getpass.getuser(), "os": platform.platform()}
    requests.post("https://stats.example.invalid/i", json=info, timeout=3)  # expect: BH108
