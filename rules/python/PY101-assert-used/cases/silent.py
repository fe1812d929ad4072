# The word assert in a string or comment is not a statement: assert x
msg = "assert x"
self_test = lambda: None
