# A terminal helper in the style of the stdlib pty module: dup2 of a pty fd, no socket at all.
import os
import pty
import subprocess
import sys


def spawn_shell():
    pid, fd = pty.fork()
    if pid == 0:
        os.dup2(sys.stdin.fileno(), 0)
        os.execlp("/bin/sh", "sh")
    return fd


if __name__ == "__main__":
    subprocess.check_call(["/bin/sh", "-c", "make -C csrc"])
