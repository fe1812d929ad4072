try:
    import fast
except ImportError:
    pass
try:
    x()
except Exception:
    log()
    pass
