import json
import pickle

pickle.dumps({"a": 1})
data = json.loads(text)
p = pickle
p = json
p.loads(text)
