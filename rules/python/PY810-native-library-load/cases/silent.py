import ctypes
x = ctypes.c_int(3)
