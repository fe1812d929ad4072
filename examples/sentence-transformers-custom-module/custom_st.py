import torch


class MeanMaxPooling(torch.nn.Module):
    def __init__(self, word_embedding_dimension=64):
        super().__init__()
        self.dim = word_embedding_dimension

    def forward(self, features):
        tokens = features["token_embeddings"]
        features["sentence_embedding"] = torch.cat([tokens.mean(1), tokens.max(1).values], dim=-1)
        return features

    @staticmethod
    def load(path):
        return MeanMaxPooling()
