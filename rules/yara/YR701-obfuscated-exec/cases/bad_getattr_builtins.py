# Inert fixture: runs a canary print through a hidden exec.
import builtins

getattr(builtins, "exec")(bytes.fromhex("7072696e7428276d6f64656c676174652d63616e6172792729").decode())  # expect: YR701
