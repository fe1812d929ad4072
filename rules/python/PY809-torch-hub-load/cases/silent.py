import torch
net = torch.hub.load("./local_repo", "model", source="local")
sd = torch.hub.load_state_dict_from_url("https://canary.invalid/w.pth", weights_only=True)
