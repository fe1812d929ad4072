import torch
torch.jit.save(m, "model.pt")
s = torch.jit.script(m)
