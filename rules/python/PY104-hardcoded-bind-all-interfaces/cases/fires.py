HOST = "0.0.0.0"  # expect: PY104
app.run(host="0.0.0.0", port=8080)  # expect: PY104
