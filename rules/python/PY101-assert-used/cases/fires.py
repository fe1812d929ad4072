def check(x):
    assert x > 0  # expect: PY101
    assert isinstance(x, int), "must be int"  # expect: PY101
