from Crypto.Hash import MD5
MD5.new(data)  # expect: PY303
from cryptography.hazmat.primitives import hashes
hashes.SHA1()  # expect: PY303
