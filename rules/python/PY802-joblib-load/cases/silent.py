import joblib
joblib.dump(clf, "model.joblib")
