import random
from random import choice
token = random.randint(0, 10)  # expect: PY311
pick = choice(items)  # expect: PY311
random.shuffle(items)
