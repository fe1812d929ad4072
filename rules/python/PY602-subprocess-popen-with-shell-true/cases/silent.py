import subprocess
subprocess.run(["/bin/ls", "-l"], shell=False)  # expect: PY603
subprocess.run(args="ls", shell=True)  # no positional command: Bandit does not report it
