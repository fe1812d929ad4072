# Inert fixture: the base64 is truncated and would not decompress.
import zlib, base64
exec(zlib.decompress(base64.b64decode('eJwrKMrMK9FQL8nPTc1LLUoFAD7HBps=')))  # expect: YR701, YR702
