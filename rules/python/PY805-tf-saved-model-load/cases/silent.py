import tensorflow as tf
tf.saved_model.save(m, "saved_model")
