import requests
requests.get("https://canary.invalid/", verify=True, timeout=5)
requests.get("https://canary.invalid/", verify="/etc/ssl/ca.pem", timeout=5)
