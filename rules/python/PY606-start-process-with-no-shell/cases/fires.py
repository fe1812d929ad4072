import os
os.execv("/bin/sh", ["sh", "-c", cmd])  # expect: PY606
os.spawnlp(os.P_WAIT, "/bin/true", "true")  # expect: PY606
os.startfile("/tmp/modelgate-canary")  # expect: PY606, PY108
