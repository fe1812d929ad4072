from cryptography.hazmat.primitives.asymmetric import rsa, dsa, ec
from Crypto.PublicKey import RSA
rsa.generate_private_key(public_exponent=65537, key_size=1024)  # expect: PY505
dsa.generate_private_key(512)  # expect: PY505
ec.generate_private_key(ec.SECP192R1())  # expect: PY505
RSA.generate(1024)  # expect: PY505
