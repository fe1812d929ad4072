for p in paths:
    try:
        load(p)
    except Exception:  # expect: PY112
        continue
