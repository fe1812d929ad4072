# Inert fixture: the armored payload is a short fake byte string.
from pytransform import pyarmor_runtime
pyarmor_runtime()
__pyarmor__(__name__, __file__, b'\x50\x59\x41\x52\x4d\x4f\x52\x00\x00modelgate-canary')  # expect: YR702
