import requests
import httpx
requests.get("https://canary.invalid/")  # expect: PY113
requests.post("https://canary.invalid/", data=x, timeout=None)  # expect: PY113
httpx.get("https://canary.invalid/")  # expect: PY113
