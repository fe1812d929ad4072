for p in paths:
    try:
        load(p)
    except OSError:
        continue
