# A plain client of an inference server: connects, sends JSON, reads the answer. No shell.
import json
import socket

import torch


def query(host: str, port: int, prompt: str) -> dict:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    s.sendall(json.dumps({"prompt": prompt}).encode())
    data = s.recv(65536)
    s.close()
    return json.loads(data)


def run(model):
    model.eval()
    with torch.no_grad():
        return model(torch.zeros(1, 3))
