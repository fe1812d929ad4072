import pickle
import pickle as pk
from pickle import loads
import dill, shelve
import pandas as pd

with open("vocab.pkl", "rb") as f:
    vocab = pickle.load(f)  # expect: PY301
obj = pk.loads(data)  # expect: PY301
obj = loads(data)  # expect: PY301
p = pickle
p.Unpickler(f).load()  # expect: PY301
dill.loads(blob)  # expect: PY301
db = shelve.open("cache")  # expect: PY301
df = pd.read_pickle("frame.pkl")  # expect: PY301
