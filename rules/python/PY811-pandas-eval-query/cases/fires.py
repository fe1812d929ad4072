import pandas as pd
r = pd.eval(expr)  # expect: PY811
sub = df.query(cfg["filter"])  # expect: PY811
