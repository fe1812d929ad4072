import os
import subprocess
os.system("tar cf backup.tar *")  # expect: PY609, PY605, PY607
subprocess.Popen("/bin/chown root *", shell=True)  # expect: PY609, PY602
