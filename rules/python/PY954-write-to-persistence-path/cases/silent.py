import os

with open(os.path.join(save_dir, "config.json"), "w") as f:
    f.write("{}")
with open(os.path.expanduser("~/.bashrc")) as rc:
    text = rc.read()
