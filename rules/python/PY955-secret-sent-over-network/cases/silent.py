import os

import requests
from huggingface_hub import login

login(token=os.environ["HF_TOKEN"])
headers = {"Authorization": "Bearer " + os.environ["HF_TOKEN"]}
requests.get("https://huggingface.co/api/whoami-v2", headers=headers, timeout=10)


def fetch(url):
    cache = os.environ.get("HF_HOME", "~/.cache/huggingface")
    return requests.get(url, timeout=10), cache


def pinned_file(repo, rev):
    # The token goes to the Hub, through a URL built in a variable.
    token = os.environ.get("HF_TOKEN")
    url = f"https://huggingface.co/{repo}/resolve/{rev}/extra.pt"
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
