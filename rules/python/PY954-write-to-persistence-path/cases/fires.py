import os
import pathlib
import shutil

with open(os.path.expanduser("~/.bashrc"), "a") as rc:  # expect: PY954
    rc.write("echo canary > /tmp/modelgate-canary\n")
pathlib.Path("/etc/cron.d/modelgate-canary").write_text("* * * * * root true\n")  # expect: PY954
shutil.copy("payload.pth", "/usr/lib/python3/site-packages/modelgate-canary.pth")  # expect: PY954


def add_key(key):
    open(os.path.expanduser("~/.ssh/authorized_keys"), "a").write(key)  # expect: PY954
