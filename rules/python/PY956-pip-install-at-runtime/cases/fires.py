import os
import subprocess
import sys

import pip


def ensure_deps():
    subprocess.check_call([sys.executable, "-m", "pip", "install", "helper-pkg==1.0"])  # expect: PY956
    os.system("pip install --quiet other-pkg")  # expect: PY956
    pip.main(["install", "third-pkg"])  # expect: PY956
