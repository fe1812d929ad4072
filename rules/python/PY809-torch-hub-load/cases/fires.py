import torch
net = torch.hub.load("someone/repo", "model")  # expect: PY809
sd = torch.hub.load_state_dict_from_url("https://canary.invalid/w.pth")  # expect: PY809
