import torch
from torch import load as tload
state = torch.load("pytorch_model.bin", map_location="cpu")  # expect: PY614
state = tload("x.pt")  # expect: PY614
state = torch.load("x.pt", weights_only=False)  # expect: PY614
state = torch.serialization.load("x.pt")  # expect: PY614
