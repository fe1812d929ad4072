cur.execute("SELECT * FROM t WHERE id = ?", (uid,))
print("updated %d" % n)
note = "selected items from %s" % src
