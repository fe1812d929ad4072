import keras
m = keras.models.load_model("model.keras")
m = keras.models.load_model("model.keras", safe_mode=True)
