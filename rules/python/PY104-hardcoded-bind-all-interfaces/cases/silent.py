"""0.0.0.0 in a docstring is fine."""
HOST = "127.0.0.1"
ip = "0.0.0.01"
url = f"http://0.0.0.0:{port}/"
