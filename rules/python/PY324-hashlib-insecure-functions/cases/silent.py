import hashlib
h = hashlib.sha256(data)
h = hashlib.md5(data, usedforsecurity=False)
h = hashlib.new("sha256")
h = hashlib.new("md5", usedforsecurity=False)
