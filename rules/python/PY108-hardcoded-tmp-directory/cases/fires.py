import torch
torch.save(state, "/tmp/modelgate-canary/cache.pt")  # expect: PY108
CACHE = "/var/tmp/modelgate-canary"  # expect: PY108
SHM = ("/dev/shm/"  # expect: PY108
       "modelgate-canary")
path = f"/tmp/modelgate-canary/{name}.pt"  # expect: PY108
