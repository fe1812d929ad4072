import base64

exec("print(1)")  # expect: PY102
run = exec
run(base64.b64decode(b"cHJpbnQoMSk="))  # expect: PY102
import builtins
builtins.exec("print(2)")  # expect: PY102
