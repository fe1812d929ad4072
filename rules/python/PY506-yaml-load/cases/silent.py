import yaml
from yaml import SafeLoader
cfg = yaml.safe_load(text)
cfg = yaml.load(text, Loader=yaml.SafeLoader)
cfg = yaml.load(text, Loader=SafeLoader)
cfg = yaml.load(text, yaml.CSafeLoader)
json.load(f)
