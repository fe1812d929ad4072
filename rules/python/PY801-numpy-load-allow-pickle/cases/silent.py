import numpy as np
emb = np.load("embeddings.npy")
emb = np.load("embeddings.npy", allow_pickle=False)
