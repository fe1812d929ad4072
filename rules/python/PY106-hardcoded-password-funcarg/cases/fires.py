login(token="hf_canary")  # expect: PY106
connect(host="h", user_password="x", pwd="y")  # expect: PY106
