import ssl
ctx = ssl.create_default_context()
# A name that only looks alike is not reported:
obj._create_unverified_context(x)
