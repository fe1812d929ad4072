import os
os.getpid()
