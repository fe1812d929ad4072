import os
import subprocess
subprocess.Popen(["nvidia-smi"])  # expect: PY607, PY603
os.system("ls -l")  # expect: PY607, PY605
subprocess.run("git status", shell=True)  # expect: PY607, PY602
