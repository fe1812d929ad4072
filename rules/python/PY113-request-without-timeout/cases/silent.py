import requests
requests.get("https://canary.invalid/", timeout=10)
requests.post(url, **kwargs)
session.get(url)
