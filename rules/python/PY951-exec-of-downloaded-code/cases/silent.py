import requests

weights = requests.get("https://huggingface.co/org/model/resolve/main/weights.bin", timeout=30).content
exec("y = 2")
