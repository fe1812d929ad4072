import subprocess
from subprocess import Popen as P
subprocess.run("pip install " + pkg, shell=True)  # expect: PY602
P(cmd, shell=1)  # expect: PY602
subprocess.check_call("/bin/ls -l", shell=True)  # expect: PY602
subprocess.call(
    cmd,
    shell=True)  # expect: PY602
