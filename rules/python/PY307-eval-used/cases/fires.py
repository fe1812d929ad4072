from builtins import eval as evaluate
x = eval("1 + 1")  # expect: PY307
y = eval(  # expect: PY307
    config["scale"])
import builtins
getattr(builtins, "eval")("1")  # expect: PY307
