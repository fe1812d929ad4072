from transformers import AutoModel
from huggingface_hub import hf_hub_download
from datasets import load_dataset
m = AutoModel.from_pretrained("org/other-model", trust_remote_code=True)  # expect: PY615
m = AutoModel.from_pretrained("org/other-model", revision="main")  # expect: PY615
p = hf_hub_download("org/repo", "weights.bin")  # expect: PY615
d = load_dataset("org/data")  # expect: PY615
