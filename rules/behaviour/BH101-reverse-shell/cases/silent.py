# Sockets and processes that are not a shell for someone else.
import socket
import subprocess


def health_check():
    s = socket.socket()
    s.connect(("localhost", 8080))
    s.sendall(b"ping")
    return s.recv(16)


def gpu_info():
    return subprocess.run(["nvidia-smi"], capture_output=True, text=True).stdout
