from Crypto.Cipher import ARC4
ARC4.new(key)  # expect: PY304
from cryptography.hazmat.primitives.ciphers import algorithms
algorithms.Blowfish(key)  # expect: PY304
