import os
os.chmod(path, 0o644)
os.chmod(path, 0o700)
os.chmod(path, mode)
os.chmod(path, mode=0o777)
