exec payload  # expect: PY901, PY102
exec "x = 1"  # expect: PY102
