# Tells the user where the hub client keeps its token; never opens it, never uploads.
import requests

TOKEN_HINT = "~/.cache/huggingface/token"


def check_hub() -> bool:
    print(f"token is read by huggingface_hub from {TOKEN_HINT}")
    return requests.get("https://huggingface.co/api/models/org/model", timeout=10).ok
