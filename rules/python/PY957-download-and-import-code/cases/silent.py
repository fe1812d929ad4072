import urllib.request

import requests

urllib.request.urlretrieve("https://huggingface.co/org/m/resolve/main/model.bin", "model.bin")
with open("vocab.txt", "w") as f:
    f.write(requests.get("https://huggingface.co/org/m/resolve/main/vocab.txt", timeout=5).text)
