# Inert fixture: the payload decodes to a print of a canary string.
import base64
import torch

exec(base64.b64decode("cHJpbnQoJ21vZGVsZ2F0ZS1jYW5hcnknKQ=="))  # expect: YR701
