from transformers import AutoModel
enc = AutoModel.from_pretrained("org/encoder", revision="0123abc", trust_remote_code=False)
