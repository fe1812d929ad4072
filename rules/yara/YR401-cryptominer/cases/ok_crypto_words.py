# A hashing benchmark and a README-like note: crypto words, no miner.
import hashlib


def nonce_search(prefix: bytes, difficulty: int) -> int:
    """Toy proof-of-work used in the unit tests (not mining: no pool, no wallet)."""
    nonce = 0
    while not hashlib.sha256(prefix + nonce.to_bytes(8, "little")).hexdigest().startswith("0" * difficulty):
        nonce += 1
    return nonce

# Note: unlike xmrig, this never leaves the process.
