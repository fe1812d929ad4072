cur.execute("SELECT * FROM t WHERE id = %s" % uid)  # expect: PY608
q = "DELETE FROM t WHERE name = '" + name + "'"  # expect: PY608
cur.execute("UPDATE t SET a = {}".format(v))  # expect: PY608
cur.execute(f"INSERT INTO t (a) VALUES ({v})")  # expect: PY608
msg = "select a model from the list" + suffix  # expect: PY608  (the heuristic also matches prose)
q = "insert  into t (a)\nvalues (%s)" % v  # expect: PY608
