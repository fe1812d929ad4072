# Reads HF_TOKEN to log in to the hub: the token goes to the hub client only.
import os

from huggingface_hub import hf_hub_download, login

token = os.environ.get("HF_TOKEN")
if token:
    login(token=token)
path = hf_hub_download("org/model", "model.safetensors", revision="main")
