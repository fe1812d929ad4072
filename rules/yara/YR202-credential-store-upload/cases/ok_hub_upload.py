# Pushes results with the hub client and posts metrics to the team's server; reads no credential file.
import os

import requests
from huggingface_hub import HfApi

api = HfApi(token=os.environ.get("HF_TOKEN"))
api.upload_file(path_or_fileobj="results.json", path_in_repo="results.json", repo_id="org/model")
requests.post("https://metrics.example.org/run", json={"status": "done"}, timeout=10)
print("If login fails, check ~/.netrc and run `huggingface-cli login`.")
