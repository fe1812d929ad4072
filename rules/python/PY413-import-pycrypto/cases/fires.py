from Crypto.Cipher import AES  # expect: PY413
import importlib
importlib.import_module("Crypto.Cipher")  # expect: PY413
