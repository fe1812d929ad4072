import marshal
marshal.dumps(compile("1", "x", "eval"))
