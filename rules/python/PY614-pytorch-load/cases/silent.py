import torch
state = torch.load("pytorch_model.bin", weights_only=True)
ext = torch.utils.cpp_extension.load(name="x", sources=["x.cpp"])
json.load(f)
