PREFIX = "print("
exec(PREFIX + "1)")  # expect: PY102
eval("1 + 1")  # expect: PY307
model.eval()
