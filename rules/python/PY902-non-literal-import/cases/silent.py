import importlib
NAME = "json"
mod = importlib.import_module(NAME)
m = __import__("os.path")
