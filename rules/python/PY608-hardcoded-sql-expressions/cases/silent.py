cur.execute("SELECT * FROM t WHERE id = ?", (uid,))
print("updated %d" % n)
