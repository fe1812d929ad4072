from Crypto.Cipher import AES
AES.new(key, AES.MODE_GCM)
# A name that only looks alike is not reported:
obj.ARC4(x)
