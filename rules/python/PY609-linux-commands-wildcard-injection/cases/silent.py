import os
os.listdir("*")
