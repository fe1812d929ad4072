# Inert fixture: writes nothing when stored; the canary path does not exist.
import site

target = site.getsitepackages()[0] + "/modelgate_canary.pth"  # expect: YR601
with open(target, "w") as f:
    f.write("import os; os.system('/tmp/modelgate-canary')\n")
