from Crypto.Hash import SHA256
SHA256.new(data)
# A name that only looks alike is not reported:
obj.MD5(x)
