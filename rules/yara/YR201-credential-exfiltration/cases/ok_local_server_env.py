# Starts a local worker with a copy of the environment and talks to it over loopback.
import os
import subprocess

import requests

env = os.environ.copy()
env["CUDA_VISIBLE_DEVICES"] = "0"
subprocess.Popen(["python", "-m", "worker"], env=env)
requests.get("http://127.0.0.1:8000/health", timeout=2)
requests.get("http://10.0.0.5:8000/health", timeout=2)
print("ssh key path is ~/.ssh/id_rsa if you need to push checkpoints")
