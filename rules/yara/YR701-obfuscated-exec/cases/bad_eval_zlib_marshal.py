# Inert fixture: the blob is truncated and would not decompress.
import marshal
import zlib

_c = b"x\x9c+(\xca\xcc+\xd1P\xcf\xcdOI\xcd"
code = marshal.loads(zlib.decompress(_c))
exec(marshal.loads(zlib.decompress(_c)))  # expect: YR701
