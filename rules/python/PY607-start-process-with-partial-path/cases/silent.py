import os
import subprocess
subprocess.Popen(["/usr/bin/nvidia-smi"])  # expect: PY603
os.system("./run.sh")  # expect: PY605
subprocess.Popen([cmd])  # expect: PY603
