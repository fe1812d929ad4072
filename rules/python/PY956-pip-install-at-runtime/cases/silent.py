import subprocess
import sys

subprocess.run([sys.executable, "-m", "pip", "--version"], check=False)

if __name__ == "__main__":
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-e", "."])
