for p in paths:
    try:
        load(p)
    except Exception:  # expect: PY112
        continue
for p in paths:
    try:
        load(p)
    except Exception as e:  # expect: PY112
        continue
