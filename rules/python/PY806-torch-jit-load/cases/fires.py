import torch
m = torch.jit.load("model.pt")  # expect: PY806
