import tensorflow as tf
m = tf.saved_model.load("saved_model")  # expect: PY805
m = tf.keras.models.load_model("model.h5")  # expect: PY805
