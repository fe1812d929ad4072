# Build helper run by hand: compiles the CUDA extension. subprocess under __main__, no download.
import os
import subprocess
import sys

if __name__ == "__main__":
    build = os.path.join(os.path.dirname(__file__), "build")
    os.makedirs(build, exist_ok=True)
    os.chmod(build, 0o755)
    subprocess.check_call(["cmake", "-S", ".", "-B", build])
    subprocess.check_call([sys.executable, "setup.py", "build_ext", "--inplace"])
