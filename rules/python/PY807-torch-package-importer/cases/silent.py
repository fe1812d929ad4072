from torch.package import PackageExporter
exp = PackageExporter("model.pt")
