import requests


def download_weights(path):
    return requests.get("https://huggingface.co/org/model/resolve/main/model.bin", timeout=30).content


if __name__ == "__main__":
    requests.get("https://example.invalid/selftest", timeout=5)
