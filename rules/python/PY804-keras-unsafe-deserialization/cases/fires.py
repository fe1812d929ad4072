import keras
from tensorflow import keras as tfk
m = keras.models.load_model("model.keras", safe_mode=False)  # expect: PY804
m = tfk.models.load_model(path, safe_mode=False)  # expect: PY804, PY805
keras.config.enable_unsafe_deserialization()  # expect: PY804
