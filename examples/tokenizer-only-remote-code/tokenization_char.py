from transformers import PreTrainedTokenizer


class CharTokenizer(PreTrainedTokenizer):
    def __init__(self, **kwargs):
        self.vocab = {chr(i): i for i in range(128)}
        super().__init__(**kwargs)

    def _tokenize(self, text):
        return list(text)

    def _convert_token_to_id(self, token):
        return self.vocab.get(token, 0)

    def _convert_id_to_token(self, index):
        return chr(index)

    def get_vocab(self):
        return dict(self.vocab)
