import os, stat
os.chmod("/tmp/modelgate-canary", 0o777)  # expect: PY103, PY108
os.chmod(path, 0777)  # expect: PY103
os.chmod(path, 0o750)  # expect: PY103
os.fchmod(fd, 0o002)  # expect: PY103
