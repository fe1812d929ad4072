try:
    verify(path)
except:  # expect: PY110
    pass
try:
    verify(path)
except Exception:  # expect: PY110
    # ignored on purpose
    pass
try:
    verify(path)
except Exception as exc:  # expect: PY110
    pass
else:
    done()
