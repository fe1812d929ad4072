passwordless = "x"
tokenizer = "bert-base"
password = os.environ["PASSWORD"]
name = "password"
password = f"{prefix}-canary"
