# The token goes to the Hub, where it belongs; other environment reads are configuration.
import os

import requests
from huggingface_hub import hf_hub_download


def download(repo):
    return hf_hub_download(repo, "model.safetensors", revision="3f2a1b0", token=os.environ.get("HF_TOKEN"))


def whoami():
    headers = {"Authorization": f"Bearer {os.environ['HF_TOKEN']}"}
    return requests.get("https://huggingface.co/api/whoami-v2", headers=headers, timeout=10).json()


def fetch(url):
    cache = os.environ.get("HF_HOME", "~/.cache/huggingface")
    device = os.getenv("CUDA_VISIBLE_DEVICES", "0")
    return requests.get(url, params={"device": device}, timeout=10), cache


def pinned_file(repo, rev):
    token = os.environ.get("HF_TOKEN")
    url = f"https://huggingface.co/{repo}/resolve/{rev}/extra.pt"
    return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
