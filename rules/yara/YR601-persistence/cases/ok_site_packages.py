# Finds where a package is installed; reads, never writes, start-up files.
import os
import site

for d in site.getsitepackages():
    p = os.path.join(d, "distutils-precedence.pth")
    if os.path.exists(p):
        print(open(p).read())
