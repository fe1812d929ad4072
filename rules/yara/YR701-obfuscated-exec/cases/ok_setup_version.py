# setup.py reading its version with exec: plain source, nothing decoded.
import base64
import os

from setuptools import setup

version = {}
with open(os.path.join("mypkg", "version.py")) as f:
    exec(f.read(), version)

ICON = base64.b64encode(b"\x89PNG").decode()
setup(name="mypkg", version=version["__version__"])
