# Weights downloaded and read as data: the usual torch hub pattern, not a dropper.
import os

import torch


def load_weights(url, cache):
    dst = os.path.join(cache, "weights.pth")
    if not os.path.exists(dst):
        torch.hub.download_url_to_file(url, dst)
    return torch.load(dst, map_location="cpu", weights_only=True)
