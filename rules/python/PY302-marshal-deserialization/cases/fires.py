import marshal, zlib
code = marshal.loads(zlib.decompress(blob))  # expect: PY302
from marshal import load
load(f)  # expect: PY302
