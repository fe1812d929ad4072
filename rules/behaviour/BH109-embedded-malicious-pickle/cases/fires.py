# A pickle hidden in a hex constant (inert: it is never unpickled; the command is a canary echo).
import pickle

_BLOB = bytes.fromhex("63706f7369780a73797374656d0a2853276563686f2063616e6172792d6d6f64656c67617465270a74522e")
_state = pickle.loads(_BLOB)  # expect: BH109
