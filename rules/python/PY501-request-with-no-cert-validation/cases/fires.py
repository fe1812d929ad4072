import requests
import httpx
requests.get("https://canary.invalid/", verify=False, timeout=5)  # expect: PY501
requests.post(  # expect: PY113
    url,
    verify=False)  # expect: PY501
httpx.Client(verify=False)  # expect: PY501
