import hashlib
import crypt
h = hashlib.md5(data)  # expect: PY324
h = hashlib.new("sha1")  # expect: PY324
h = hashlib.new(name="MD5")  # expect: PY324
h = hashlib.sha1()  # expect: PY324
crypt.crypt("pw", crypt.METHOD_MD5)  # expect: PY324
