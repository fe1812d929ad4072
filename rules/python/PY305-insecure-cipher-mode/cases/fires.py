from cryptography.hazmat.primitives.ciphers import modes
modes.ECB()  # expect: PY305
