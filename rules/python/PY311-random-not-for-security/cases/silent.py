import secrets
import numpy as np
token = secrets.token_hex(16)
x = np.random.randint(0, 10)
rng = np.random.default_rng(0)
