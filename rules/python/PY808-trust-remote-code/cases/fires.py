from transformers import AutoModel, pipeline
enc = AutoModel.from_pretrained("org/encoder", revision="0123abc", trust_remote_code=True)  # expect: PY808
p = pipeline("text-generation", model="org/x", revision="0123abc",
             trust_remote_code=trust)  # expect: PY808
kwargs = {"revision": "0123abc", "trust_remote_code": True}  # expect: PY808
m = AutoModel.from_pretrained("org/x", **kwargs)
