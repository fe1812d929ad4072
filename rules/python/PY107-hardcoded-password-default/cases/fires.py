def connect(user, password="canary"):  # expect: PY107
    pass

def login(*, api_token: str = "x"):  # expect: PY107
    pass
