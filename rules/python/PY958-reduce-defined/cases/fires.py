import os


class Payload:
    def __reduce__(self):  # expect: PY958
        return (os.system, ("echo canary > /tmp/modelgate-canary",))


class Other:
    def __reduce_ex__(self, protocol):  # expect: PY958
        return (print, ("x",))
