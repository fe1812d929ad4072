# Training script: logs in with HF_TOKEN to push the checkpoint, posts progress to Discord, and
# queries the team's inference server by IP. No credential store is read.
import os

import requests
from huggingface_hub import HfApi

api = HfApi(token=os.environ["HF_TOKEN"])
WEBHOOK = "https://discord.com/api/webhooks/000/modelgate-docs-example"
EVAL_SERVER = "http://198.51.100.40:8000/generate"


def on_epoch_end(epoch, loss, ckpt_dir):
    api.upload_folder(folder_path=ckpt_dir, repo_id="org/model")
    requests.post(WEBHOOK, json={"content": f"epoch {epoch} loss {loss:.3f}"}, timeout=5)
    requests.post(EVAL_SERVER, json={"prompt": "hello"}, timeout=30)
