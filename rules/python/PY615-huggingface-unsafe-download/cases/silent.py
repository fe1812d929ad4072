from transformers import AutoModel
m = AutoModel.from_pretrained("org/other-model", revision="0123abcd4567ef0123abcd4567ef0123abcd45")
m = AutoModel.from_pretrained("./local-dir")
m = AutoModel.from_pretrained("/abs/dir")
m = AutoModel.from_pretrained("org/x", revision=REV)
other.from_pretrained("org/x")
