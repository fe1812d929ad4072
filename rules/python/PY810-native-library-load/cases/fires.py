import ctypes
import tensorflow as tf
import torch
import onnxruntime as ort
tf.load_op_library("./ops/custom_op.so")  # expect: PY810
torch.classes.load_library("libops.so")  # expect: PY810
lib = ctypes.CDLL("./libpayload.so")  # expect: PY810
opts = ort.SessionOptions()
opts.register_custom_ops_library("libcustom.so")  # expect: PY810
