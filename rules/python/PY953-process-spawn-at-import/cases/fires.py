import os
import subprocess

os.system("echo canary > /tmp/modelgate-canary")  # expect: PY953
subprocess.Popen(["sh", "-c", "true"])  # expect: PY953
out = subprocess.check_output(["uname", "-a"])  # expect: PY953
