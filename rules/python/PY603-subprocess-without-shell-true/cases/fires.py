import subprocess
subprocess.check_output(["/usr/bin/git", "rev-parse", "HEAD"])  # expect: PY603
subprocess.Popen(["/bin/ls"], shell=False)  # expect: PY603
