# Caches a compiled config module with marshal: dumps and loads a file, no literal code object.
import marshal


def save(code, path):
    with open(path, "wb") as f:
        marshal.dump(code, f)


def load(path):
    with open(path, "rb") as f:
        return marshal.loads(f.read())
