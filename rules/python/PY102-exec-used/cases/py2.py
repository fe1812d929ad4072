# Python 2 source: print and exec statements.
code = "x = 1"
print "loading"
exec code  # expect: PY102
