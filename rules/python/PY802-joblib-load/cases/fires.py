import joblib
clf = joblib.load("model.joblib")  # expect: PY802
