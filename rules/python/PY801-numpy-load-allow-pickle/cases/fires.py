import numpy as np
emb = np.load("embeddings.npy", allow_pickle=True)  # expect: PY801
emb = np.load(path, allow_pickle=flag)  # expect: PY801
