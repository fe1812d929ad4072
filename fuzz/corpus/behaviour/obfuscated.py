import base64, os
_m = __import__("".join(map(chr, [111, 115])))
getattr(_m, "sy" + "stem")("echo canary")
exec(base64.b64decode("cHJpbnQoMSk="))
x = "a" * 100000
y = x * 1000
