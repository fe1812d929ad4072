# The repository's own code and data, evaluated: a weakness at most, not remote code.
import ast
import os
import subprocess

import yaml

with open(os.path.join(os.path.dirname(__file__), "version.py")) as f:
    exec(f.read())


def parse_config(path):
    cfg = yaml.safe_load(open(path))
    return eval(cfg["activation"])


def parse_answer(model_output):
    return ast.literal_eval(model_output)


def describe():
    return subprocess.check_output("git describe --tags", shell=True).decode()
