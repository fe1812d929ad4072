import pickle  # expect: PY403
import cPickle as cp  # expect: PY403
from dill import loads  # expect: PY403
import shelve  # expect: PY403
mod = __import__("pickle")  # expect: PY403
import json
import pickletools  # expect: PY403  (Bandit matches import names by prefix)
