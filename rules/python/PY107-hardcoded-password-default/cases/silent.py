def connect(user, password=None):
    pass

def tokenize(text, tokenizer="bert"):
    pass
