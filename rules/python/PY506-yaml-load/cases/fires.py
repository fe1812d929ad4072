import yaml
cfg = yaml.load(open("config.yaml"))  # expect: PY506
cfg = yaml.load(text, Loader=yaml.FullLoader)  # expect: PY506
cfg = yaml.load(text, Loader=yaml.UnsafeLoader)  # expect: PY506
