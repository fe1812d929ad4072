import pandas as pd
r = pd.eval("a + b")
sub = df.query("x > 3")
