from cryptography.hazmat.primitives.asymmetric import rsa, ec
rsa.generate_private_key(public_exponent=65537, key_size=4096)
ec.generate_private_key(ec.SECP256R1())
