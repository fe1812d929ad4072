import platform

import torch


def pick_device():
    if platform.system() == "Darwin" and torch.backends.mps.is_available():
        return "mps"
    return "cuda" if torch.cuda.is_available() else "cpu"
