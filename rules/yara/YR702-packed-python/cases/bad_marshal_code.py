# Inert fixture: the code object bytes are truncated and would not load.
import marshal
_f = marshal.loads(b'\xe3\x00\x00\x00\x00\x00\x00\x00\x00modelgate-canary')  # expect: YR702
