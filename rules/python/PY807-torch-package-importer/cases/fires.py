from torch.package import PackageImporter
imp = PackageImporter("model.pt")  # expect: PY807
