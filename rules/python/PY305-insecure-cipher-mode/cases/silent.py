from cryptography.hazmat.primitives.ciphers import modes
modes.GCM(iv)
# A name that only looks alike is not reported:
obj.ECB(x)
