# Writing caches and logs next to the model is not persistence.
import json
import os


def save_cache(obj, folder):
    with open(os.path.join(folder, "cache.json"), "w") as f:
        f.write(json.dumps(obj))
