password = "canary-not-a-secret"  # expect: PY105
HF_TOKEN = "hf_canary"  # expect: PY105
self.db_passwd = "x"  # expect: PY105
cfg["secret"] = "x"  # expect: PY105
if pwd == "letmein":  # expect: PY105
    pass
token_type = "int"  # expect: PY105  (Bandit's pattern matches a token_ prefix too)
