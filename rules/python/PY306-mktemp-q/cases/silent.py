import tempfile
tempfile.mkstemp()
# A name that only looks alike is not reported:
obj.mktemp(x)
