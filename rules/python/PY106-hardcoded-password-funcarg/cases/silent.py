login(token=os.environ["HF_TOKEN"])
tokenize(tokenizer="bert")
